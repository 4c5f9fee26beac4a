// The LiteLLM spend-logs connector against a local fixture server answering in LiteLLM's documented
// format (gateway-apis.md §1.3): closed windows, page numbers, the /spend/logs/ui fallback, row mapping
// (cached tokens, reported spend), and faults that leave the store as it was.
#include "fixtureclient.h"
#include "net/httpclient.h"
#include "nodeserver.h"
#include "pricing/pricecatalog.h"
#include "servicepages.h"
#include "sources/litellmspendlogsconnector.h"
#include "sources/sourcepoller.h"
#include "store/usagestore.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kWindowA = 1'795'896'000'000; // 2026-11-28 20:00 UTC, a whole hour

// Rows are fixture::spendLogRow: the reference's §1.3 example as the id given, started at the time given, its first
// token 488 ms and its end 2,778 ms later.

// A page of a crawl of 5 rows, 2 a page.
json envelope(json rows, int page, int totalPages)
{
    return fixture::spendLogsPage(std::move(rows), page, totalPages, 5);
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
    void init() { QVERIFY(fixture::reset(m_server)); }

    void closedWindowsAreCrawledPageByPage()
    {
        QVERIFY(fixture::script(m_server,
                                {{"/spend/logs/v2",
                                  {{{"body", envelope({fixture::spendLogRow("r1", "2026-11-28T20:01:00.000000Z"),
                                                       fixture::spendLogRow("r2", "2026-11-28T20:02:00+00:00")},
                                                      1, 2)}},
                                   {{"body", envelope({fixture::spendLogRow("r3", "2026-11-28T20:40:00Z")}, 2, 2)}},
                                   {{"body", envelope({fixture::spendLogRow("r4", "2026-11-28T21:05:00Z"),
                                                       fixture::spendLogRow("r5", "2026-11-28T21:59:59Z")},
                                                      1, 1)}}}}}));
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
        json seen = fixture::requests(m_server);
        QCOMPARE(seen.size(), std::size_t(3));
        QCOMPARE(seen[0]["query"]["start_date"].get<std::string>(), std::string("2026-11-28 20:00:00"));
        // LiteLLM's bounds are inclusive seconds: a window ends at the next one's first second.
        QCOMPARE(seen[0]["query"]["end_date"].get<std::string>(), std::string("2026-11-28 21:00:00"));
        QCOMPARE(seen[0]["query"]["page"].get<std::string>(), std::string("1"));
        QCOMPARE(seen[1]["query"]["page"].get<std::string>(), std::string("2"));
        QCOMPARE(seen[2]["query"]["start_date"].get<std::string>(), std::string("2026-11-28 21:00:00"));
        QCOMPARE(seen[0]["headers"]["authorization"].get<std::string>(), std::string("Bearer sk-master"));

        // The open window is not read: a second poll asks nothing.
        report = rl::SourcePoller::pollOnce(store.value(), connector);
        QCOMPARE(report.inserted, std::size_t(0));
        QCOMPARE(fixture::requests(m_server).size(), std::size_t(3));
    }

    // LiteLLM itself answers (the emulator filters startTime >= start AND startTime <= end at second
    // granularity, as the proxy does): rows at .000, .500 and .999 of the last second of an hour, across two
    // windows and a restart of the connector, are each stored exactly once.
    void theLastSecondOfEveryHourIsReadExactlyOnce()
    {
        const std::vector<std::string> times = {
            "2026-11-28T20:00:00.000000Z", "2026-11-28T20:30:00.250000Z",      "2026-11-28T20:59:59.000000Z",
            "2026-11-28T20:59:59.500000Z", "2026-11-28T20:59:59.999000Z",      "2026-11-28T21:00:00.000000Z",
            "2026-11-28T21:00:00.500000Z", "2026-11-28T21:59:59.999000+00:00", "2026-11-28T22:00:00.000000Z",
            "2026-11-28T22:59:59.500000Z", "2026-11-28T22:59:59.999000Z",      "2026-11-28T23:00:00.400000Z"};
        json rows = json::array();
        for (std::size_t i = 0; i < times.size(); ++i)
            rows.push_back(fixture::spendLogRow("row-" + std::to_string(i), times[i]));
        QVERIFY(fixture::control(m_server, "/control/litellm", json{{"spend_logs", rows}}));
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/s.db").toStdString();
        {
            auto store = rl::UsageStore::open(path);
            QVERIFY(store.ok());
            rl::HttpClient http(quick());
            // 22:15: the 20:00 and 21:00 windows have closed.
            rl::LiteLlmSpendLogsConnector connector(http, m_pricing, "litellm-edge", m_server.url().toStdString(), "k",
                                                    options(kWindowA + 2 * kHour + 15 * 60'000));
            rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
            QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
            QCOMPARE(report.inserted, std::size_t(9)); // up to 22:00:00.000, the second both windows share
        }
        // A new connector on the reopened store (a restart) at 23:15 reads the 22:00 window.
        auto store = rl::UsageStore::open(path);
        QVERIFY(store.ok());
        rl::HttpClient http(quick());
        rl::LiteLlmSpendLogsConnector connector(http, m_pricing, "litellm-edge", m_server.url().toStdString(), "k",
                                                options(kWindowA + 3 * kHour + 15 * 60'000));
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(report.inserted, std::size_t(2));   // 22:59:59.500 and .999
        QCOMPARE(report.duplicates, std::size_t(1)); // 22:00:00.000, read by both windows
        for (std::size_t i = 0; i + 1 < times.size(); ++i)
            QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM usage_events WHERE request_id = 'row-"
                                                        + std::to_string(i) + "'"),
                     std::int64_t(1));
        // 23:00:00.400 belongs to the 23:00 window, which is still open.
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM usage_events"), std::int64_t(times.size() - 1));
    }

    void rowsBecomeEventsWithReportedAndCatalogCost()
    {
        int totalPages = 0;
        auto events = rl::LiteLlmSpendLogsConnector::readPage(
            envelope({fixture::spendLogRow("chatcmpl-1", "2026-11-28T20:10:12.123000Z")}, 1, 1).dump(), m_pricing,
            "litellm", totalPages);
        QVERIFY(events.ok());
        QCOMPARE(totalPages, 1);
        const rl::UsageEvent &e = events->front();
        QCOMPARE(e.requestId, std::string("chatcmpl-1"));
        QCOMPARE(e.timeMs, kWindowA + 10 * 60'000 + 12'123);
        QCOMPARE(e.latencyMs, std::int64_t(2'778));
        QCOMPARE(e.team, std::string("Search"));
        QCOMPARE(e.user, std::string("alice@example.com"));
        QCOMPARE(e.app, std::string("search-backend-prod"));
        QCOMPARE(e.tags, (std::vector<std::string>{"jobID:214590dsff09fds", "taskName:run_page_classification"}));
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
        QVERIFY(fixture::script(
            m_server,
            {{"/spend/logs/ui", {{{"body", envelope({fixture::spendLogRow("u1", "2026-11-28T20:30:00Z")}, 1, 1)}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        rl::HttpClient http(quick());
        rl::LiteLlmSpendLogsConnector connector(http, m_pricing, "litellm-old", m_server.url().toStdString(), "k",
                                                options(kWindowA + kHour + 15 * 60'000));
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(report.inserted, std::size_t(1));
        json seen = fixture::requests(m_server);
        QCOMPARE(seen[0]["path"].get<std::string>(), std::string("/spend/logs/v2"));
        QCOMPARE(seen[1]["path"].get<std::string>(), std::string("/spend/logs/ui"));
    }

    void faultsLeaveTheStoreAsItWas_data()
    {
        QTest::addColumn<QByteArray>("response");
        QTest::addColumn<QString>("code");
        // (Built as JSON values: moc misreads raw string literals with quotes and braces.)
        auto fault = [](const char *name, const json &response, const char *code) {
            QTest::newRow(name) << QByteArray::fromStdString(response.dump()) << QString(code);
        };
        fault("401", {{"status", 401}, {"body", {{"error", {{"message", "Authentication Error"}}}}}}, "auth.invalid");
        // A proxy without a database answers 401 too; that is not a key problem.
        fault("401 without a database",
              {{"status", 401},
               {"body",
                {{"error",
                  {{"message", "Authentication Error, Prisma Client is not initialized"},
                   {"type", "auth_error"},
                   {"code", "401"}}}}}},
              "source.no_database");
        fault("403", {{"status", 403}}, "auth.forbidden");
        fault("truncated JSON", {{"body", "{\"data\": [{\"request_id\": \"x\""}}, "source.malformed");
        json renamed = envelope({fixture::spendLogRow("g2", "2026-11-28T20:30:00Z")}, 2, 2);
        renamed["rows"] = renamed["data"];
        renamed.erase("data");
        fault("data renamed", {{"body", renamed}, {"off_schema", "'data' renamed to 'rows' on purpose"}},
              "source.malformed");
        json unnamed = envelope({fixture::spendLogRow("g2", "2026-11-28T20:30:00Z")}, 2, 2);
        unnamed["data"][0].erase("request_id");
        fault("row without request_id",
              {{"body", unnamed}, {"off_schema", "a row without its primary key, on purpose"}}, "source.malformed");
        fault("reset mid body",
              {{"action", "reset_mid_body"},
               {"body", envelope({fixture::spendLogRow("g2", "2026-11-28T20:30:00Z")}, 2, 2)}},
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
        QVERIFY(fixture::script(m_server,
                                {{"/spend/logs/v2",
                                  {{{"body", envelope({fixture::spendLogRow("g1", "2026-11-28T20:01:00Z")}, 1, 2)}},
                                   json::parse(response.toStdString())}}}));
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
        // Postgres' own timestamptz text, which newer LiteLLM builds pass through.
        QCOMPARE(C::parseTime("2025-11-20 14:03:12.123+00"), std::optional<std::int64_t>(1763647392123));
        QCOMPARE(C::parseTime("2025-11-20T16:03:12+0200"), std::optional<std::int64_t>(1763647392000));
        QVERIFY(!C::parseTime("2025-11-20T14:03:12+0"));
        QVERIFY(!C::parseTime("2025-11-20T14:03:12+24"));
        QVERIFY(!C::parseTime("yesterday"));
        QVERIFY(!C::parseTime(""));
    }
};

ROUTELEDGER_TEST_SUITE(TestLiteLlmConnector)
#include "tst_litellmconnector.moc"
