// SseForwarder: an upstream's SSE stream cut into whole events, its usage read, the usage chunk held back.
#include "routerunittext.h"
#include "sseforwarder.h"
#include "testsuites.h"

#include <QTest>

#include <string>
#include <string_view>
#include <vector>

namespace {

using routerunittext::qs;
using routerunittext::str;
using routerunittext::tokenText;

struct SseStream {
    std::string full;         // every event, as the upstream sends it
    std::string withoutUsage; // the same without the usage-only event
};

// A chat.completion.chunk stream the way OpenAI sends it with stream_options.include_usage: every
// chunk carries "usage":null, then a usage-only chunk with "choices":[], then [DONE].
SseStream openAiStream(std::string_view eol)
{
    const std::string head =
        R"({"id":"chatcmpl-7","object":"chat.completion.chunk","created":1767607200,"model":"gpt-5-mini",)"
        R"("system_fingerprint":null,)";
    const std::vector<std::string> payloads = {
        head
            + R"("choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},)"
              R"("logprobs":null,"finish_reason":null}],"usage":null})",
        head
            + R"("choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],)"
              R"("usage":null})",
        head
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\", \\\"world\\\"\\n\\nbye\"},\"logprobs\":null,"
              R"("finish_reason":null}],"usage":null})",
        head + R"("choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null})",
    };
    const std::string usagePayload =
        head
        + R"("choices":[],"usage":{"prompt_tokens":120,"completion_tokens":48,"total_tokens":168,)"
          R"("prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0},)"
          R"("completion_tokens_details":{"reasoning_tokens":16,"audio_tokens":0}}})";
    const std::string eolText(eol);
    SseStream stream;
    for (const std::string &payload : payloads) {
        std::string event = "data: " + payload + eolText + eolText;
        stream.full += event;
        stream.withoutUsage += event;
    }
    const std::string comment = ": keep-alive" + eolText + eolText;
    stream.full += comment;
    stream.withoutUsage += comment;
    stream.full += "data: " + usagePayload + eolText + eolText;
    const std::string done = "data: [DONE]" + eolText + eolText;
    stream.full += done;
    stream.withoutUsage += done;
    return stream;
}

const QString kStreamUsage = QStringLiteral("in=56 cached=64 write=0 out=48 reasoning=16");

} // namespace

class TestSseForwarder : public QObject {
    Q_OBJECT
private slots:
    void sseForwarding_data()
    {
        QTest::addColumn<QByteArray>("eol");
        QTest::addColumn<bool>("suppress");
        QTest::newRow("LF, usage held back") << QByteArray("\n") << true;
        QTest::newRow("LF, usage forwarded") << QByteArray("\n") << false;
        QTest::newRow("CRLF, usage held back") << QByteArray("\r\n") << true;
        QTest::newRow("CRLF, usage forwarded") << QByteArray("\r\n") << false;
    }

    void sseForwarding()
    {
        QFETCH(QByteArray, eol);
        QFETCH(bool, suppress);
        const SseStream stream = openAiStream(str(eol));
        const std::string &input = stream.full;
        const std::string &expected = suppress ? stream.withoutUsage : stream.full;
        QVERIFY(expected.size() < input.size() || !suppress);

        auto check = [&](rl::SseForwarder &forwarder, const std::string &out, const QString &how) {
            QVERIFY2(out == expected, qPrintable(how + QStringLiteral(": forwarded ") + qs(out)));
            QVERIFY2(tokenText(forwarder.usage()) == kStreamUsage, qPrintable(how));
            QVERIFY2(forwarder.sawDone(), qPrintable(how));
            QVERIFY2(!forwarder.sawError(), qPrintable(how));
            QVERIFY2(forwarder.takeRemainder().empty(), qPrintable(how));
        };

        {
            rl::SseForwarder forwarder(suppress);
            std::string out;
            QVERIFY(forwarder.feed(input, out));
            check(forwarder, out, QStringLiteral("at once"));
            if (QTest::currentTestFailed())
                return;
        }
        {
            rl::SseForwarder forwarder(suppress);
            std::string all, out;
            for (char c : input) {
                out.clear();
                QVERIFY(forwarder.feed(std::string_view(&c, 1), out));
                all += out;
            }
            check(forwarder, all, QStringLiteral("byte by byte"));
            if (QTest::currentTestFailed())
                return;
        }
        for (std::size_t split = 0; split <= input.size(); ++split) {
            rl::SseForwarder forwarder(suppress);
            std::string all, out;
            QVERIFY(forwarder.feed(std::string_view(input).substr(0, split), out));
            all += out;
            out.clear();
            QVERIFY(forwarder.feed(std::string_view(input).substr(split), out));
            all += out;
            check(forwarder, all, QStringLiteral("split at %1").arg(split));
            if (QTest::currentTestFailed())
                return;
        }
    }

    void sseForwardsWholeEventsOnly()
    {
        const SseStream stream = openAiStream("\n");
        const std::string first = stream.full.substr(0, stream.full.find("\n\n") + 2);
        rl::SseForwarder forwarder(true);
        std::string out;
        // Everything but the blank line's last newline: nothing is complete yet.
        QVERIFY(forwarder.feed(std::string_view(first).substr(0, first.size() - 1), out));
        QCOMPARE(qs(out), QString());
        QVERIFY(forwarder.feed("\n", out));
        QCOMPARE(qs(out), qs(first));
    }

