// The LiteLLM spend-logs connector against a local fixture server answering in LiteLLM's documented
// format (gateway-apis.md §1.3): closed windows, page numbers, the /spend/logs/ui fallback, row mapping
// (cached tokens, reported spend), and faults that leave the store as it was.
#include "net/httpclient.h"
#include "nodeserver.h"
#include "pricing/pricecatalog.h"
#include "sources/litellmspendlogsconnector.h"
#include "sources/sourcepoller.h"
#include "store/usagestore.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kWindowA = 1'795'896'000'000; // 2026-11-28 20:00 UTC, a whole hour

json row(const std::string &id, const std::string &start, int prompt = 1200, int cached = 1024)
{
    return {{"request_id", id},
            {"call_type", "acompletion"},
            {"api_key", "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b"},
            {"spend", 0.00123},
            {"total_tokens", prompt + 330},
            {"prompt_tokens", prompt},
            {"completion_tokens", 330},
            {"startTime", start},
            {"endTime", "2026-11-28T20:10:14.901000Z"},
            {"model", "gpt-4o-2024-08-06"},
            {"model_group", "tier-premium"},
            {"custom_llm_provider", "openai"},
            {"user", "alice@example.com"},
            {"metadata",
             {{"user_api_key_alias", "search-backend-prod"},
              {"user_api_key_team_id", "team-search"},
              {"user_api_key_team_alias", "Search"},
              {"usage_object", {{"prompt_tokens", prompt}, {"prompt_tokens_details", {{"cached_tokens", cached}}}}}}},
            {"request_tags", {"jobID:214590dsff09fds"}},
            {"team_id", "team-search"},
            {"status", "success"}};
}

json envelope(json rows, int page, int totalPages)
{
    return {{"data", std::move(rows)}, {"total", 5}, {"page", page}, {"page_size", 2}, {"total_pages", totalPages}};
}

std::int64_t eventCount(rl::UsageStore &store)
{
    auto count = store.database().prepare("SELECT COUNT(*) FROM usage_events");
    return count && count->step().valueOr(false) ? count->int64(0) : -1;
}

} // namespace

class TestLiteLlmConnector : public QObject {
    Q_OBJECT

private:
    NodeServer m_server;
    rl::Pricing m_pricing{rl::PriceCatalog::builtIn()};

