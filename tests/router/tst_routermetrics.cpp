// RouterMetrics: the Prometheus text exposition (counters, histograms, gauges, collectors, label escaping).
#include "routermetrics.h"
#include "routerunittext.h"
#include "testsuites.h"

#include <QTest>

#include <string>

namespace {

using routerunittext::qs;
using routerunittext::str;

QStringList renderedLines(const rl::RouterMetrics &metrics)
{
    return qs(metrics.render()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

qsizetype countStartingWith(const QStringList &lines, const QString &prefix)
{
    qsizetype n = 0;
    for (const QString &line : lines)
        n += line.startsWith(prefix) ? 1 : 0;
    return n;
}

} // namespace

class TestRouterMetrics : public QObject {
    Q_OBJECT
private slots:
    void metricsCountsRequestsBySeries()
    {
        rl::RouterMetrics metrics;
        metrics.recordRequest("mid", "openai/gpt-5-mini", "ok", 200, 0.003);
        metrics.recordRequest("mid", "openai/gpt-5-mini", "ok", 200, 0.004);
        metrics.recordRequest("mid", "openai/gpt-5-mini", "error", 502, 1.5);
        const QStringList lines = renderedLines(metrics);
        QVERIFY(lines.contains(QStringLiteral(
            R"(routeledger_requests_total{tier="mid",model="openai/gpt-5-mini",status="ok",code="200"} 2)")));
        QVERIFY(lines.contains(QStringLiteral(
            R"(routeledger_requests_total{tier="mid",model="openai/gpt-5-mini",status="error",code="502"} 1)")));
        QCOMPARE(countStartingWith(lines, QStringLiteral("routeledger_requests_total{")), qsizetype(2));
        QVERIFY(lines.contains(QStringLiteral("# TYPE routeledger_requests_total counter")));
        QVERIFY(lines.contains(QStringLiteral("# TYPE routeledger_request_duration_seconds histogram")));
        // One histogram per tier, whatever the model and status.
        QVERIFY(lines.contains(QStringLiteral(R"(routeledger_request_duration_seconds_count{tier="mid"} 3)")));
        QCOMPARE(countStartingWith(lines, QStringLiteral("routeledger_request_duration_seconds_count{")), qsizetype(1));
    }

    void metricsHistogramIsCumulative_data()
    {
        QTest::addColumn<QString>("le");
        QTest::addColumn<int>("count");
        // Requests of 0.003 s, 0.25 s (on a bound), 7 s and 45 s.
        QTest::newRow("0.001") << "0.001" << 0;
        QTest::newRow("0.0025") << "0.0025" << 0;
        QTest::newRow("0.005") << "0.005" << 1;
        QTest::newRow("0.01") << "0.01" << 1;
        QTest::newRow("0.025") << "0.025" << 1;
        QTest::newRow("0.05") << "0.05" << 1;
        QTest::newRow("0.1") << "0.1" << 1;
        QTest::newRow("0.25") << "0.25" << 2;
        QTest::newRow("0.5") << "0.5" << 2;
        QTest::newRow("1") << "1" << 2;
        QTest::newRow("2.5") << "2.5" << 2;
        QTest::newRow("5") << "5" << 2;
        QTest::newRow("10") << "10" << 3;
        QTest::newRow("30") << "30" << 3;
        QTest::newRow("+Inf") << "+Inf" << 4;
    }

    void metricsHistogramIsCumulative()
    {
        QFETCH(QString, le);
        QFETCH(int, count);
        rl::RouterMetrics metrics;
        for (double seconds : {0.003, 0.25, 7.0, 45.0})
            metrics.recordRequest("mid", "openai/gpt-5-mini", "ok", 200, seconds);
        metrics.recordRequest("light", "openai/gpt-5-nano", "ok", 200, 0.0001);
        const QStringList lines = renderedLines(metrics);
        const QString line =
            QStringLiteral(R"(routeledger_request_duration_seconds_bucket{tier="mid",le="%1"} %2)").arg(le).arg(count);
        QVERIFY2(lines.contains(line), qPrintable(line));
        QCOMPARE(countStartingWith(lines, QStringLiteral(R"(routeledger_request_duration_seconds_bucket{tier="mid",)")),
                 qsizetype(rl::RouterMetrics::kLatencyBuckets.size() + 1));
        QVERIFY(lines.contains(QStringLiteral(R"(routeledger_request_duration_seconds_count{tier="mid"} 4)")));
        QVERIFY(lines.contains(QStringLiteral(R"(routeledger_request_duration_seconds_sum{tier="mid"} 52.253)")));
        QVERIFY(lines.contains(QStringLiteral(R"(routeledger_request_duration_seconds_count{tier="light"} 1)")));
        const QString lightLine =
            QStringLiteral(R"(routeledger_request_duration_seconds_bucket{tier="light",le="%1"} 1)").arg(le);
        QVERIFY2(lines.contains(lightLine), qPrintable(lightLine));
    }

    void prometheusLabel_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QByteArray>("escaped");
        QTest::newRow("plain") << QByteArray("openai/gpt-5") << QByteArray("openai/gpt-5");
        QTest::newRow("empty") << QByteArray() << QByteArray();
        QTest::newRow("quote") << QByteArray("a\"b") << QByteArray("a\\\"b");
        QTest::newRow("backslash") << QByteArray("a\\b") << QByteArray("a\\\\b");
        QTest::newRow("newline") << QByteArray("a\nb") << QByteArray("a\\nb");
        QTest::newRow("all") << QByteArray("\\\"\n\"\\") << QByteArray("\\\\\\\"\\n\\\"\\\\");
        QTest::newRow("escaped-looking") << QByteArray("\\n") << QByteArray("\\\\n");
        QTest::newRow("utf-8") << QByteArray("équipe") << QByteArray("équipe");
    }

    void prometheusLabel()
    {
        QFETCH(QByteArray, value);
        QFETCH(QByteArray, escaped);
        QCOMPARE(QByteArray::fromStdString(rl::prometheusLabel(str(value))), escaped);
    }

    void metricsEscapesLabelsInRender()
    {
        rl::RouterMetrics metrics;
        metrics.recordRequest("we\"ird\\", "odd\nmodel", "ok", 200, 0.1);
        metrics.recordFallback("a\"", "b\n");
        const QStringList lines = renderedLines(metrics);
        // (Plain literals: moc misreads raw strings with backslashes inside macro arguments.)
        const QString request = QStringLiteral("routeledger_requests_total{tier=\"we\\\"ird\\\\\","
                                               "model=\"odd\\nmodel\",status=\"ok\",code=\"200\"} 1");
        const QString histogram =
            QStringLiteral("routeledger_request_duration_seconds_count{tier=\"we\\\"ird\\\\\"} 1");
        const QString fallback = QStringLiteral("routeledger_fallbacks_total{from=\"a\\\"\",to=\"b\\n\"} 1");
        QVERIFY2(lines.contains(request), qPrintable(request));
        QVERIFY2(lines.contains(histogram), qPrintable(histogram));
        QVERIFY2(lines.contains(fallback), qPrintable(fallback));
        // No raw newline splits a series: every line is a comment or a routeledger_ series.
        for (const QString &line : lines)
            QVERIFY2(line.startsWith(QLatin1String("# ")) || line.startsWith(QLatin1String("routeledger_")),
                     qPrintable(line));
    }

    void metricsRendersCountersGaugesAndCollectors()
    {
        rl::RouterMetrics metrics;
        metrics.recordUpstreamError("openai/gpt-5", "timeout");
        metrics.recordUpstreamError("openai/gpt-5", "timeout");
        metrics.recordUpstreamError("openai/gpt-5", "rate_limited");
        metrics.recordFallback("openai/gpt-5", "openai/gpt-5-mini");
        metrics.recordRejected("body_too_large");
        metrics.recordRejected("body_too_large");
        metrics.recordRejected("unauthorized");
        metrics.openConnections = 3;
        metrics.inFlight = 2;
        int calls = 0;
        metrics.addCollector([&calls](std::string &out) {
            ++calls;
            out += "# TYPE routeledger_ledger_lag_ms gauge\nrouteledger_ledger_lag_ms 12\n";
        });
        metrics.addCollector([](std::string &out) { out += "routeledger_policy_version 7\n"; });

        const std::string text = metrics.render();
        QCOMPARE(calls, 1);
        const QStringList lines = qs(text).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(lines.contains(
            QStringLiteral(R"(routeledger_upstream_errors_total{model="openai/gpt-5",kind="timeout"} 2)")));
        QVERIFY(lines.contains(
            QStringLiteral(R"(routeledger_upstream_errors_total{model="openai/gpt-5",kind="rate_limited"} 1)")));
        QVERIFY(lines.contains(
            QStringLiteral(R"(routeledger_fallbacks_total{from="openai/gpt-5",to="openai/gpt-5-mini"} 1)")));
        QVERIFY(lines.contains(QStringLiteral(R"(routeledger_rejected_requests_total{reason="body_too_large"} 2)")));
        QVERIFY(lines.contains(QStringLiteral(R"(routeledger_rejected_requests_total{reason="unauthorized"} 1)")));
        QVERIFY(lines.contains(QStringLiteral("routeledger_open_connections 3")));
        QVERIFY(lines.contains(QStringLiteral("routeledger_in_flight_requests 2")));
        QVERIFY(lines.contains(QStringLiteral("# TYPE routeledger_open_connections gauge")));
        // The collectors' text comes last, in the order they were added.
        QVERIFY(text.size() > 60);
        const std::string tail = "# TYPE routeledger_ledger_lag_ms gauge\nrouteledger_ledger_lag_ms 12\n"
                                 "routeledger_policy_version 7\n";
        QVERIFY(text.size() >= tail.size());
        QCOMPARE(qs(text.substr(text.size() - tail.size())), qs(tail));
        // Every scrape asks the collectors again.
        metrics.render();
        QCOMPARE(calls, 2);
    }

    void metricsRenderEmpty()
    {
        rl::RouterMetrics metrics;
        const QStringList lines = renderedLines(metrics);
        QCOMPARE(countStartingWith(lines, QStringLiteral("routeledger_requests_total")), qsizetype(0));
        QVERIFY(lines.contains(QStringLiteral("routeledger_open_connections 0")));
        QVERIFY(lines.contains(QStringLiteral("routeledger_in_flight_requests 0")));
        QVERIFY(lines.contains(QStringLiteral("routeledger_refused_connections_total 0")));
        QVERIFY(lines.contains(QStringLiteral("routeledger_admin_requests_running 0")));
        QVERIFY(lines.contains(QStringLiteral("routeledger_shadow_tier_changes_total 0")));
        QVERIFY(lines.contains(QStringLiteral("routeledger_feedback_received_total 0")));
        QVERIFY(lines.contains(QStringLiteral("routeledger_escalations_total 0")));
        QCOMPARE(countStartingWith(lines, QStringLiteral("# TYPE ")), qsizetype(13));
    }
};

ROUTELEDGER_TEST_SUITE(TestRouterMetrics)
#include "tst_routermetrics.moc"
