// Anthropic's usage and cost reports (gateway-apis.md §3) against the fixture server: the headers and
// query the Admin API expects, the documented examples' mapping (tokens, the default workspace, cents
// converted exactly), pagination with next_page, and revised buckets upserted on the re-read.
#include "fixtureclient.h"
#include "pricing/pricecatalog.h"
#include "servicepages.h"
#include "sources/anthropiccostconnector.h"
#include "sources/anthropicusageconnector.h"
#include "sources/isotime.h"
#include "sources/sourcepoller.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QtTest>

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kHourS = 3600;
constexpr std::int64_t kDayS = 86'400;
constexpr std::int64_t kStartS = 1'795'824'000; // 2026-11-28 00:00 UTC

// Buckets and pages as the reference's examples have them (tests/support/servicepages.h).
constexpr auto &bucket = fixture::anthropicBucket;
constexpr auto &page = fixture::anthropicPage;

// The documented usage example's result (§3.1) with `uncached` input tokens, in `workspace`.
json usageResult(int uncached = 1500, const json &workspace = "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ")
{
    json result = fixture::anthropicUsageResult(uncached);
    result["workspace_id"] = workspace;
    return result;
}

// The documented cost example's result (§3.2) for `amount` cents, in `workspace`.
json costResult(const json &amount = "123.78912", const json &workspace = "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ")
{
    json result = fixture::anthropicCostResult(amount);
    result["workspace_id"] = workspace;
    return result;
}

} // namespace

class TestAnthropicConnectors : public QObject {
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

