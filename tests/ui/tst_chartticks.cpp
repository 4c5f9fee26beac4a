// Axis ticks that read right for any range: nice steps (1, 2, 2.5, 5 × 10^k), the range covered, and labels
// that never repeat (a $0–$2 axis read "$2, $1, $1, $0" when every label had no decimals).
#include "widgets/chartstyle.h"

#include <QSet>
#include <QTest>

class TestChartTicks : public QObject {
    Q_OBJECT
private slots:
    void labelsAreDistinct_data()
    {
        QTest::addColumn<double>("high");
        QTest::addColumn<int>("maxTicks");
        for (double high : {2.0, 1.0, 0.003, 0.42, 1.5, 7.3, 12.0, 99.0, 100.0, 2'345.6, 1e6, 0.0})
            for (int ticks : {4, 5, 6})
                QTest::addRow("0-%g/%d", high, ticks) << high << ticks;
    }
    void labelsAreDistinct()
    {
        QFETCH(double, high);
        QFETCH(int, maxTicks);
        const AxisTicks ticks = niceTicks(0, high, maxTicks);
        QVERIFY(ticks.low <= 0);
        QVERIFY(ticks.high >= high);
        QVERIFY(ticks.count >= 2);
        QVERIFY2(ticks.count <= maxTicks + 1, qPrintable(QString::number(ticks.count)));
        const std::vector<QString> labels = tickLabels(ticks, QStringLiteral("$"));
        QCOMPARE(int(labels.size()), ticks.count);
        QSet<QString> seen;
        for (const QString &label : labels) {
            QVERIFY2(!seen.contains(label), qPrintable(label));
            seen.insert(label);
        }
    }

    void zeroToTwoDollars()
    {
        const AxisTicks ticks = niceTicks(0, 2, 5);
        const std::vector<QString> labels = tickLabels(ticks, QStringLiteral("$"));
        QCOMPARE(labels, (std::vector<QString>{QStringLiteral("$0.0"), QStringLiteral("$0.5"), QStringLiteral("$1.0"),
                                               QStringLiteral("$1.5"), QStringLiteral("$2.0")}));
        const AxisTicks wide = niceTicks(0, 48, 5);
        QCOMPARE(tickLabels(wide, QStringLiteral("$")),
                 (std::vector<QString>{QStringLiteral("$0"), QStringLiteral("$20"), QStringLiteral("$40"),
                                       QStringLiteral("$60")}));
        QCOMPARE(tickLabels(niceTicks(0, 100, 5), QString(), QStringLiteral(" %")),
                 (std::vector<QString>{QStringLiteral("0 %"), QStringLiteral("25 %"), QStringLiteral("50 %"),
                                       QStringLiteral("75 %"), QStringLiteral("100 %")}));
    }
};

QTEST_APPLESS_MAIN(TestChartTicks)
#include "tst_chartticks.moc"
