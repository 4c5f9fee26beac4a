// OpenRouter's daily activity and key endpoints (gateway-apis.md §4.2, §4.3) against the fixture server: one
// completed day per request, rows summed per model into buckets and cost lines, the cursor as the next day,
// re-reading recent days (upserted), and the key's limit and usage.
#include "fixtureclient.h"
#include "pricing/pricecatalog.h"
#include "servicepages.h"
#include "sources/isotime.h"
#include "sources/openrouteractivityconnector.h"
#include "sources/openrouterkeyreader.h"
#include "sources/sourcepoller.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QtTest>

using nlohmann::json;

namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kStart = 1'795'824'000'000; // 2026-11-28 00:00 UTC

// The documented example row (§4.2, tests/support/servicepages.h), on `day`.
json row(std::int64_t day, const char *model = "openai/gpt-4.1", double usage = 0.015, int requests = 5)
{
    json r = fixture::openRouterActivityRow(day);
    r["model"] = model;
    r["usage"] = usage;
    r["requests"] = requests;
    return r;
}

} // namespace

class TestOpenRouterConnector : public QObject {
    Q_OBJECT

private:
    NodeServer m_server;
    rl::Pricing m_pricing{rl::PriceCatalog::builtIn()};

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_server.start(QString(ROUTELEDGER_TEST_DATA) + "/sources/fixture-server.js", &error),
                 qPrintable(error));
    }
    void init() { QVERIFY(fixture::reset(m_server)); }

    void rowsAreSummedPerModel()
    {
        json day = {
            {"data", {row(kStart), row(kStart, "openai/gpt-4.1", 0.005, 1), row(kStart, "mystery/model", 0.1, 2)}}};
        auto batch = rl::OpenRouterActivityConnector::readDay(day.dump(), m_pricing, "or", kStart);
        QVERIFY2(batch.ok(), batch.ok() ? "" : batch.error().message.c_str());
        QCOMPARE(batch->buckets.size(), std::size_t(2));
        QCOMPARE(batch->costs.size(), std::size_t(2));
        const rl::UsageBucket &b = batch->buckets[0];
        QCOMPARE(b.model, std::string("openrouter/openai/gpt-4.1"));
        QCOMPARE(b.provider, std::string("openrouter"));
        QCOMPARE(b.startMs, kStart);
        QCOMPARE(b.endMs, kStart + kDay);
        QCOMPARE(b.requests, std::int64_t(6));
        QCOMPARE(b.tokens.input, std::int64_t(100));
        QCOMPARE(b.tokens.output, std::int64_t(250));
        QCOMPARE(b.tokens.reasoning, std::int64_t(50));
        QCOMPARE(b.reportedCostMicro, std::optional<std::int64_t>(20'000));
        QVERIFY(!b.unpriced);
        QCOMPARE(b.costMicro, m_pricing.cost(b.model, b.tokens, kStart).microUsd);
        QVERIFY(batch->buckets[1].unpriced); // not in the catalog: counted, never a silent $0
        QCOMPARE(batch->costs[0].amountMicro, std::int64_t(20'000));
        QCOMPARE(batch->costs[0].lineItem, std::string("usage"));
        QCOMPARE(batch->costs[1].amountMicro, std::int64_t(100'000));

        auto wrongDay = rl::OpenRouterActivityConnector::readDay(json{{"data", {row(kStart + kDay)}}}.dump(), m_pricing,
                                                                 "or", kStart);
        QVERIFY(!wrongDay.ok());
        QVERIFY(wrongDay.error().message.find("'date'") != std::string::npos);
        json noUsage = row(kStart);
        noUsage.erase("usage");
        auto missing =
            rl::OpenRouterActivityConnector::readDay(json{{"data", {noUsage}}}.dump(), m_pricing, "or", kStart);
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, std::string("source.malformed"));
        QVERIFY(missing.error().message.find("'usage'") != std::string::npos);
    }

    void oneDayPerRequestThenRereads()
    {
        // Today is the 4th day; days 1–3 are complete.
        QVERIFY(
            fixture::script(m_server, {{"/api/v1/activity",
                                        {{{"body", {{"data", {row(kStart)}}}}},
                                         {{"body", {{"data", {row(kStart + kDay)}}}}},
                                         {{"body", {{"data", {row(kStart + 2 * kDay)}}}}},
                                         {{"body", {{"data", {row(kStart + kDay, "openai/gpt-4.1", 0.5)}}}}},
                                         {{"body", {{"data", {row(kStart + 2 * kDay, "openai/gpt-4.1", 0.25)}}}}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        QVERIFY(store.ok());
        rl::HttpClient http(fixture::quickHttp());
        rl::OpenRouterActivityConnector::Options o;
        o.firstMs = kStart + 5000;
        o.nowMs = [] { return kStart + 3 * kDay + 60'000; };
        rl::OpenRouterActivityConnector connector(http, m_pricing, "openrouter", m_server.url("/api/v1").toStdString(),
                                                  "sk-or-mgmt", o);
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(report.pages, std::size_t(3));
        json seen = fixture::requests(m_server);
        QCOMPARE(seen.size(), std::size_t(3));
        QCOMPARE(seen[0]["path"].get<std::string>(), std::string("/api/v1/activity"));
        QCOMPARE(seen[0]["query"]["date"].get<std::string>(), std::string("2026-11-28"));
        QCOMPARE(seen[2]["query"]["date"].get<std::string>(), std::string("2026-11-30"));
        QCOMPARE(seen[0]["headers"]["authorization"].get<std::string>(), std::string("Bearer sk-or-mgmt"));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(3));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM cost_lines"), std::int64_t(3));
        QCOMPARE(fixture::scalar(store.value(), "SELECT SUM(amount_micro) FROM cost_lines"), std::int64_t(45'000));
        // Caught up: the cursor is two completed days back.
        QCOMPARE(store->cursor("openrouter").value(), std::optional<std::string>("2026-11-29"));

        report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        seen = fixture::requests(m_server);
        QCOMPARE(seen.size(), std::size_t(5));
        QCOMPARE(seen[3]["query"]["date"].get<std::string>(), std::string("2026-11-29"));
        QCOMPARE(seen[4]["query"]["date"].get<std::string>(), std::string("2026-11-30"));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(3));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM cost_lines"), std::int64_t(3));
        QCOMPARE(fixture::scalar(store.value(), "SELECT SUM(amount_micro) FROM cost_lines"),
                 std::int64_t(15'000 + 500'000 + 250'000));
        QCOMPARE(fixture::scalar(store.value(), "SELECT SUM(reported_cost_micro) FROM usage_buckets"),
                 std::int64_t(15'000 + 500'000 + 250'000));

        // Today is never asked for; a bad cursor is refused.
        auto today = connector.fetch(std::string("2026-12-01"));
        QVERIFY(today.ok());
        QVERIFY(today->batch.buckets.empty());
        QVERIFY(!today->hasMore);
        QCOMPARE(fixture::requests(m_server).size(), std::size_t(5));
        auto bad = connector.fetch(std::string("2026-13-01"));
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, std::string("source.bad_cursor"));
    }

    // The activity endpoint keeps the last 30 completed days; whether it answers for the oldest is not
    // documented. A 400 on the oldest day skips it; a 400 on a later day is named, with the range.
    void aRefusedOldestDayDoesNotStallTheSource()
    {
        const std::int64_t today = kStart + 40 * kDay;
        const std::int64_t oldest = today - 30 * kDay;
        const json refused = {{"status", 400},
                              {"body", {{"error", {{"code", 400}, {"message", "Date out of range"}}}}}};
        QVERIFY(
            fixture::script(m_server, {{"/api/v1/activity", {refused, {{"body", {{"data", {row(oldest + kDay)}}}}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        rl::HttpClient http(fixture::quickHttp());
        rl::OpenRouterActivityConnector::Options o;
        o.firstMs = kStart; // older than the endpoint keeps: starts at its oldest day
        o.nowMs = [today] { return today + 60'000; };
        rl::OpenRouterActivityConnector connector(http, m_pricing, "openrouter", m_server.url("/api/v1").toStdString(),
                                                  "k", o);
        auto skipped = connector.fetch(std::nullopt);
        QVERIFY2(skipped.ok(), skipped.ok() ? "" : skipped.error().message.c_str());
        QVERIFY(skipped->hasMore);
        QVERIFY(skipped->batch.buckets.empty());
        QCOMPARE(skipped->batch.cursor, std::optional<std::string>(rl::IsoTime::date(oldest + kDay)));
        auto next = connector.fetch(skipped->batch.cursor);
        QVERIFY2(next.ok(), next.ok() ? "" : next.error().message.c_str());
        QCOMPARE(next->batch.buckets.size(), std::size_t(1));
        QCOMPARE(fixture::requests(m_server)[0]["query"]["date"].get<std::string>(), rl::IsoTime::date(oldest));

        QVERIFY(fixture::script(m_server, {{"/api/v1/activity", {refused}}}));
        auto later = connector.fetch(rl::IsoTime::date(today - 3 * kDay));
        QVERIFY(!later.ok());
        QCOMPARE(later.error().code, std::string("source.date_out_of_range"));
        QVERIFY(later.error().message.find("last 30 completed UTC days") != std::string::npos);
    }

    void keyLimitAndUsage()
    {
        const json documented = fixture::example("openrouter-key");
        QVERIFY(fixture::script(m_server, {{"/api/v1/auth/key", {{{"body", documented}}}}}));
        rl::HttpClient http(fixture::quickHttp());
        rl::OpenRouterKeyReader reader(http, "openrouter", m_server.url().toStdString(), "sk-or-v1-x");
        auto key = reader.read(); // /api/v1/key answers 404 here: the older path is used
        QVERIFY2(key.ok(), key.ok() ? "" : key.error().message.c_str());
        QCOMPARE(key->label, std::string("sk-or-v1-au7...890"));
        QCOMPARE(key->limitMicro, std::optional<std::int64_t>(100'000'000));
        QCOMPARE(key->limitRemainingMicro, std::optional<std::int64_t>(74'500'000));
        QCOMPARE(key->windowSpendMicro(), std::optional<std::int64_t>(25'500'000));
        QCOMPARE(key->usageMicro, std::int64_t(25'500'000));
        QCOMPARE(key->limitReset, std::string("monthly"));
        QVERIFY(!key->isFreeTier);

        json unlimited = documented;
        unlimited["data"]["limit"] = nullptr;
        unlimited["data"]["limit_remaining"] = nullptr;
        auto parsed = rl::OpenRouterKeyReader::parse(unlimited.dump(), "openrouter");
        QVERIFY(parsed.ok());
        QVERIFY(!parsed->limitMicro);
        QVERIFY(!parsed->windowSpendMicro());
        auto bad = rl::OpenRouterKeyReader::parse(json{{"data", {{"label", "x"}}}}.dump(), "openrouter");
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.find("'usage'") != std::string::npos);
    }
};

ROUTELEDGER_TEST_SUITE(TestOpenRouterConnector)
#include "tst_openrouterconnector.moc"
