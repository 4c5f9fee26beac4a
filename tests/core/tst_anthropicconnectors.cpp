// Anthropic's usage and cost reports (gateway-apis.md §3) against the fixture server: the headers and
// query the Admin API expects, the documented examples' mapping (tokens, the default workspace, cents
// converted exactly), pagination with next_page, and revised buckets upserted on the re-read.
#include "fixtureclient.h"
#include "pricing/pricecatalog.h"
#include "sources/anthropiccostconnector.h"
#include "sources/anthropicusageconnector.h"
#include "sources/isotime.h"
#include "sources/sourcepoller.h"

#include <QTemporaryDir>
#include <QtTest>

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kHourS = 3600;
constexpr std::int64_t kDayS = 86'400;
constexpr std::int64_t kStartS = 1'795'824'000; // 2026-11-28 00:00 UTC

// The documented usage example's result (§3.1).
json usageResult(int uncached = 1500, const json &workspace = "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ")
{
    return {{"uncached_input_tokens", uncached},
            {"cache_creation", {{"ephemeral_1h_input_tokens", 1000}, {"ephemeral_5m_input_tokens", 500}}},
            {"cache_read_input_tokens", 200},
            {"output_tokens", 500},
            {"server_tool_use", {{"web_search_requests", 10}}},
            {"api_key_id", "apikey_01Rj2N8SVvo6BePZj99NhmiT"},
            {"workspace_id", workspace},
            {"model", "claude-sonnet-4-20250514"},
            {"service_tier", "standard"},
            {"context_window", "0-200k"}};
}

// The documented cost example's result (§3.2).
json costResult(const json &amount = "123.78912", const json &workspace = "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ")
{
    return {{"currency", "USD"},
            {"amount", amount},
            {"workspace_id", workspace},
            {"description", "Claude Sonnet 4 Usage - Input Tokens"},
            {"cost_type", "tokens"},
            {"context_window", "0-200k"},
            {"model", "claude-sonnet-4-20250514"},
            {"service_tier", "standard"},
            {"token_type", "uncached_input_tokens"}};
}

json bucket(std::int64_t startS, std::int64_t widthS, json results)
{
    return {{"starting_at", rl::IsoTime::rfc3339(startS * 1000)},
            {"ending_at", rl::IsoTime::rfc3339((startS + widthS) * 1000)},
            {"results", std::move(results)}};
}

json page(json buckets, bool more, const char *next)
{
    return {{"data", std::move(buckets)}, {"has_more", more}, {"next_page", next ? json(next) : json()}};
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
        json example = page({{{"starting_at", "2025-08-01T00:00:00Z"},
                              {"ending_at", "2025-08-02T00:00:00Z"},
                              {"results", {usageResult()}}}},
                            true, "page_MjAyNS0wNS0xNFQwMDowMDowMFo=");
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
        QCOMPARE(b.costMicro, m_pricing.cost(b.model, b.tokens, b.startMs).microUsd);
        QVERIFY(b.costMicro > 0);

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
        json example = page({{{"starting_at", "2025-08-01T00:00:00Z"},
                              {"ending_at", "2025-08-02T00:00:00Z"},
                              {"results", {costResult()}}}},
                            false, nullptr);
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
            sum += l.amountMicro;
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

QTEST_GUILESS_MAIN(TestAnthropicConnectors)
#include "tst_anthropicconnectors.moc"
