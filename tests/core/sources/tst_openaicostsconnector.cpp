// The OpenAI Costs API connector (gateway-apis.md §2.2) against the fixture server: request parameters,
// amounts as numbers or strings converted exactly, models read from line items, pagination, and the
// re-read of recent days that OpenAI revises (upserted, never added). Also the shared money reader.
#include "fixtureclient.h"
#include "servicepages.h"
#include "sources/jsonfields.h"
#include "sources/openaicostsconnector.h"
#include "sources/sourcepoller.h"
#include "store/reconciliation.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QtTest>

using nlohmann::json;

namespace {

constexpr std::int64_t kDayS = 86'400;
constexpr std::int64_t kStartS = 1'795'824'000; // 2026-11-28 00:00 UTC

// Results, buckets and pages as the reference's examples have them (tests/support/servicepages.h); a bucket
// is a day.
constexpr auto &result = fixture::openAiCostResult;
constexpr auto &page = fixture::openAiPage;

json bucket(std::int64_t start, json results)
{
    return fixture::openAiBucket(start, kDayS, std::move(results));
}

} // namespace

class TestOpenAiCostsConnector : public QObject {
    Q_OBJECT

private:
    NodeServer m_server;

    rl::OpenAiCostsConnector::Options options()
    {
        rl::OpenAiCostsConnector::Options o;
        o.firstMs = (kStartS + 5000) * 1000; // not at midnight: the connector asks for whole days
        o.nowMs = [] { return (kStartS + 2 * kDayS + 3600) * 1000; };
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

    void moneyIsExact_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<bool>("cents");
        QTest::addColumn<qint64>("micro");
        QTest::addColumn<bool>("readable");
        auto row = [](const char *name, const json &v, bool cents, qint64 micro, bool ok = true) {
            QTest::newRow(name) << QByteArray::fromStdString(v.dump()) << cents << micro << ok;
        };
        row("cents string (the doc's example)", "123.78912", true, 1'237'891);
        row("cents string rounds half up", "0.00005", true, 1);
        row("cents string below half", "0.000049999", true, 0);
        row("negative cents rounds away from zero", "-0.00005", true, -1);
        row("whole cents", "50", true, 500'000);
        row("dollars string", "0.0123", false, 12'300);
        row("dollars string, many digits", "12345678.1234565", false, 12'345'678'123'457);
        row("dollars with exponent", "1.5e-3", false, 1'500);
        row("dollars float", 0.06, false, 60'000);
        row("dollars integer", 3, false, 3'000'000);
        row("cents float", 123.78912, true, 1'237'891);
        row("not a number", "12a", false, 0, false);
        row("empty", "", false, 0, false);
        row("too large", "1e30", false, 0, false);
        row("null", nullptr, false, 0, false);
    }
    void moneyIsExact()
    {
        QFETCH(QByteArray, value);
        QFETCH(bool, cents);
        QFETCH(qint64, micro);
        QFETCH(bool, readable);
        auto got =
            rl::JsonFields::microUsd(json::parse(value.toStdString()),
                                     cents ? rl::JsonFields::MoneyUnit::Cents : rl::JsonFields::MoneyUnit::Dollars);
        QCOMPARE(got.has_value(), readable);
        if (readable)
            QCOMPARE(static_cast<qint64>(*got), micro);
    }

    void theDocumentedExampleReads()
    {
        bool more = true;
        std::string next;
        std::int64_t latest = 0;
        auto lines =
            rl::OpenAiCostsConnector::readPage(fixture::example("openai-costs").dump(), "openai", more, next, latest);
        QVERIFY2(lines.ok(), lines.ok() ? "" : lines.error().message.c_str());
        QVERIFY(!more);
        QCOMPARE(lines->size(), std::size_t(1));
        QCOMPARE(lines->front().amountMicro, std::int64_t(60'000));
        QCOMPARE(lines->front().startMs, std::int64_t(1730419200000));
        QCOMPARE(lines->front().endMs, std::int64_t(1730505600000));
        QCOMPARE(lines->front().provider, std::string("openai"));
        QVERIFY(lines->front().model.empty());
        QCOMPARE(rl::OpenAiCostsConnector::modelOfLineItem("gpt-4o-2024-08-06, input"),
                 std::string("openai/gpt-4o-2024-08-06"));
        QCOMPARE(rl::OpenAiCostsConnector::modelOfLineItem("gpt-4o, cached input"), std::string("openai/gpt-4o"));
        QCOMPARE(rl::OpenAiCostsConnector::modelOfLineItem("Web search tool calls"), std::string());
        QCOMPARE(rl::OpenAiCostsConnector::modelOfLineItem(""), std::string());
    }

    void pagesThenRevisedDaysAreUpserted()
    {
        const json first = page({bucket(kStartS, {result(0.06, "gpt-4o-2024-08-06, input", "proj_a"),
                                                  result("1.25", "gpt-4o-2024-08-06, output", "proj_a")})},
                                true, "page_AAAA+/=");
        const json second =
            page({bucket(kStartS + kDayS, {result("0.000001", "gpt-4o-mini, input", "proj_b")})}, false, nullptr);
        const json revised =
            page({bucket(kStartS + kDayS, {result("0.5", "gpt-4o-mini, input", "proj_b")})}, false, nullptr);
        QVERIFY(fixture::script(
            m_server, {{"/v1/organization/costs", {{{"body", first}}, {{"body", second}}, {{"body", revised}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        QVERIFY(store.ok());
        rl::HttpClient http(fixture::quickHttp());
        rl::OpenAiCostsConnector connector(http, "openai-costs", m_server.url("/v1/").toStdString(), "sk-admin",
                                           options());
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(report.pages, std::size_t(2));
        json seen = fixture::requests(m_server);
        QCOMPARE(seen.size(), std::size_t(2));
        QCOMPARE(seen[0]["path"].get<std::string>(), std::string("/v1/organization/costs"));
        QCOMPARE(seen[0]["query"]["start_time"].get<std::string>(), std::to_string(kStartS));
        QCOMPARE(seen[0]["query"]["bucket_width"].get<std::string>(), std::string("1d"));
        QCOMPARE(seen[0]["query"]["group_by[]"].get<std::string>(), std::string("line_item")); // the last one
        QCOMPARE(seen[0]["query"]["limit"].get<std::string>(), std::string("7"));
        QVERIFY(!seen[0]["query"].contains("page"));
        QCOMPARE(seen[1]["query"]["page"].get<std::string>(), std::string("page_AAAA+/=")); // encoded on the wire
        QCOMPARE(seen[0]["headers"]["authorization"].get<std::string>(), std::string("Bearer sk-admin"));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM cost_lines"), std::int64_t(3));
        QCOMPARE(fixture::scalar(store.value(), "SELECT SUM(amount_micro) FROM cost_lines"),
                 std::int64_t(60'000 + 1'250'000 + 1));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM cost_lines WHERE project = 'proj_a' AND "
                                                "line_item = 'gpt-4o-2024-08-06, output'"),
                 std::int64_t(1));

        // Caught up: the next poll re-reads from three days before the latest bucket end (clamped to the
        // start), and the revised day replaces its line.
        report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        seen = fixture::requests(m_server);
        QCOMPARE(seen.size(), std::size_t(3));
        QCOMPARE(seen[2]["query"]["start_time"].get<std::string>(), std::to_string(kStartS));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM cost_lines"), std::int64_t(3));
        QCOMPARE(fixture::scalar(store.value(), "SELECT SUM(amount_micro) FROM cost_lines"),
                 std::int64_t(60'000 + 1'250'000 + 500'000));
    }

    // The spec requires only `object` in a result: a line without `amount`, or with a null value, is kept as
    // "no cost reported" (NULL, not $0), the page accepted and the cursor moved on; Reconciliation says so.
    void linesWithoutAnAmountAreNoCostReported()
    {
        json bare = {{"object", "organization.costs.result"}};
        json nullValue = result(nullptr, "web search tool calls", "proj_a");
        QVERIFY(fixture::script(
            m_server, {{"/v1/organization/costs",
                        {{{"body", page({bucket(kStartS, {result(0.06, "input_tokens", "proj_a"), bare, nullValue})},
                                        false, nullptr)}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        QVERIFY(store.ok());
        rl::HttpClient http(fixture::quickHttp());
        rl::OpenAiCostsConnector connector(http, "openai-org (costs)", m_server.url("/v1").toStdString(), "k",
                                           options());
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QVERIFY(report.caughtUp);
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM cost_lines"), std::int64_t(3));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM cost_lines WHERE amount_micro IS NULL"),
                 std::int64_t(2));
        QCOMPARE(fixture::scalar(store.value(), "SELECT SUM(amount_micro) FROM cost_lines"), std::int64_t(60'000));
        // The plain line items of the spec name no model.
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM cost_lines WHERE model_id != 0"),
                 std::int64_t(0));
        const std::int64_t day = kStartS / 86'400;
        auto report2 = rl::Reconciliation::run(store->database(), day, day + 1, "", day + 10);
        QVERIFY(report2.ok());
        QCOMPARE(report2->rows.size(), std::size_t(1));
        QCOMPARE(report2->rows[0].billedMicro, std::int64_t(60'000));
        QCOMPARE(report2->rows[0].unreportedBillLines, std::int64_t(2));
        bool named = false;
        for (const auto &note : report2->rows[0].notes)
            named = named || note.kind == rl::ReconciliationNote::Kind::NoCostReported;
        QVERIFY(named);
    }

    void badCursorAndBadAmountsAreRefused()
    {
        QTemporaryDir dir;
        rl::HttpClient http(fixture::quickHttp());
        rl::OpenAiCostsConnector connector(http, "c", m_server.url("/v1").toStdString(), "k", options());
        auto fetched = connector.fetch(std::string("yesterday"));
        QVERIFY(!fetched.ok());
        QCOMPARE(fetched.error().code, std::string("source.bad_cursor"));
        bool more = false;
        std::string next;
        std::int64_t latest = 0;
        for (const json &value : {json("1,5"), json(true), json::array({1})}) {
            auto lines = rl::OpenAiCostsConnector::readPage(
                page({bucket(kStartS, {result(value, "x", "p")})}, false, nullptr).dump(), "c", more, next, latest);
            QVERIFY(!lines.ok());
            QCOMPARE(lines.error().code, std::string("source.malformed"));
            QVERIFY(lines.error().message.find("'amount.value'") != std::string::npos);
            QVERIFY(lines.error().retryable);
        }
        json euro = page({bucket(kStartS, {result(1.0, "x", "p")})}, false, nullptr);
        euro["data"][0]["results"][0]["amount"]["currency"] = "eur";
        auto lines = rl::OpenAiCostsConnector::readPage(euro.dump(), "c", more, next, latest);
        QVERIFY(!lines.ok());
        QVERIFY(lines.error().message.find("currency") != std::string::npos);
    }
};

ROUTELEDGER_TEST_SUITE(TestOpenAiCostsConnector)
#include "tst_openaicostsconnector.moc"
