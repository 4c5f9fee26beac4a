// The OpenAI Usage API connector against a local fixture server in OpenAI's documented page format
// (gateway-apis.md §2.1): hourly buckets by project/model/key, next_page cursors, re-reading recent
// buckets that OpenAI revises, and faults that leave the store as it was.
#include "fixtureclient.h"
#include "net/httpclient.h"
#include "nodeserver.h"
#include "pricing/pricecatalog.h"
#include "servicepages.h"
#include "sources/openaiusageconnector.h"
#include "sources/sourcepoller.h"
#include "store/usagestore.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kHourS = 3600;
constexpr std::int64_t kStartS = 1'795'896'000; // 2026-11-28 20:00 UTC

// Results, buckets and pages as the reference's examples have them (tests/support/servicepages.h): a result of
// the key key_abc, a bucket an hour.
json result(const char *model, const char *project, int input, int cached, int output, int requests)
{
    json r = fixture::openAiUsageResult(model, project, input, cached, output, requests);
    r["api_key_id"] = "key_abc";
    return r;
}

json bucket(std::int64_t start, json results)
{
    return fixture::openAiBucket(start, kHourS, std::move(results));
}

constexpr auto &page = fixture::openAiPage;

std::int64_t scalar(rl::UsageStore &store, const char *sql)
{
    auto query = store.database().prepare(sql);
    return query && query->step().valueOr(false) ? query->int64(0) : -1;
}

} // namespace

class TestOpenAiUsageConnector : public QObject {
    Q_OBJECT

private:
    NodeServer m_server;
    rl::Pricing m_pricing{rl::PriceCatalog::builtIn()};