    rl::HttpClient::Options quick()
    {
        rl::HttpClient::Options options;
        options.sleep = [](std::chrono::milliseconds) {};
        options.transferTimeout = 3000ms;
        return options;
    }
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
    rl::LiteLlmSpendLogsConnector::Options options(std::int64_t now)
    {
        rl::LiteLlmSpendLogsConnector::Options o;
        o.firstWindowMs = kWindowA;
        o.pageSize = 2;
        o.nowMs = [now] { return now; };
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

    void closedWindowsAreCrawledPageByPage()
    {
        script(
            {{"/spend/logs/v2",
              {{{"body",
                 envelope({row("r1", "2026-11-28T20:01:00.000000Z"), row("r2", "2026-11-28T20:02:00+00:00")}, 1, 2)}},
               {{"body", envelope({row("r3", "2026-11-28T20:40:00Z")}, 2, 2)}},
               {{"body", envelope({row("r4", "2026-11-28T21:05:00Z"), row("r5", "2026-11-28T21:59:59Z")}, 1, 1)}}}}});
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        QVERIFY(store.ok());
        rl::HttpClient http(quick());
        // Now is 22:15: windows 20:00 and 21:00 have closed (10 min lag); 22:00 has not.
        rl::LiteLlmSpendLogsConnector connector(http, m_pricing, "litellm-prod", m_server.url().toStdString(),
                                                "sk-master", options(kWindowA + 2 * kHour + 15 * 60'000));
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QVERIFY(report.caughtUp);
        QCOMPARE(report.inserted, std::size_t(5));
        QCOMPARE(store->cursor("litellm-prod").value(),
                 std::optional<std::string>(std::to_string(kWindowA + 2 * kHour) + "/1"));
        json seen = requests();
        QCOMPARE(seen.size(), std::size_t(3));
        QCOMPARE(seen[0]["query"]["start_date"].get<std::string>(), std::string("2026-11-28 20:00:00"));
        QCOMPARE(seen[0]["query"]["end_date"].get<std::string>(), std::string("2026-11-28 20:59:59"));
        QCOMPARE(seen[0]["query"]["page"].get<std::string>(), std::string("1"));
        QCOMPARE(seen[1]["query"]["page"].get<std::string>(), std::string("2"));
        QCOMPARE(seen[2]["query"]["start_date"].get<std::string>(), std::string("2026-11-28 21:00:00"));
        QCOMPARE(seen[0]["headers"]["authorization"].get<std::string>(), std::string("Bearer sk-master"));

        // The open window is not read: a second poll asks nothing.
        report = rl::SourcePoller::pollOnce(store.value(), connector);
        QCOMPARE(report.inserted, std::size_t(0));
        QCOMPARE(requests().size(), std::size_t(3));
    }

    void rowsBecomeEventsWithReportedAndCatalogCost()
    {
        int totalPages = 0;
        auto events = rl::LiteLlmSpendLogsConnector::readPage(
            envelope({row("chatcmpl-1", "2026-11-28T20:10:12.123000Z")}, 1, 1).dump(), m_pricing, "litellm",
            totalPages);
        QVERIFY(events.ok());
        QCOMPARE(totalPages, 1);
        const rl::UsageEvent &e = events->front();
        QCOMPARE(e.requestId, std::string("chatcmpl-1"));
        QCOMPARE(e.timeMs, kWindowA + 10 * 60'000 + 12'123);
        QCOMPARE(e.latencyMs, std::int64_t(2'778));
        QCOMPARE(e.team, std::string("Search"));
        QCOMPARE(e.user, std::string("alice@example.com"));
        QCOMPARE(e.app, std::string("search-backend-prod"));
        QCOMPARE(e.tags, std::vector<std::string>{"jobID:214590dsff09fds"});
        QCOMPARE(e.requestedModel, std::string("tier-premium"));
        QCOMPARE(e.model, std::string("openai/gpt-4o-2024-08-06"));
        QCOMPARE(e.tokens.input, std::int64_t(176)); // 1,200 prompt − 1,024 cached
        QCOMPARE(e.tokens.cachedInput, std::int64_t(1024));
        QCOMPARE(e.tokens.output, std::int64_t(330));
        QCOMPARE(e.reportedCostMicro, std::optional<std::int64_t>(1230));
        QVERIFY(!e.unpriced);
        // The catalog's price for the same tokens, cached reads at the cached rate.
        const auto prices = m_pricing.pricesAt("openai/gpt-4o-2024-08-06", e.timeMs);
        QVERIFY(prices.has_value());
        QCOMPARE(e.costMicro, rl::picoToMicro(prices->picoCost(e.tokens)));
        QCOMPARE(e.status, rl::UsageStatus::Ok);
    }

    void olderProxiesFallBackToTheUiEndpoint()
    {
        script({{"/spend/logs/ui", {{{"body", envelope({row("u1", "2026-11-28T20:30:00Z")}, 1, 1)}}}}});
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        rl::HttpClient http(quick());
        rl::LiteLlmSpendLogsConnector connector(http, m_pricing, "litellm-old", m_server.url().toStdString(), "k",
                                                options(kWindowA + kHour + 15 * 60'000));
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(report.inserted, std::size_t(1));
        json seen = requests();
        QCOMPARE(seen[0]["path"].get<std::string>(), std::string("/spend/logs/v2"));
        QCOMPARE(seen[1]["path"].get<std::string>(), std::string("/spend/logs/ui"));
    }

    void faultsLeaveTheStoreAsItWas_data()
    {
        QTest::addColumn<QByteArray>("response");
        QTest::addColumn<QString>("code");
        // (Built as JSON values: moc misreads raw string literals with quotes and braces.)
        auto row = [](const char *name, const json &response, const char *code) {
            QTest::newRow(name) << QByteArray::fromStdString(response.dump()) << QString(code);
        };
        row("401", {{"status", 401}, {"body", {{"error", {{"message", "Authentication Error"}}}}}}, "auth.invalid");
        row("403", {{"status", 403}}, "auth.forbidden");
        row("truncated JSON", {{"body", "{\"data\": [{\"request_id\": \"x\""}}, "source.malformed");
        row("data renamed", {{"body", {{"rows", json::array()}, {"total_pages", 1}}}}, "source.malformed");
        row("row without request_id",
            {{"body",
              {{"data", {{{"startTime", "2026-11-28T20:01:00Z"}, {"prompt_tokens", 1}, {"completion_tokens", 1}}}},
               {"total_pages", 1}}}},
            "source.malformed");
        row("reset mid body", {{"action", "reset_mid_body"}, {"body", {{"data", json::array()}, {"total_pages", 1}}}},
            "net.broken");
    }
    void faultsLeaveTheStoreAsItWas()
    {
        QFETCH(QByteArray, response);
        QFETCH(QString, code);
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        rl::HttpClient::Options httpOptions = quick();
        httpOptions.maxAttempts = 2;
        rl::HttpClient http(httpOptions);
        // First a good page, then the fault on page 2.
        script(
            {{"/spend/logs/v2",
              {{{"body", envelope({row("g1", "2026-11-28T20:01:00Z")}, 1, 2)}}, json::parse(response.toStdString())}}});
        rl::LiteLlmSpendLogsConnector connector(http, m_pricing, "litellm-f", m_server.url().toStdString(), "k",
                                                options(kWindowA + kHour + 15 * 60'000));
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY(report.error);
        QCOMPARE(QString::fromStdString(report.error->code), code);
        QCOMPARE(eventCount(store.value()), std::int64_t(1));
        QCOMPARE(store->cursor("litellm-f").value(), std::optional<std::string>(std::to_string(kWindowA) + "/2"));
    }

    void timesInEveryDocumentedForm()
    {
        using C = rl::LiteLlmSpendLogsConnector;
        QCOMPARE(C::parseTime("2025-11-20T14:03:12.123000Z"), std::optional<std::int64_t>(1763647392123));
        QCOMPARE(C::parseTime("2025-11-20T14:03:12.123000+00:00"), std::optional<std::int64_t>(1763647392123));
        QCOMPARE(C::parseTime("2025-11-20T14:03:12Z"), std::optional<std::int64_t>(1763647392000));
        QCOMPARE(C::parseTime("2025-11-20T16:03:12+02:00"), std::optional<std::int64_t>(1763647392000));
        QCOMPARE(C::parseTime("2025-11-20 14:03:12"), std::optional<std::int64_t>(1763647392000));
        QVERIFY(!C::parseTime("yesterday"));
        QVERIFY(!C::parseTime(""));
    }
};

QTEST_GUILESS_MAIN(TestLiteLlmConnector)
#include "tst_litellmconnector.moc"
