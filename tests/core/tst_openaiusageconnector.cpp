// The OpenAI Usage API connector against a local fixture server in OpenAI's documented page format
// (gateway-apis.md §2.1): hourly buckets by project/model/key, next_page cursors, re-reading recent
// buckets that OpenAI revises, and faults that leave the store as it was.
#include "net/httpclient.h"
#include "nodeserver.h"
#include "pricing/pricecatalog.h"
#include "sources/openaiusageconnector.h"
#include "sources/sourcepoller.h"
#include "store/usagestore.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kHourS = 3600;
constexpr std::int64_t kStartS = 1'795'896'000; // 2026-11-28 20:00 UTC

json result(const char *model, const char *project, int input, int cached, int output, int requests)
{
    return {{"object", "organization.usage.completions.result"},
            {"input_tokens", input},
            {"input_cached_tokens", cached},
            {"output_tokens", output},
            {"num_model_requests", requests},
            {"project_id", project},
            {"user_id", nullptr},
            {"api_key_id", "key_abc"},
            {"model", model},
            {"batch", nullptr},
            {"service_tier", nullptr}};
}

json bucket(std::int64_t start, json results)
{
    return {{"object", "bucket"}, {"start_time", start}, {"end_time", start + kHourS}, {"results", std::move(results)}};
}

json page(json buckets, bool more, const char *next)
{
    return {{"object", "page"},
            {"data", std::move(buckets)},
            {"has_more", more},
            {"next_page", next ? json(next) : json()}};
}

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

    void script(const json &scripts)
    {
        rl::HttpClient control;
        QVERIFY(control.sendOnce({"POST", m_server.url("/control/script").toStdString(), {}, scripts.dump()}));
    }
    json requests()
    {
        rl::HttpClient control;
        auto answer = control.sendOnce({"GET", m_server.url("/control/requests").toStdString(), {}, {}});
        return answer ? json::parse(answer->body) : json();
    }
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
    void init()
    {
        rl::HttpClient control;
        QVERIFY(control.sendOnce({"POST", m_server.url("/control/reset").toStdString(), {}, "{}"}));
    }

    void pagesThenRevisedBucketsAreUpserted()
    {
        const json first = page({bucket(kStartS, {result("gpt-4o-mini-2024-07-18", "proj_a", 1000, 400, 500, 5),
                                                  result("gpt-4o-2024-08-06", "proj_b", 200, 0, 50, 1)})},
                                true, "page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=");
        const json second = page(
            {bucket(kStartS + kHourS, {result("gpt-4o-mini-2024-07-18", "proj_a", 300, 0, 30, 2)})}, false, nullptr);
        const json revised = page(
            {bucket(kStartS + kHourS, {result("gpt-4o-mini-2024-07-18", "proj_a", 900, 0, 90, 6)})}, false, nullptr);
        script({{"/v1/organization/usage/completions", {{{"body", first}}, {{"body", second}}, {{"body", revised}}}}});
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
        json seen = requests();
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
        seen = requests();
        QCOMPARE(seen.size(), std::size_t(3));
        QCOMPARE(seen[2]["query"]["start_time"].get<std::string>(), std::to_string(kStartS + kHourS));
        QCOMPARE(scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(3));
        QCOMPARE(scalar(store.value(), "SELECT SUM(requests) FROM usage_buckets"), std::int64_t(5 + 1 + 6));
        QCOMPARE(scalar(store.value(), "SELECT SUM(output_tokens) FROM usage_buckets"), std::int64_t(500 + 50 + 90));
    }

    void theDocumentedExampleReadsAsExpected()
    {
        // The spec's x-oaiMeta example (ungrouped: model and project are null).
        json example = page({bucket(1730419200, {{{"object", "organization.usage.completions.result"},
                                                  {"input_tokens", 1000},
                                                  {"input_cached_tokens", 400},
                                                  {"input_cache_write_tokens", 100},
                                                  {"input_uncached_tokens", 500},
                                                  {"output_tokens", 500},
                                                  {"num_model_requests", 5},
                                                  {"project_id", nullptr},
                                                  {"model", nullptr}}})},
                            false, nullptr);
        bool more = true;
        std::string next;
        std::int64_t latest = 0;
        auto buckets = rl::OpenAiUsageConnector::readPage(example.dump(), m_pricing, "openai", more, next, latest);
        QVERIFY(buckets.ok());
        QVERIFY(!more);
        QCOMPARE(buckets->size(), std::size_t(1));
        const rl::UsageBucket &b = buckets->front();
        QCOMPARE(b.startMs, std::int64_t(1730419200000));
        QCOMPARE(b.endMs, std::int64_t(1730419200000 + kHourS * 1000));
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
        row("bucket without results",
            {{"body", page({{{"start_time", kStartS}, {"end_time", kStartS + kHourS}}}, false, nullptr)}},
            "source.malformed");
        row("HTML error page",
            {{"status", 200}, {"headers", {{"content-type", "text/html"}}}, {"body", "<html>oops</html>"}},
            "source.malformed");
    }
    void faultsLeaveTheStoreAsItWas()
    {
        QFETCH(QByteArray, response);
        QFETCH(QString, code);
        script({{"/v1/organization/usage/completions", {json::parse(response.toStdString())}}});
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

QTEST_GUILESS_MAIN(TestOpenAiUsageConnector)
#include "tst_openaiusageconnector.moc"