    void theDocumentedUsageExampleReads()
    {
        const json example = fixture::example("anthropic-usage-messages");
        bool more = false;
        std::string next;
        std::int64_t latest = 0;
        auto buckets =
            rl::AnthropicUsageConnector::readPage(example.dump(), m_pricing, "anthropic", more, next, latest);
        QVERIFY2(buckets.ok(), buckets.ok() ? "" : buckets.error().message.c_str());
        QVERIFY(more);
        QCOMPARE(next, std::string("page_MjAyNS0wNS0xNFQwMDowMDowMFo="));
        QCOMPARE(buckets->size(), std::size_t(1));
        const rl::UsageBucket &b = buckets->front();
        QCOMPARE(b.startMs, rl::IsoTime::parse("2025-08-01T00:00:00Z").value());
        QCOMPARE(b.endMs - b.startMs, std::int64_t(86'400'000));
        QCOMPARE(b.tokens.input, std::int64_t(1500));
        QCOMPARE(b.tokens.cachedInput, std::int64_t(200));
        QCOMPARE(b.tokens.cacheWrite, std::int64_t(1500)); // 5 min + 1 h
        QCOMPARE(b.tokens.output, std::int64_t(500));
        QCOMPARE(b.requests, std::int64_t(0)); // the report has no request count
        QCOMPARE(b.model, std::string("anthropic/claude-sonnet-4-20250514"));
        QCOMPARE(b.provider, std::string("anthropic"));
        QCOMPARE(b.project, std::string("wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"));
        QCOMPARE(b.apiKey, std::string("apikey_01Rj2N8SVvo6BePZj99NhmiT"));
        QVERIFY(!b.unpriced);
        // By hand from the catalog (claude-sonnet-4-20250514, standard tier, under 200k): 1,500 input at $3/M,
        // 200 cache reads at $0.30/M, 500 5-minute writes at $3.75/M, 1,000 1-hour writes at $6/M, 500 output
        // at $15/M, and 10 web searches at $0.01 = $0.119935.
        QCOMPARE(b.costMicro, std::int64_t(119'935));
        QCOMPARE(b.priceTerms, std::string());

        // Batch, over 200k tokens: the above-200k rates ($6/M in, $22.50/M out, $0.60/M reads, $7.50/M writes,
        // 1-hour writes at twice the input) at half (the catalog lists no batch rate): 1,500 × $3/M + 200 ×
        // $0.30/M + 500 × $3.75/M + 1,000 × $6/M + 500 × $11.25/M + 10 searches = $0.11806.
        json longBatch = usageResult();
        longBatch["service_tier"] = "batch";
        longBatch["context_window"] = "200k-1M";
        auto terms = rl::AnthropicUsageConnector::readPage(
            page({bucket(kStartS, kHourS, {usageResult(), longBatch})}, false, nullptr).dump(), m_pricing, "anthropic",
            more, next, latest);
        QVERIFY(terms.ok());
        QCOMPARE(terms->size(), std::size_t(2));
        QCOMPARE(terms->at(1).priceTerms, std::string("batch, 200k-1M"));
        QCOMPARE(terms->at(1).costMicro, std::int64_t(118'060));

        // The default workspace comes as null; Console usage has no key.
        json defaults = usageResult(10, nullptr);
        defaults["api_key_id"] = nullptr;
        auto more2 =
            rl::AnthropicUsageConnector::readPage(page({bucket(kStartS, kHourS, {defaults})}, false, nullptr).dump(),
                                                  m_pricing, "anthropic", more, next, latest);
        QVERIFY(more2.ok());
        QCOMPARE(more2->front().project, std::string(rl::AnthropicUsageConnector::kDefaultWorkspace));
        QCOMPARE(more2->front().apiKey, std::string());
    }

    void theDocumentedCostExampleIsExactInCents()
    {
        const json example = fixture::example("anthropic-cost-report");
        bool more = true;
        std::string next;
        std::int64_t latest = 0;
        auto lines = rl::AnthropicCostConnector::readPage(example.dump(), "anthropic", more, next, latest);
        QVERIFY2(lines.ok(), lines.ok() ? "" : lines.error().message.c_str());
        QVERIFY(!more);
        QCOMPARE(lines->size(), std::size_t(1));
        const rl::CostLine &line = lines->front();
        QCOMPARE(line.amountMicro, std::int64_t(1'237'891)); // "123.78912" cents = $1.2378912
        QCOMPARE(line.project, std::string("wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"));
        QCOMPARE(line.lineItem, std::string("Claude Sonnet 4 Usage - Input Tokens"));
        QCOMPARE(line.model, std::string("anthropic/claude-sonnet-4-20250514"));
        QCOMPARE(line.provider, std::string("anthropic"));

        // Many small lines add up exactly: 1,000 × 0.0001 cents = 0.1 cents = 1,000 micro-USD.
        json results = json::array();
        for (int i = 0; i < 1000; ++i) {
            json r = costResult("0.0001", "wrkspc_" + std::to_string(i));
            results.push_back(r);
        }
        auto many = rl::AnthropicCostConnector::readPage(page({bucket(kStartS, kDayS, results)}, false, nullptr).dump(),
                                                         "anthropic", more, next, latest);
        QVERIFY(many.ok());
        std::int64_t sum = 0;
        for (const auto &l : many.value())
            sum += l.amountMicro.value_or(0);
        QCOMPARE(sum, std::int64_t(1'000));
        // Not cents in a string: refused, naming the field.
        auto bad = rl::AnthropicCostConnector::readPage(
            page({bucket(kStartS, kDayS, {costResult("12,5")})}, false, nullptr).dump(), "anthropic", more, next,
            latest);
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, std::string("source.malformed"));
        QVERIFY(bad.error().message.find("'amount'") != std::string::npos);
    }

    void usagePagesHeadersAndRevisions()
    {
        const json first = page({bucket(kStartS, kHourS, {usageResult(100)})}, true, "page_2");
        const json second = page({bucket(kStartS + kHourS, kHourS, {usageResult(200, nullptr)})}, false, nullptr);
        const json revised = page({bucket(kStartS + kHourS, kHourS, {usageResult(900, nullptr)})}, false, nullptr);
        QVERIFY(fixture::script(m_server, {{"/v1/organizations/usage_report/messages",
                                            {{{"body", first}}, {{"body", second}}, {{"body", revised}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        QVERIFY(store.ok());
        rl::HttpClient http(fixture::quickHttp());
        rl::AnthropicUsageConnector::Options o;
        o.firstMs = (kStartS + 1234) * 1000;
        o.rereadWindow = 1h;
        o.nowMs = [] { return (kStartS + 3 * kHourS) * 1000; };
        rl::AnthropicUsageConnector connector(http, m_pricing, "anthropic-org", m_server.url().toStdString(),
                                              "sk-ant-admin01-test", o);
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(report.pages, std::size_t(2));
        json seen = fixture::requests(m_server);
        QCOMPARE(seen.size(), std::size_t(2));
        QCOMPARE(seen[0]["headers"]["x-api-key"].get<std::string>(), std::string("sk-ant-admin01-test"));
        QCOMPARE(seen[0]["headers"]["anthropic-version"].get<std::string>(), std::string("2023-06-01"));
        QVERIFY(!seen[0]["headers"].contains("authorization"));
        QCOMPARE(seen[0]["query"]["starting_at"].get<std::string>(), std::string("2026-11-28T00:00:00Z"));
        QCOMPARE(seen[0]["query"]["bucket_width"].get<std::string>(), std::string("1h"));
        QVERIFY(!seen[0]["query"].contains("page"));
        QCOMPARE(seen[1]["query"]["page"].get<std::string>(), std::string("page_2"));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(2));
        QCOMPARE(fixture::scalar(store.value(), "SELECT SUM(input_tokens) FROM usage_buckets"), std::int64_t(300));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets WHERE project = 'default'"),
                 std::int64_t(1));
        QCOMPARE(store->cursor("anthropic-org").value(),
                 std::optional<std::string>(std::to_string(kStartS + kHourS) + "|"));

        report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        seen = fixture::requests(m_server);
        QCOMPARE(seen.size(), std::size_t(3));
        QCOMPARE(seen[2]["query"]["starting_at"].get<std::string>(), std::string("2026-11-28T01:00:00Z"));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(2));
        QCOMPARE(fixture::scalar(store.value(), "SELECT SUM(input_tokens) FROM usage_buckets"), std::int64_t(1000));
    }

    void costPagesAndCursor()
    {
        const json first = page({bucket(kStartS, kDayS, {costResult("123.78912")})}, true, "page_2");
        const json second = page({bucket(kStartS + kDayS, kDayS, {costResult("0.5", nullptr)})}, false, nullptr);
        QVERIFY(
            fixture::script(m_server, {{"/v1/organizations/cost_report", {{{"body", first}}, {{"body", second}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        rl::HttpClient http(fixture::quickHttp());
        rl::AnthropicCostConnector::Options o;
        o.firstMs = kStartS * 1000;
        o.nowMs = [] { return (kStartS + 2 * kDayS) * 1000; };
        rl::AnthropicCostConnector connector(http, "anthropic-cost", m_server.url().toStdString(), "sk-ant-admin", o);
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        json seen = fixture::requests(m_server);
        QCOMPARE(seen.size(), std::size_t(2));
        QCOMPARE(seen[0]["query"]["bucket_width"].get<std::string>(), std::string("1d"));
        QCOMPARE(seen[0]["query"]["group_by[]"].get<std::string>(), std::string("description"));
        QCOMPARE(seen[0]["headers"]["anthropic-version"].get<std::string>(), std::string("2023-06-01"));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM cost_lines"), std::int64_t(2));
        QCOMPARE(fixture::scalar(store.value(), "SELECT SUM(amount_micro) FROM cost_lines"),
                 std::int64_t(1'237'891 + 5'000));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM cost_lines WHERE project = 'default'"),
                 std::int64_t(1));
        QCOMPARE(store->cursor("anthropic-cost").value(), std::optional<std::string>(std::to_string(kStartS) + "|"));
        auto bad = connector.fetch(std::string("2026-11-28"));
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, std::string("source.bad_cursor"));
    }
};

ROUTELEDGER_TEST_SUITE(TestAnthropicConnectors)
#include "tst_anthropicconnectors.moc"
