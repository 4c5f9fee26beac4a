// SHA-256 hex digests and the constant-time secret comparison.
#include "digest.h"
#include "routerunittext.h"
#include "testsuites.h"

#include <QTest>

#include <string>

namespace {

using routerunittext::qs;
using routerunittext::str;

} // namespace

class TestDigest : public QObject {
    Q_OBJECT
private slots:
    void sha256Hex_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("digest");
        QTest::newRow("abc") << QByteArray("abc") << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        QTest::newRow("test") << QByteArray("test")
                              << "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        QTest::newRow("empty") << QByteArray() << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        QTest::newRow("embedded NUL") << QByteArray("a\0b", 3)
                                      << "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138";
        QTest::newRow("million a") << QByteArray(1'000'000, 'a')
                                   << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    }

    void sha256Hex()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, digest);
        QCOMPARE(qs(rl::sha256Hex(str(data))), digest);
    }

    void secretsEqual_data()
    {
        QTest::addColumn<QByteArray>("given");
        QTest::addColumn<QByteArray>("expected");
        QTest::addColumn<bool>("equal");
        QTest::newRow("equal") << QByteArray("s3cret-token") << QByteArray("s3cret-token") << true;
        QTest::newRow("one letter") << QByteArray("s3cret-token") << QByteArray("s3cret-tokeN") << false;
        QTest::newRow("prefix") << QByteArray("s3cret") << QByteArray("s3cret-token") << false;
        QTest::newRow("longer") << QByteArray("s3cret-token!") << QByteArray("s3cret-token") << false;
        QTest::newRow("nothing given") << QByteArray() << QByteArray("s3cret-token") << false;
        QTest::newRow("nothing expected") << QByteArray("s3cret-token") << QByteArray() << false;
        QTest::newRow("both empty") << QByteArray() << QByteArray() << false;
        QTest::newRow("NUL inside") << QByteArray("ab\0c", 4) << QByteArray("ab\0d", 4) << false;
    }

    void secretsEqual()
    {
        QFETCH(QByteArray, given);
        QFETCH(QByteArray, expected);
        QFETCH(bool, equal);
        QCOMPARE(rl::secretsEqual(str(given), str(expected)), equal);
    }
};

ROUTELEDGER_TEST_SUITE(TestDigest)
#include "tst_digest.moc"