    rl::OpenAiUsageConnector::Options options()
    {
        rl::OpenAiUsageConnector::Options o;
        o.firstMs = (kStartS + 1234) * 1000; // not on the hour: the connector asks for whole buckets
        o.rereadWindow = std::chrono::hours(1);
        o.nowMs = [] { return (kStartS + 3 * kHourS) * 1000; };
        return o;
    }
    rl::HttpClient::Options quick()
    {
        rl::HttpClient::Options o;
        o.sleep = [](std::chrono::milliseconds) {};
        return o;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_server.start(QString(ROUTELEDGER_TEST_DATA) + "/sources/fixture-server.js", &error),
                 qPrintable(error));
    }
    void init() { QVERIFY(fixture::reset(m_server)); }

    void pagesThenRevisedBucketsAreUpserted()
    {
        const json first = page({bucket(kStartS, {result("gpt-4o-mini-2024-07-18", "proj_a", 1000, 400, 500, 5),
                                                  result("gpt-4o-2024-08-06", "proj_b", 200, 0, 50, 1)})},
                                true, "page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=");
        const json second = page(
            {bucket(kStartS + kHourS, {result("gpt-4o-mini-2024-07-18", "proj_a", 300, 0, 30, 2)})}, false, nullptr);
        const json revised = page(
            {bucket(kStartS + kHourS, {result("gpt-4o-mini-2024-07-18", "proj_a", 900, 0, 90, 6)})}, false, nullptr);
        QVERIFY(fixture::script(m_server, {{"/v1/organization/usage/completions",
                                            {{{"body", first}}, {{"body", second}}, {{"body", revised}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        QVERIFY(store.ok());
        rl::HttpClient http(quick());
        rl::OpenAiUsageConnector connector(http, m_pricing, "openai-org", m_server.url("/v1").toStdString(),
                                           "sk-admin-test", options());
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(report.pages, std::size_t(2));
        QCOMPARE(report.buckets, std::size_t(3));
        json seen = fixture::requests(m_server);
        QCOMPARE(seen.size(), std::size_t(2));
        QCOMPARE(seen[0]["query"]["start_time"].get<std::string>(), std::to_string(kStartS));
        QCOMPARE(seen[0]["query"]["bucket_width"].get<std::string>(), std::string("1h"));
        QVERIFY(!seen[0]["query"].contains("page"));
        QCOMPARE(seen[1]["query"]["page"].get<std::string>(), std::string("page_AAAAAGdGxdEiJdKOAAAAAGcqsYA="));
        QCOMPARE(seen[0]["headers"]["authorization"].get<std::string>(), std::string("Bearer sk-admin-test"));
        QCOMPARE(scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(3));
        // Cached tokens moved out of input: 1,000 − 400 = 600 uncached, 400 cached.
        QCOMPARE(scalar(store.value(), "SELECT SUM(input_tokens) FROM usage_buckets"), std::int64_t(600 + 200 + 300));
        QCOMPARE(scalar(store.value(), "SELECT SUM(cached_input_tokens) FROM usage_buckets"), std::int64_t(400));
        QCOMPARE(scalar(store.value(), "SELECT SUM(requests) FROM usage_buckets"), std::int64_t(8));

        // The next poll re-reads the last hour: the revised bucket replaces the old one, nothing is added.
        report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY(!report.error);
        seen = fixture::requests(m_server);
        QCOMPARE(seen.size(), std::size_t(3));
        QCOMPARE(seen[2]["query"]["start_time"].get<std::string>(), std::to_string(kStartS + kHourS));
        QCOMPARE(scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(3));
        QCOMPARE(scalar(store.value(), "SELECT SUM(requests) FROM usage_buckets"), std::int64_t(5 + 1 + 6));
        QCOMPARE(scalar(store.value(), "SELECT SUM(output_tokens) FROM usage_buckets"), std::int64_t(500 + 50 + 90));
    }

    // Grouped by batch and service tier, rows sold on different terms stay apart and are priced at their own
    // rates, against costs computed by hand from the catalog (model_prices_and_context_window.json).
    void batchAndTierRowsArePricedAtTheirOwnRates()
    {
        json standard = result("gpt-4o-mini", "proj_a", 1000, 0, 500, 3);
        json batch = standard;
        batch["batch"] = true;
        json flex = result("o3", "proj_a", 2000, 1000, 1000, 1);
        flex["service_tier"] = "flex";
        json priority = result("gpt-4o", "proj_a", 1000, 0, 100, 1);
        priority["service_tier"] = "priority";
        json scale = result("gpt-4o", "proj_a", 1000, 0, 100, 1);
        scale["service_tier"] = "scale"; // sold at standard prices
        QVERIFY(fixture::script(
            m_server,
            {{"/v1/organization/usage/completions",
              {{{"body", page({bucket(kStartS, {standard, batch, flex, priority, scale})}, false, nullptr)}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        rl::HttpClient http(quick());
        rl::OpenAiUsageConnector connector(http, m_pricing, "openai-org", m_server.url("/v1").toStdString(), "k",
                                           options());
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        const std::string url = fixture::requests(m_server)[0]["url"].get<std::string>();
        QVERIFY2(url.find("group_by[]=batch") != std::string::npos, url.c_str());
        QVERIFY2(url.find("group_by[]=service_tier") != std::string::npos, url.c_str());
        QCOMPARE(scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(5));
        auto cost = [&](const char *model, const char *terms) {
            auto q = store->database().prepare("SELECT cost_micro FROM usage_buckets b JOIN models m ON m.id = "
                                               "b.model_id WHERE m.name = ?1 AND b.dimensions LIKE ?2");
            q->bind(1, std::string(model)).bind(2, std::string(terms));
            return q->step().valueOr(false) ? q->int64(0) : -1;
        };
        // gpt-4o-mini: 1,000 input at $0.15/M + 500 output at $0.60/M = $0.00045; batch: $0.075/M and $0.30/M.
        QCOMPARE(cost("openai/gpt-4o-mini", "%key_abc"), std::int64_t(450));
        QCOMPARE(cost("openai/gpt-4o-mini", "%batch"), std::int64_t(225));
        // o3 flex: 1,000 uncached at $1/M + 1,000 cached at $0.25/M + 1,000 output at $4/M.
        QCOMPARE(cost("openai/o3", "%flex"), std::int64_t(5250));
        // gpt-4o priority: 1,000 input at $4.25/M + 100 output at $17/M; "scale" at standard $2.50/M, $10/M.
        QCOMPARE(cost("openai/gpt-4o", "%priority"), std::int64_t(5950));
        QCOMPARE(cost("openai/gpt-4o", "%key_abc"), std::int64_t(3500));
    }

    void theDocumentedExampleReadsAsExpected()
    {
        // The spec's x-oaiMeta example (ungrouped: model and project are null; a day's bucket, more to come).
        const json example = fixture::example("openai-usage-completions");
        bool more = false;
        std::string next;
        std::int64_t latest = 0;
        auto buckets = rl::OpenAiUsageConnector::readPage(example.dump(), m_pricing, "openai", more, next, latest);
        QVERIFY(buckets.ok());
        QVERIFY(more);
        QCOMPARE(next, std::string("page_AAAAAGdGxdEiJdKOAAAAAGcqsYA="));
        QCOMPARE(buckets->size(), std::size_t(1));
        const rl::UsageBucket &b = buckets->front();
        QCOMPARE(b.startMs, std::int64_t(1730419200000));
        QCOMPARE(b.endMs, std::int64_t(1730505600000));
        QCOMPARE(b.tokens.input, std::int64_t(500));
        QCOMPARE(b.tokens.cachedInput, std::int64_t(400));
        QCOMPARE(b.tokens.cacheWrite, std::int64_t(100));
        QCOMPARE(b.tokens.output, std::int64_t(500));
        QCOMPARE(b.requests, std::int64_t(5));
        QVERIFY(b.unpriced); // no model: no price, counted, never $0 silently
        QCOMPARE(latest, b.endMs);
    }

    void faultsLeaveTheStoreAsItWas_data()
    {
        QTest::addColumn<QByteArray>("response");
        QTest::addColumn<QString>("code");
        auto row = [](const char *name, const json &response, const char *code) {
            QTest::newRow(name) << QByteArray::fromStdString(response.dump()) << QString(code);
        };
        row("401 (not an admin key)", {{"status", 401}, {"body", {{"error", {{"message", "Invalid key"}}}}}},
            "auth.invalid");
        row("has_more without next_page", {{"body", page(json::array(), true, nullptr)}}, "source.malformed");
        json withoutResults = bucket(kStartS, json::array());
        withoutResults.erase("results");
        row("bucket without results",
            {{"body", page({withoutResults}, false, nullptr)},
             {"off_schema", "a bucket without its results, on purpose"}},
            "source.malformed");
        row("HTML error page",
            {{"status", 200}, {"headers", {{"content-type", "text/html"}}}, {"body", "<html>oops</html>"}},
            "source.malformed");
    }
    void faultsLeaveTheStoreAsItWas()
    {
        QFETCH(QByteArray, response);
        QFETCH(QString, code);
        QVERIFY(
            fixture::script(m_server, {{"/v1/organization/usage/completions", {json::parse(response.toStdString())}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        rl::HttpClient http(quick());
        rl::OpenAiUsageConnector connector(http, m_pricing, "openai-f", m_server.url("/v1").toStdString(), "k",
                                           options());
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY(report.error);
        QCOMPARE(QString::fromStdString(report.error->code), code);
        QCOMPARE(scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(0));
        QCOMPARE(store->cursor("openai-f").value(), std::optional<std::string>());
    }
};

ROUTELEDGER_TEST_SUITE(TestOpenAiUsageConnector)
#include "tst_openaiusageconnector.moc"