    void sseEventKinds_data()
    {
        QTest::addColumn<QByteArray>("event");
        QTest::addColumn<bool>("suppress");
        QTest::addColumn<bool>("forwarded");
        QTest::addColumn<QString>("usage");
        QTest::addColumn<bool>("error");
        const QByteArray usageChunk = R"({"id":"c","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3}})";
        const QString tokens = QStringLiteral("in=12 cached=0 write=0 out=3 reasoning=0");
        QTest::newRow("usage-only, held back") << "data: " + usageChunk + "\n\n" << true << false << tokens << false;
        QTest::newRow("usage-only, forwarded") << "data: " + usageChunk + "\n\n" << false << true << tokens << false;
        QTest::newRow("no space after data:") << "data:" + usageChunk + "\n\n" << true << false << tokens << false;
        QTest::newRow("named event") << "event: message\ndata: " + usageChunk + "\n\n"
                                     << true << false << tokens << false;
        QTest::newRow("usage with choices")
            << QByteArray("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                          "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3}}\n\n")
            << true << true << tokens << false;
        QTest::newRow("usage null") << QByteArray(
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}],\"usage\":null}\n\n")
                                    << true << true << "none" << false;
        QTest::newRow("usage null, no choices")
            << QByteArray("data: {\"choices\":[],\"usage\":null}\n\n") << true << true << "none" << false;
        QTest::newRow("usage in content")
            << QByteArray("data: {\"choices\":[{\"delta\":{\"content\":\"the \\\"usage\\\" field\"}}]}\n\n") << true
            << true << "none" << false;
        QTest::newRow("error") << QByteArray(
            "data: {\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\","
            "\"code\":null}}\n\n")
                               << true << true << "none" << true;
        QTest::newRow("error in content")
            << QByteArray("data: {\"choices\":[{\"delta\":{\"content\":\"no \\\"error\\\" here\"}}]}\n\n") << true
            << true << "none" << false;
        QTest::newRow("comment") << QByteArray(": keep-alive\n\n") << true << true << "none" << false;
    }

    void sseEventKinds()
    {
        QFETCH(QByteArray, event);
        QFETCH(bool, suppress);
        QFETCH(bool, forwarded);
        QFETCH(QString, usage);
        QFETCH(bool, error);
        rl::SseForwarder forwarder(suppress);
        std::string out;
        QVERIFY(forwarder.feed(str(event), out));
        QCOMPARE(qs(out), forwarded ? qs(str(event)) : QString());
        QCOMPARE(tokenText(forwarder.usage()), usage);
        QCOMPARE(forwarder.sawError(), error);
        QCOMPARE(forwarder.sawDone(), false);
        QCOMPARE(qs(forwarder.takeRemainder()), QString());
    }

    void sseUsageNullChunksLeaveUsageUnset()
    {
        SseStream stream = openAiStream("\n");
        // The stream of a client that did not get usage: every chunk has "usage":null and none carries it.
        const std::string input = stream.withoutUsage;
        rl::SseForwarder forwarder(true);
        std::string out;
        QVERIFY(forwarder.feed(input, out));
        QCOMPARE(qs(out), qs(input));
        QCOMPARE(tokenText(forwarder.usage()), QStringLiteral("none"));
        QVERIFY(forwarder.sawDone());
    }

    void sseDoneInsideContentIsNotTheEnd()
    {
        rl::SseForwarder forwarder(true);
        std::string out;
        QVERIFY(
            forwarder.feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"print('[DONE]')\"}}]}\n\n", out));
        QCOMPARE(forwarder.sawDone(), false);
        QVERIFY(forwarder.feed("data: [DONE]\n\n", out));
        QCOMPARE(forwarder.sawDone(), true);
    }

    void sseOversizedEvent()
    {
        constexpr std::size_t limit = rl::SseForwarder::kMaxEventBytes;
        {
            // An event of exactly the limit, still unterminated, is accepted; one more byte is not.
            rl::SseForwarder forwarder(true);
            std::string out;
            const std::string head = "data: \"";
            QVERIFY(forwarder.feed(head, out));
            const std::string piece(64 * 1024, 'x');
            std::size_t fed = head.size();
            while (fed + piece.size() <= limit) {
                QVERIFY(forwarder.feed(piece, out));
                fed += piece.size();
            }
            QVERIFY(forwarder.feed(std::string(limit - fed, 'y'), out));
            QVERIFY(out.empty());
            QVERIFY(!forwarder.feed("z", out));
            QVERIFY(out.empty());
        }
        {
            // A large event under the limit, fed in pieces, arrives whole.
            rl::SseForwarder forwarder(true);
            const std::string event = "data: \"" + std::string(limit - 16, 'x') + "\"\n\n";
            std::string all, out;
            for (std::size_t at = 0; at < event.size(); at += 16 * 1024) {
                out.clear();
                QVERIFY(forwarder.feed(std::string_view(event).substr(at, 16 * 1024), out));
                all += out;
            }
            QCOMPARE(all.size(), event.size());
            QVERIFY(all == event);
        }
    }

    void sseRemainder()
    {
        rl::SseForwarder forwarder(true);
        std::string out;
        QVERIFY(forwarder.feed("data: {\"a\":1}\n\ndata: {\"b\"", out));
        QCOMPARE(qs(out), QStringLiteral("data: {\"a\":1}\n\n"));
        QVERIFY(forwarder.feed(":2}\n", out));
        QCOMPARE(qs(out), QStringLiteral("data: {\"a\":1}\n\n"));
        QCOMPARE(qs(forwarder.takeRemainder()), QStringLiteral("data: {\"b\":2}\n"));
        QCOMPARE(qs(forwarder.takeRemainder()), QString());
        // The forwarder carries on after its remainder was taken.
        out.clear();
        QVERIFY(forwarder.feed("data: [DONE]\r\n\r\n", out));
        QCOMPARE(qs(out), QStringLiteral("data: [DONE]\r\n\r\n"));
        QVERIFY(forwarder.sawDone());
    }
};

ROUTELEDGER_TEST_SUITE(TestSseForwarder)
#include "tst_sseforwarder.moc"
