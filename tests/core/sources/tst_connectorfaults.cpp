// Every usage/cost connector against the same faults, served by tests/sources/fixture-server.js: the first
// page is good and ingested, the second is faulty; the poll must stop with the right error and leave the
// store (usage_events, usage_buckets, cost_lines and the source's cursor) exactly as after the first page;
// a clean poll then resumes and ends where an undisturbed crawl ends.
#include "fixtureclient.h"
#include "net/httpclient.h"
#include "nodeserver.h"
#include "pricing/pricecatalog.h"
#include "servicepages.h"
#include "sources/anthropiccostconnector.h"
#include "sources/anthropicusageconnector.h"
#include "sources/isotime.h"
#include "sources/litellmdailyactivityconnector.h"
#include "sources/litellmspendlogsconnector.h"
#include "sources/openaicostsconnector.h"
#include "sources/openaiusageconnector.h"
#include "sources/openrouteractivityconnector.h"
#include "sources/routerusageconnector.h"
#include "sources/sourcepoller.h"
#include "store/usagestore.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <memory>

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kHourS = 3600;
constexpr std::int64_t kDayS = 86'400;
constexpr std::int64_t kStartS = 1'795'824'000; // 2026-11-28 00:00 UTC
constexpr std::int64_t kStartMs = kStartS * 1000;

using Factory =
    std::function<std::unique_ptr<rl::UsageConnector>(rl::HttpClient &, const NodeServer &, const rl::Pricing &)>;

struct Family {
    const char *name;
    const char *path;
    json page1, page2;
    json renamed; // page 2 with a field renamed
    const char *renamedMention;
    json backwards; // null: the format has no cursor to go backwards
    const char *backwardsCode = "";
    json emptyMore; // null: the format has no "more" flag
    Factory make;
};

// The families' pages: the reference's examples (tests/support/servicepages.h) on the hours and days polled. The
// router's are fixture::routerPage as they are.

// --- LiteLLM spend logs (§1.3): rows of the 00:00 window, 3 in all, 2 a page.
json spendRow(const std::string &id)
{
    return fixture::spendLogRow(id, "2026-11-28T00:10:00Z");
}
json spendPage(json rows, int page, int totalPages)
{
    return fixture::spendLogsPage(std::move(rows), page, totalPages, 3);
}

// --- LiteLLM daily activity (§1.4): one day, one key, one model, spend logged without a team (entity
// "Unassigned", so the connector has no team of the day to read again filtered).
json activityPage(std::int64_t dayS, int page, int totalPages, bool more)
{
    const json metrics = fixture::spendMetrics(1.5, 1000, 200, 10);
    const json keys = {{"hash1", {{"metrics", metrics}, {"metadata", {{"key_alias", "k"}, {"team_id", nullptr}}}}}};
    const json day =
        fixture::dailyActivityDay(rl::IsoTime::date(dayS * 1000), metrics,
                                  {{"Unassigned", fixture::breakdownEntry(metrics, json::object(), keys)}}, keys);
    return fixture::dailyActivityPage({day}, metrics, page, totalPages, more);
}

// --- OpenAI usage (§2.1) and costs (§2.2); Anthropic's (§3) are fixture::anthropicPage as they are.
json usageBucket(std::int64_t start, int input)
{
    return fixture::openAiBucket(start, kHourS,
                                 {fixture::openAiUsageResult("gpt-4o-mini-2024-07-18", "proj_a", input, 0, 10, 2)});
}
json costBucket(std::int64_t start, double amount)
{
    return fixture::openAiBucket(start, kDayS,
                                 {fixture::openAiCostResult(amount, "gpt-4o-2024-08-06, input", "proj_a")});
}

// --- OpenRouter activity (§4.2)
json openRouterDay(std::int64_t dayS, double usage)
{
    json row = fixture::openRouterActivityRow(dayS * 1000);
    row["usage"] = usage;
    return {{"data", {row}}};
}

