// checkJsonShape / toJsonText: the nesting and size limits on JSON from outside, and
// serialization that survives invalid UTF-8.
#include "boundedjson.h"
#include "testsuites.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <string>

namespace {

std::string nested(int depth, char open, char close, const std::string &inner = {})
{
    std::string out;
    for (int i = 0; i < depth; ++i)
        out += open == '{' ? std::string("{\"a\":") : std::string(1, open);
    out += inner.empty() ? (open == '{' ? "1" : "") : inner;
    for (int i = 0; i < depth; ++i)
        out += close;
    return out;
}

} // namespace

class TestBoundedJson : public QObject {
    Q_OBJECT
private slots:
    void depth_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("limit");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("arrays at the limit") << QByteArray::fromStdString(nested(128, '[', ']')) << 128 << true;
        QTest::newRow("arrays one past") << QByteArray::fromStdString(nested(129, '[', ']')) << 128 << false;
        QTest::newRow("objects at the limit") << QByteArray::fromStdString(nested(64, '{', '}')) << 64 << true;
        QTest::newRow("objects one past") << QByteArray::fromStdString(nested(65, '{', '}')) << 64 << false;
        QTest::newRow("80,000 arrays") << QByteArray::fromStdString(nested(80000, '[', ']')) << 128 << false;
        QTest::newRow("mixed inside a field")
            << QByteArray::fromStdString("{\"x\":" + nested(70, '[', ']', nested(70, '{', '}')) + "}") << 128 << false;
        // Brackets inside strings are text, not structure; escaped quotes do not end a string.
        QTest::newRow("brackets in a string")
            << QByteArray::fromStdString("[\"" + std::string(1000, '[') + "\\\"" + std::string(1000, '{') + "\"]") << 2
            << true;
        QTest::newRow("unterminated string") << QByteArray("[\"abc\\") << 2 << true; // invalid, but no overrun
        QTest::newRow("unbalanced closers") << QByteArray("]]]]]}}}}[[[") << 2 << false;
    }
    void depth()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, limit);
        QFETCH(bool, accepted);
        const rl::Result<void> shape = rl::checkJsonShape(text.toStdString(), rl::JsonLimits{limit});
        QCOMPARE(shape.ok(), accepted);
        if (!accepted) {
            QCOMPARE(QString::fromStdString(shape.error().code), QStringLiteral("json.too_deep"));
            QCOMPARE(QString::fromStdString(shape.error().message),
                     QStringLiteral("nesting deeper than %1 levels").arg(limit));
        }
    }

    void valueCountBoundsMemory()
    {
        // 4 MiB of "[]," is 1.4 million arrays: refused without building one of them.
        std::string many = "[";
        while (many.size() < (4u << 20))
            many += "[],";
        many += "[]]";
        rl::JsonLimits limits;
        limits.maxValues = 250'000;
        auto shape = rl::checkJsonShape(many, limits);
        QVERIFY(!shape.ok());
        QCOMPARE(QString::fromStdString(shape.error().code), QStringLiteral("json.too_many_values"));
        QCOMPARE(QString::fromStdString(shape.error().message), QStringLiteral("more than 250000 JSON values"));
        // Members are counted, not their keys: 100,000 members of one object count as 100,000 values.
        std::string object = "{";
        for (int i = 0; i < 100000; ++i)
            object += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":\"v\"";
        object += "}";
        limits.maxValues = 100'001;
        QVERIFY(rl::checkJsonShape(object, limits).ok());
        limits.maxValues = 99'000;
        QVERIFY(!rl::checkJsonShape(object, limits).ok());
    }

    void serializationRepairsInvalidUtf8()
    {
        const nlohmann::json value = {{"message", std::string("Content-Type text/\xff\xfe and \xc3")}, {"ok", "é"}};
        QVERIFY_THROWS_EXCEPTION(nlohmann::json::exception, (void)value.dump());
        const std::string text = rl::toJsonText(value);
        const nlohmann::json back = nlohmann::json::parse(text); // valid UTF-8, or parse would throw
        QCOMPARE(QString::fromStdString(back["message"].get<std::string>()),
                 QStringLiteral("Content-Type text/\uFFFD\uFFFD and \uFFFD"));
        QCOMPARE(QString::fromStdString(back["ok"].get<std::string>()), QStringLiteral("é"));
    }
};

ROUTELEDGER_TEST_SUITE(TestBoundedJson)
#include "tst_boundedjson.moc"
