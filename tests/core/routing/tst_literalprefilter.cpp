// The literal prefilter may only ever skip texts that the regex cannot match.
#include "routing/literalprefilter.h"
#include "testsuites.h"

#include <re2/re2.h>

#include <QTest>

class TestLiteralPrefilter : public QObject {
    Q_OBJECT
private slots:
    void containsIgnoringCase_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("needle");
        QTest::addColumn<bool>("found");
        QTest::newRow("middle") << "xx PRIVATE Key yy"
                                << "private key" << true;
        QTest::newRow("start") << "Private key"
                               << "private key" << true;
        QTest::newRow("end") << "my private KEY"
                             << "private key" << true;
        QTest::newRow("absent") << "public key"
                                << "private key" << false;
        QTest::newRow("near miss") << "private ke"
                                   << "private key" << false;
        QTest::newRow("longer than text") << "key"
                                          << "private key" << false;
        QTest::newRow("punctuation pivot") << "a-b-c x-y-z"
                                           << "x-y" << true;
        QTest::newRow("empty needle") << "abc"
                                      << "" << true;
    }

    void containsIgnoringCase()
    {
        QFETCH(QString, text);
        QFETCH(QString, needle);
        QFETCH(bool, found);
        QCOMPARE(rl::LiteralPrefilter::containsIgnoringCase(text.toStdString(), needle.toStdString()), found);
    }

    // For each pattern and text: whenever RE2 matches, the prefilter lets the text through.
    void neverSkipsAMatch()
    {
        const char *patterns[] = {"(?i)BEGIN (RSA )?PRIVATE KEY",
                                  "(?i)(password|passwd|secret)\\s*[:=]",
                                  "(?i)^summar",
                                  "(?i)a+b",
                                  "(?i)[a-z]{3}\\d",
                                  "(?i)ssn|social security",
                                  "(?i)café",
                                  "plain literal"};
        const char *texts[] = {"",
                               "-----BEGIN RSA PRIVATE KEY-----",
                               "begin private key",
                               "BeGiN   private key",
                               "Password = hunter2",
                               "my secret: x",
                               "Summarize this",
                               "AAAB",
                               "abc1",
                               "Social Security number",
                               "CAFÉ",
                               "café au lait",
                               "nothing to see",
                               "plain literal"};
        int filtered = 0;
        for (const char *pattern : patterns) {
            RE2 regex(pattern);
            QVERIFY(regex.ok());
            const rl::LiteralPrefilter prefilter = rl::LiteralPrefilter::forPattern(pattern, false);
            filtered += prefilter.filters();
            for (const char *text : texts)
                if (RE2::PartialMatch(text, regex))
                    QVERIFY2(prefilter.mayMatch(text), qPrintable(QStringLiteral("%1 on %2").arg(pattern, text)));
        }
        QVERIFY(filtered >= 3); // it does filter the literal-heavy case-insensitive patterns
    }

    void skipsTextsWithoutTheLiterals()
    {
        const rl::LiteralPrefilter prefilter = rl::LiteralPrefilter::forPattern("(?i)BEGIN (RSA )?PRIVATE KEY", false);
        QVERIFY(prefilter.filters());
        QVERIFY(!prefilter.mayMatch("Please explain our refund policy for annual plans."));
        QVERIFY(prefilter.mayMatch("----- begin Private Key -----"));
    }

    void caseSensitiveAndNonAsciiPatternsAreLeftToRe2()
    {
        QVERIFY(!rl::LiteralPrefilter::forPattern("BEGIN PRIVATE KEY", false).filters());
        QVERIFY(!rl::LiteralPrefilter::forPattern("(?i)straße", false).filters());
        QVERIFY(!rl::LiteralPrefilter::forPattern("(?i).*", false).filters());
    }
};

ROUTELEDGER_TEST_SUITE(TestLiteralPrefilter)
#include "tst_literalprefilter.moc"