json renamedKey(json page, const char *from, const char *to)
{
    page[to] = page[from];
    page.erase(from);
    return page;
}

std::vector<Family> families()
{
    std::vector<Family> out;
    out.push_back({"router", "/admin/usage", fixture::routerPage(1, 2, true), fixture::routerPage(3, 2, false),
                   renamedKey(fixture::routerPage(3, 2, false), "events", "evnts"), "'events'",
                   fixture::routerPage(2, 0, false), "source.cursor_backwards", fixture::routerPage(3, 0, true),
                   [](rl::HttpClient &http, const NodeServer &server, const rl::Pricing &) {
                       return std::make_unique<rl::RouterUsageConnector>(http, "src", server.url().toStdString(),
                                                                         "token", 2);
                   }});
    out.push_back({"litellm spend logs", "/spend/logs/v2", spendPage({spendRow("r1"), spendRow("r2")}, 1, 2),
                   spendPage({spendRow("r3")}, 2, 2), renamedKey(spendPage({spendRow("r3")}, 2, 2), "data", "rows"),
                   "'data'", spendPage({spendRow("r9")}, 1, 2), "source.malformed", spendPage(json::array(), 2, 3),
                   [](rl::HttpClient &http, const NodeServer &server, const rl::Pricing &pricing) {
                       rl::LiteLlmSpendLogsConnector::Options o;
                       o.firstWindowMs = kStartMs;
                       o.pageSize = 2;
                       o.nowMs = [] { return kStartMs + 75 * 60'000; };
                       return std::make_unique<rl::LiteLlmSpendLogsConnector>(http, pricing, "src",
                                                                              server.url().toStdString(), "k", o);
                   }});
    out.push_back({"litellm daily activity", "/team/daily/activity", activityPage(kStartS, 1, 1, false),
                   activityPage(kStartS + kDayS, 1, 1, false),
                   renamedKey(activityPage(kStartS + kDayS, 1, 1, false), "results", "result"), "'results'", json(), "",
                   fixture::dailyActivityPage(json::array(), fixture::spendMetrics(0, 0, 0, 0), 1, 2, true),
                   [](rl::HttpClient &http, const NodeServer &server, const rl::Pricing &pricing) {
                       rl::LiteLlmDailyActivityConnector::Options o;
                       o.firstMs = kStartMs;
                       o.windowDays = 1;
                       o.nowMs = [] { return kStartMs + kDayS * 1000 + 3'600'000; };
                       return std::make_unique<rl::LiteLlmDailyActivityConnector>(http, pricing, "src",
                                                                                  server.url().toStdString(), "k", o);
                   }});
    out.push_back(
        {"openai usage", "/v1/organization/usage/completions",
         fixture::openAiPage({usageBucket(kStartS, 100)}, true, "p2"),
         fixture::openAiPage({usageBucket(kStartS + kHourS, 200)}, false, nullptr),
         renamedKey(fixture::openAiPage({usageBucket(kStartS + kHourS, 200)}, false, nullptr), "data", "buckets"),
         "'data'", json(), "", fixture::openAiPage(json::array(), true, "p3"),
         [](rl::HttpClient &http, const NodeServer &server, const rl::Pricing &pricing) {
             rl::OpenAiUsageConnector::Options o;
             o.firstMs = kStartMs;
             o.rereadWindow = 1h;
             o.nowMs = [] { return (kStartS + 3 * kHourS) * 1000; };
             return std::make_unique<rl::OpenAiUsageConnector>(http, pricing, "src", server.url("/v1").toStdString(),
                                                               "k", o);
         }});
    out.push_back(
        {"openai costs", "/v1/organization/costs", fixture::openAiPage({costBucket(kStartS, 0.06)}, true, "p2"),
         fixture::openAiPage({costBucket(kStartS + kDayS, 0.5)}, false, nullptr),
         renamedKey(fixture::openAiPage({costBucket(kStartS + kDayS, 0.5)}, false, nullptr), "has_more", "more"),
         "'has_more'", json(), "", fixture::openAiPage(json::array(), true, "p3"),
         [](rl::HttpClient &http, const NodeServer &server, const rl::Pricing &) {
             rl::OpenAiCostsConnector::Options o;
             o.firstMs = kStartMs;
             o.nowMs = [] { return (kStartS + 2 * kDayS) * 1000; };
             return std::make_unique<rl::OpenAiCostsConnector>(http, "src", server.url("/v1").toStdString(), "k", o);
         }});
    out.push_back(
        {"anthropic usage", "/v1/organizations/usage_report/messages",
         fixture::anthropicPage({fixture::anthropicBucket(kStartS, kHourS, {fixture::anthropicUsageResult(100)})}, true,
                                "page_2"),
         fixture::anthropicPage(
             {fixture::anthropicBucket(kStartS + kHourS, kHourS, {fixture::anthropicUsageResult(300)})}, false,
             nullptr),
         fixture::anthropicPage({fixture::anthropicBucket(
                                    kStartS + kHourS, kHourS,
                                    {renamedKey(fixture::anthropicUsageResult(300), "output_tokens", "outputTokens")})},
                                false, nullptr),
         "'output_tokens'", json(), "", fixture::anthropicPage(json::array(), true, "page_3"),
         [](rl::HttpClient &http, const NodeServer &server, const rl::Pricing &pricing) {
             rl::AnthropicUsageConnector::Options o;
             o.firstMs = kStartMs;
             o.rereadWindow = 1h;
             o.nowMs = [] { return (kStartS + 3 * kHourS) * 1000; };
             return std::make_unique<rl::AnthropicUsageConnector>(http, pricing, "src", server.url().toStdString(), "k",
                                                                  o);
         }});
    out.push_back(
        {"anthropic cost", "/v1/organizations/cost_report",
         fixture::anthropicPage({fixture::anthropicBucket(kStartS, kDayS, {fixture::anthropicCostResult("123.78912")})},
                                true, "page_2"),
         fixture::anthropicPage(
             {fixture::anthropicBucket(kStartS + kDayS, kDayS, {fixture::anthropicCostResult("50")})}, false, nullptr),
         fixture::anthropicPage(
             {fixture::anthropicBucket(kStartS + kDayS, kDayS,
                                       {renamedKey(fixture::anthropicCostResult("50"), "amount", "cost")})},
             false, nullptr),
         "'amount'", json(), "", fixture::anthropicPage(json::array(), true, "page_3"),
         [](rl::HttpClient &http, const NodeServer &server, const rl::Pricing &) {
             rl::AnthropicCostConnector::Options o;
             o.firstMs = kStartMs;
             o.nowMs = [] { return (kStartS + 2 * kDayS) * 1000; };
             return std::make_unique<rl::AnthropicCostConnector>(http, "src", server.url().toStdString(), "k", o);
         }});
    out.push_back({"openrouter activity", "/api/v1/activity", openRouterDay(kStartS, 0.015),
                   openRouterDay(kStartS + kDayS, 0.02),
                   renamedKey(openRouterDay(kStartS + kDayS, 0.02), "data", "rows"), "'data'", json(), "", json(),
                   [](rl::HttpClient &http, const NodeServer &server, const rl::Pricing &pricing) {
                       rl::OpenRouterActivityConnector::Options o;
                       o.firstMs = kStartMs;
                       o.nowMs = [] { return (kStartS + 2 * kDayS) * 1000 + 5000; };
                       return std::make_unique<rl::OpenRouterActivityConnector>(http, pricing, "src",
                                                                                server.url().toStdString(), "k", o);
                   }});
    return out;
}

struct Snapshot {
    std::int64_t events = 0, buckets = 0, costs = 0;
    std::optional<std::string> cursor;
    bool operator==(const Snapshot &) const = default;
};

Snapshot snapshot(rl::UsageStore &store)
{
    return {fixture::scalar(store, "SELECT COUNT(*) FROM usage_events"),
            fixture::scalar(store, "SELECT COUNT(*) FROM usage_buckets"),
            fixture::scalar(store, "SELECT COUNT(*) FROM cost_lines"), store.cursor("src").valueOr(std::nullopt)};
}

QByteArray describe(const Snapshot &s)
{
    return QByteArray::fromStdString("events " + std::to_string(s.events) + ", buckets " + std::to_string(s.buckets)
                                     + ", cost lines " + std::to_string(s.costs) + ", cursor "
                                     + s.cursor.value_or("(none)"));
}

} // namespace

