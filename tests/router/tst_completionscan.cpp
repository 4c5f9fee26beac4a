// The one-pass reading of chat completions and streamed chunks: valid exactly when nlohmann accepts the text,
// and the top level's usage, choices and error as a parsed document has them.
#include "completionscan.h"
#include "routerunittext.h"
#include "testsuites.h"

#include <QTest>

#include <nlohmann/json.hpp>

#include <string>

namespace {

using nlohmann::json;
using routerunittext::qs;
using routerunittext::str;

} // namespace

// (No raw string literals here: moc 6.4 reads R"(\"abc)" as an open string and then finds no class.)
class TestCompletionScan : public QObject {
    Q_OBJECT
private slots:
    void validLikeNlohmann_data()
    {
        QTest::addColumn<QByteArray>("text");
        const char *const texts[] = {
            "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":1}"
            "}",
            "{}", "[]", "0", "-0", "1.5e3", "-12.25E-2", "true", "false", "null", "\"text\"", " \t\r\n{ } \n",
            "\xEF\xBB\xBF{}", // a UTF-8 byte order mark, which nlohmann skips
            "{\"a\":[1,2,{\"b\":[null,true,false]}],\"c\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}",
            "{\"utf8\":\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"}", "{\"big\":123456789012345678901234567890}",
            "{\"n\":18446744073709551615,\"m\":-9223372036854775808}",
            // refused
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "+1", "-", "1e", "1e+",
            "--1", "tru", "nul", "{}{}", "{} x", "\"abc", "\"tab\there\"", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"",
            "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\xC0\x80\"", "\"\xE0\x80\x80\"", "\"\xED\xA0\x80\"",
            "\"\xF5\x80\x80\x80\"", "\"\xC3\"", "\"\x80\"", "{\"a\":\"\xFF\"}", "1e999", "-1e999", "{\"a\":1e400}",
            "[1 2]", "{\"a\":1 \"b\":2}", "\xEF\xBB{}", "nulll", "[true false]"};
        int row = 0;
        for (const char *text : texts)
            QTest::addRow("%d", row++) << QByteArray(text);
    }

    void validLikeNlohmann()
    {
        QFETCH(QByteArray, text);
        const std::string body = str(text);
        QCOMPARE(rl::CompletionScan::scan(body).has_value(), json::accept(body));
    }

    void usageAsParsed_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("usage") << QByteArray(
            "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":11,\"prompt_tokens_details\":"
            "{\"cached_tokens\":3},\"x\":[1,-2,2.5,\"s\\\"q\",null,true]}}");
        QTest::newRow("signed and floats") << QByteArray("{\"usage\":{\"a\":-1,\"b\":0,\"c\":1e2,\"d\":-0,\"e\":1.0}}");
        QTest::newRow("repeated key inside") << QByteArray("{\"usage\":{\"prompt_tokens\":1,\"prompt_tokens\":2}}");
        QTest::newRow("escaped key") << QByteArray("{\"us\\u0061ge\":{\"prompt_tokens\":5,\"completion_tokens\":6}}");
        QTest::newRow("escaped string value") << QByteArray("{\"usage\":{\"model\":\"a\\u00e9\\n\"}}");
        QTest::newRow("null usage") << QByteArray("{\"usage\":null}");
        QTest::newRow("nested usage is not the top's") << QByteArray("{\"choices\":[{\"usage\":{\"a\":1}}]}");
    }

    void usageAsParsed()
    {
        QFETCH(QByteArray, text);
        const std::string body = str(text);
        const json document = json::parse(body);
        const auto scan = rl::CompletionScan::scan(body);
        QVERIFY(scan);
        const auto found = document.find("usage");
        QCOMPARE(scan->lastUsage() != nullptr, found != document.end());
        if (found != document.end()) {
            QCOMPARE(qs(scan->lastUsage()->dump()), qs(found->dump()));
            QCOMPARE(scan->lastUsage()->type(), found->type());
        }
    }

    void firstUsageObjectAndLastUsage()
    {
        // A repeated top-level key: the completion is billed by the first usage object, a parsed document (what
        // streamed chunks were read as) keeps the last value.
        const auto scan = rl::CompletionScan::scan("{\"usage\":{\"prompt_tokens\":1},\"usage\":{\"prompt_tokens\":2}}");
        QVERIFY(scan);
        QVERIFY(scan->firstUsageObject() != nullptr);
        QCOMPARE(scan->firstUsageObject()->at("prompt_tokens").get<int>(), 1);
        QCOMPARE(scan->lastUsage()->at("prompt_tokens").get<int>(), 2);
        const auto notFirst = rl::CompletionScan::scan("{\"usage\":null,\"usage\":{\"prompt_tokens\":3}}");
        QVERIFY(notFirst && notFirst->firstUsageObject() != nullptr);
        QCOMPARE(notFirst->firstUsageObject()->at("prompt_tokens").get<int>(), 3);
        const auto objectThenNull = rl::CompletionScan::scan("{\"usage\":{\"prompt_tokens\":4},\"usage\":null}");
        QVERIFY(objectThenNull && objectThenNull->firstUsageObject() != nullptr);
        QCOMPARE(objectThenNull->firstUsageObject()->at("prompt_tokens").get<int>(), 4);
        QVERIFY(objectThenNull->lastUsage()->is_null());
        const auto none = rl::CompletionScan::scan("{\"choices\":[]}");
        QVERIFY(none && none->firstUsageObject() == nullptr && none->lastUsage() == nullptr);
    }

    void choicesAndError()
    {
        auto scan = rl::CompletionScan::scan("{\"choices\":[ ],\"usage\":{}}");
        QVERIFY(scan && scan->object && scan->choicesEmptyArray && !scan->hasError);
        scan = rl::CompletionScan::scan("{\"choices\":[{}]}");
        QVERIFY(scan && !scan->choicesEmptyArray);
        scan = rl::CompletionScan::scan("{\"choices\":[],\"choices\":[1]}"); // the last wins, as in a document
        QVERIFY(scan && !scan->choicesEmptyArray);
        scan = rl::CompletionScan::scan("{\"choices\":{}}");
        QVERIFY(scan && !scan->choicesEmptyArray);
        scan = rl::CompletionScan::scan("{\"error\":null,\"data\":{\"error\":1}}");
        QVERIFY(scan && scan->hasError);
        scan = rl::CompletionScan::scan("{\"data\":{\"error\":1}}");
        QVERIFY(scan && !scan->hasError);
        scan = rl::CompletionScan::scan("[{\"error\":1}]");
        QVERIFY(scan && !scan->object && !scan->hasError);
    }

    void depthIsBounded()
    {
        // Callers bound depth first (checkJsonShape); the scan itself never recurses past 1,024 levels.
        const std::string deep = std::string(2000, '[') + std::string(2000, ']');
        QVERIFY(!rl::CompletionScan::scan(deep));
        const std::string fine = std::string(200, '[') + std::string(200, ']');
        QVERIFY(rl::CompletionScan::scan(fine));
    }
};

ROUTELEDGER_TEST_SUITE(TestCompletionScan)
#include "tst_completionscan.moc"
