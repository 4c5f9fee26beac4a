// The usage the router reads from OpenAI answers (cached tokens moved out of input).
#include "completionusage.h"
#include "routerunittext.h"
#include "testsuites.h"

#include <QTest>

#include <nlohmann/json.hpp>

#include <string>

namespace {

using nlohmann::json;
using routerunittext::qs;
using routerunittext::str;
using routerunittext::tokenText;

} // namespace

class TestCompletionUsage : public QObject {
    Q_OBJECT
private slots:
    void readCompletionUsage_data()
    {
        QTest::addColumn<QByteArray>("usage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("cached and reasoning")
            << QByteArray(R"({"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,)"
                          R"("prompt_tokens_details":{"cached_tokens":30},)"
                          R"("completion_tokens_details":{"reasoning_tokens":20}})")
            << "in=70 cached=30 write=0 out=50 reasoning=20";
        QTest::newRow("no details") << QByteArray(R"({"prompt_tokens":100,"completion_tokens":50})")
                                    << "in=100 cached=0 write=0 out=50 reasoning=0";
        QTest::newRow("null details") << QByteArray(
            R"({"prompt_tokens":9,"completion_tokens":4,"prompt_tokens_details":null,"completion_tokens_details":null})")
                                      << "in=9 cached=0 write=0 out=4 reasoning=0";
        QTest::newRow("empty details") << QByteArray(
            R"({"prompt_tokens":9,"completion_tokens":4,"prompt_tokens_details":{},"completion_tokens_details":{}})")
                                       << "in=9 cached=0 write=0 out=4 reasoning=0";
        // Counts that are not whole and non-negative make the answer unmetered, not free.
        QTest::newRow("negative") << QByteArray(R"({"prompt_tokens":-5,"completion_tokens":-1,)"
                                                R"("prompt_tokens_details":{"cached_tokens":-3}})")
                                  << "none";
        QTest::newRow("no completion tokens") << QByteArray(R"({"prompt_tokens":5})") << "none";
        QTest::newRow("negative cached") << QByteArray(
            R"({"prompt_tokens":40,"completion_tokens":8,"prompt_tokens_details":{"cached_tokens":-3},)"
            R"("completion_tokens_details":{"reasoning_tokens":-2}})")
                                         << "in=40 cached=0 write=0 out=8 reasoning=0";
        QTest::newRow("strings and fractions") << QByteArray(R"({"prompt_tokens":"100","completion_tokens":12.5,)"
                                                             R"("prompt_tokens_details":{"cached_tokens":"30"}})")
                                               << "none";
        QTest::newRow("fraction cached") << QByteArray(
            R"({"prompt_tokens":100,"completion_tokens":10,"prompt_tokens_details":{"cached_tokens":3.5}})")
                                         << "in=100 cached=0 write=0 out=10 reasoning=0";
        QTest::newRow("cached over prompt")
            << QByteArray(R"({"prompt_tokens":10,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":30},)"
                          R"("completion_tokens_details":{"reasoning_tokens":9}})")
            << "in=0 cached=10 write=0 out=5 reasoning=5";
        QTest::newRow("empty object") << QByteArray("{}") << "none";
        QTest::newRow("null") << QByteArray("null") << "none";
        QTest::newRow("array") << QByteArray("[1,2]") << "none";
        QTest::newRow("number") << QByteArray("42") << "none";
        QTest::newRow("string") << QByteArray(R"("usage")") << "none";
    }

    void readCompletionUsage()
    {
        QFETCH(QByteArray, usage);
        QFETCH(QString, expected);
        QCOMPARE(tokenText(rl::readCompletionUsage(json::parse(str(usage)))), expected);
    }

    void findCompletionUsage_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("expected");
        const QByteArray usage = R"({"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,)"
                                 R"("prompt_tokens_details":{"cached_tokens":30,"audio_tokens":0},)"
                                 R"("completion_tokens_details":{"reasoning_tokens":20,"audio_tokens":0}})";
        const QString tokens = QStringLiteral("in=70 cached=30 write=0 out=50 reasoning=20");
        const QByteArray message = R"({"role":"assistant","content":"Here you go.","refusal":null,"annotations":[]})";
        const QByteArray completion = R"({"id":"chatcmpl-1","object":"chat.completion","created":1767607200,)"
                                      R"("model":"gpt-5-mini","choices":[{"index":0,"message":)"
                                      + message + R"(,"logprobs":null,"finish_reason":"stop"}],)";
        QTest::newRow("usage last") << completion + R"("usage":)" + usage + R"(,"service_tier":"default"})" << tokens;
        QTest::newRow("usage first") << R"({"usage":)" + usage + R"(,"id":"x","choices":[]})" << tokens;
        QTest::newRow("pretty printed") << qs(json::parse(completion + R"("usage":)" + usage + "}").dump(2)).toUtf8()
                                        << tokens;
        QTest::newRow("spaces around colon") << R"({ "id" : "x" , "usage" :  )" + usage + " }" << tokens;
        QTest::newRow("usage text in content")
            << "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"{"
               "\\\"usage\\\":{\\\"prompt_tokens\\\":999}}\"}}],\"usage\":"
                   + usage + "}"
            << tokens;
        QTest::newRow("escaped backslash before quote")
            << "{\"id\":\"C:\\\\\",\"choices\":[{\"message\":{\"content\":\"path C:\\\\\"}}],\"usage\":" + usage + "}"
            << tokens;
        QTest::newRow("escaped quote before usage") << "{\"id\":\"say \\\"hi\",\"usage\":" + usage + "}" << tokens;
        QTest::newRow("escaped quote inside usage")
            << QByteArray("{\"usage\":{\"note\":\"a \\\" } b\",\"prompt_tokens\":7,\"completion_tokens\":3}}")
            << "in=7 cached=0 write=0 out=3 reasoning=0";
        QTest::newRow("nested usage first")
            << R"({"choices":[{"index":0,"message":{"content":"hi"},"usage":{"prompt_tokens":999}}],"meta":{"usage":{"prompt_tokens":888}},"usage":)"
                   + usage + "}"
            << tokens;
        QTest::newRow("braces in usage strings")
            << QByteArray("{\"id\":\"x\",\"usage\":{\"note\":\"} ] {\",\"prompt_tokens\":7,\"completion_tokens\":3}}")
            << "in=7 cached=0 write=0 out=3 reasoning=0";
        QTest::newRow("absent") << completion + R"("service_tier":"default"})"
                                << "none";
        QTest::newRow("only nested") << QByteArray(
            R"({"choices":[{"message":{"content":"x"},"usage":{"prompt_tokens":999}}]})")
                                     << "none";
        QTest::newRow("usage as a string value") << QByteArray(R"({"id":"x","usage":"n/a","model":"m"})") << "none";
        QTest::newRow("key named by a value")
            << QByteArray(R"({"object":"usage","choices":[{"prompt_tokens":5}],"model":"m"})") << "none";
        QTest::newRow("usage null") << QByteArray(R"({"id":"x","usage":null})") << "none";
        QTest::newRow("usage in content only")
            << QByteArray("{\"choices\":[{\"message\":{\"content\":\"\\\"usage\\\":{\\\"prompt_tokens\\\":999}\"}}]}")
            << "none";
        QTest::newRow("top-level array") << QByteArray(R"([{"usage":{"prompt_tokens":5}}])") << "none";
        QTest::newRow("empty") << QByteArray() << "none";
    }

    void findCompletionUsage()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, expected);
        const std::string text = str(body);
        QCOMPARE(tokenText(rl::findCompletionUsage(text)), expected);
    }
};

ROUTELEDGER_TEST_SUITE(TestCompletionUsage)
#include "tst_completionusage.moc"