class TestConnectorFaults : public QObject {
    Q_OBJECT

private:
    NodeServer m_server;
    rl::Pricing m_pricing{rl::PriceCatalog::builtIn()};
    std::vector<Family> m_families = families();

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_server.start(QString(ROUTELEDGER_TEST_DATA) + "/sources/fixture-server.js", &error),
                 qPrintable(error));
    }
    void init() { QVERIFY(fixture::reset(m_server)); }

    void secondPageFaultLeavesTheFirstPage_data()
    {
        QTest::addColumn<int>("family");
        QTest::addColumn<QByteArray>("fault"); // the response to the second page (JSON)
        QTest::addColumn<QString>("code");     // the error expected; empty: none
        QTest::addColumn<QString>("mention");  // a text the error message must contain
        QTest::addColumn<int>("attempts");     // requests for the second page; 0: not checked
        QTest::addColumn<int>("retryAfterMs"); // the wait that must have been honoured; 0: none
        QTest::addColumn<int>("timeoutMs");    // the client's transfer timeout
        for (int f = 0; f < static_cast<int>(m_families.size()); ++f) {
            const Family &family = m_families[static_cast<std::size_t>(f)];
            auto row = [&](const char *fault, const json &response, const char *code, const char *mention,
                           int attempts = 0, int retryAfterMs = 0, int timeoutMs = 5000) {
                QTest::addRow("%s: %s", family.name, fault)
                    << f << QByteArray::fromStdString(response.dump()) << QString(code) << QString(mention) << attempts
                    << retryAfterMs << timeoutMs;
            };
            const json error = {{"error", {{"message", "nope"}}}};
            row("401", {{"status", 401}, {"body", error}}, "auth.invalid", "HTTP 401", 1);
            row("403", {{"status", 403}, {"body", error}}, "auth.forbidden", "HTTP 403");
            row("404", {{"status", 404}, {"body", error}}, "http.not_found", "HTTP 404");
            row("429 with Retry-After", {{"status", 429}, {"headers", {{"retry-after", "7"}}}, {"body", error}},
                "http.rate_limited", "HTTP 429", 2, 7000);
            for (int status : {500, 502, 503})
                row(("HTTP " + std::to_string(status)).c_str(), {{"status", status}, {"body", error}},
                    "http.server_error", ("HTTP " + std::to_string(status)).c_str(), 2);
            row("timeout", {{"action", "hang"}}, "net.timeout", "did not answer in time", 2, 0, 150);
            row("reset mid-body", {{"action", "reset_mid_body"}, {"body", family.page2}}, "net.broken", "broke", 2);
            row("truncated", {{"action", "truncate"}, {"body", family.page2}}, "net.broken", "broke", 2);
            row("malformed JSON", {{"body", "{\"data\": [{\"oops\""}}, "source.malformed", "cannot be read", 1);
            row("renamed field",
                {{"body", family.renamed},
                 {"off_schema", std::string("a field renamed on purpose: ") + family.renamedMention}},
                "source.malformed", family.renamedMention, 1);
            row("page served twice", {{"body", family.page1}}, "source.malformed", "cannot be read", 1);
            if (!family.backwards.is_null())
                row("cursor backwards", {{"body", family.backwards}}, family.backwardsCode, "", 1);
            if (!family.emptyMore.is_null())
                row("empty page that says there is more", {{"body", family.emptyMore}}, "source.malformed", "more", 1);
            row("50 MB page", {{"big_bytes", 50'000'000}}, "net.too_large", "larger than", 1);
        }
    }
    void secondPageFaultLeavesTheFirstPage()
    {
        QFETCH(int, family);
        QFETCH(QByteArray, fault);
        QFETCH(QString, code);
        QFETCH(QString, mention);
        QFETCH(int, attempts);
        QFETCH(int, retryAfterMs);
        QFETCH(int, timeoutMs);
        const Family &f = m_families[static_cast<std::size_t>(family)];
        QTemporaryDir dir;

        // What an undisturbed crawl ends with.
        Snapshot clean;
        {
            QVERIFY(fixture::script(m_server, {{f.path, {{{"body", f.page1}}, {{"body", f.page2}}}}}));
            auto store = rl::UsageStore::open((dir.path() + "/clean.db").toStdString());
            QVERIFY(store.ok());
            rl::HttpClient http(fixture::quickHttp());
            auto connector = f.make(http, m_server, m_pricing);
            rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), *connector);
            QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
            QCOMPARE(report.pages, std::size_t(2));
            clean = snapshot(store.value());
            QVERIFY(fixture::reset(m_server));
        }

        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        QVERIFY(store.ok());
        rl::HttpClient::Options options = fixture::quickHttp(2, std::chrono::milliseconds(timeoutMs));
        options.maxBodyBytes = 1u << 20;
        std::vector<std::chrono::milliseconds> waits;
        options.sleep = [&waits](std::chrono::milliseconds wait) { waits.push_back(wait); };
        rl::HttpClient http(options);
        auto connector = f.make(http, m_server, m_pricing);
        QVERIFY(fixture::script(m_server, {{f.path, {{{"body", f.page1}}}}}));
        rl::PollReport first = rl::SourcePoller::pollOnce(store.value(), *connector, 1);
        QVERIFY2(!first.error, first.error ? first.error->message.c_str() : "");
        QCOMPARE(first.pages, std::size_t(1));
        const Snapshot afterFirst = snapshot(store.value());
        QVERIFY(afterFirst.cursor);
        QVERIFY(afterFirst.events + afterFirst.buckets + afterFirst.costs > 0);

        QVERIFY(fixture::reset(m_server));
        QVERIFY(fixture::script(m_server, {{f.path, {json::parse(fault.toStdString())}}}));
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), *connector);
        QVERIFY2(report.error, "the faulty page was accepted");
        QCOMPARE(QString::fromStdString(report.error->code), code);
        QVERIFY2(QString::fromStdString(report.error->message).contains(mention), report.error->message.c_str());
        QCOMPARE(report.pages, std::size_t(0));
        const Snapshot afterFault = snapshot(store.value());
        QVERIFY2(afterFault == afterFirst, describe(afterFault).constData());
        const json seen = fixture::requests(m_server);
        if (attempts > 0 && std::string(f.path) != "/spend/logs/v2")
            QCOMPARE(static_cast<int>(seen.size()), attempts);
        if (retryAfterMs > 0) {
            QCOMPARE(waits.size(), std::size_t(1));
            QCOMPARE(waits.front(), std::chrono::milliseconds(retryAfterMs));
        }

        // A clean poll resumes where the first page left off and ends like the undisturbed crawl.
        QVERIFY(fixture::reset(m_server));
        QVERIFY(fixture::script(m_server, {{f.path, {{{"body", f.page2}}}}}));
        rl::HttpClient fresh(fixture::quickHttp());
        auto resumed = f.make(fresh, m_server, m_pricing);
        report = rl::SourcePoller::pollOnce(store.value(), *resumed);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(report.pages, std::size_t(1));
        const Snapshot end = snapshot(store.value());
        QVERIFY2(end == clean, (describe(end) + " vs " + describe(clean)).constData());
    }
};

ROUTELEDGER_TEST_SUITE(TestConnectorFaults)
#include "tst_connectorfaults.moc"
