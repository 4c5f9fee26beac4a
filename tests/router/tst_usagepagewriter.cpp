// UsagePageWriter: a ledger page as the JSON of GET /admin/usage.
#include "testsuites.h"
#include "usagepagewriter.h"

#include <QTest>

#include <nlohmann/json.hpp>

#include <string>

class TestUsagePageWriter : public QObject {
    Q_OBJECT
private slots:
    void usagePageWriterWritesValidJson()
    {
        rl::LedgerPage page;
        rl::LedgerEvent event;
        event.cursor = 41;
        event.usage.requestId = "rl-1";
        event.usage.timeMs = 1795000000000;
        event.usage.team = "quote\" back\\slash \x01 caf\xc3\xa9 bad\xff";
        event.usage.tags = {"a", "b\nc"};
        event.usage.model = "openai/gpt-5";
        event.usage.tokens.input = 7;
        event.usage.costMicro = 12;
        event.usage.complexity = 0.25;
        event.usage.status = rl::UsageStatus::Fallback;
        event.attempts = {{"openai/gpt-5", "server_error", 503, 12}, {"openai/gpt-5-mini", "ok", 200, 30}};
        page.events = {event, event};
        page.events[1].cursor = 42;
        page.events[1].usage.complexity.reset();
        page.nextCursor = 42;
        page.hasMore = true;
        const std::string text = rl::UsagePageWriter::write(page);
        const nlohmann::json parsed = nlohmann::json::parse(text); // throws on invalid JSON or UTF-8
        QCOMPARE(parsed["next_cursor"].get<std::string>(), std::string("42"));
        QCOMPARE(parsed["has_more"].get<bool>(), true);
        QCOMPARE(parsed["events"].size(), std::size_t(2));
        const nlohmann::json &first = parsed["events"][0];
        QCOMPARE(first["cursor"].get<std::string>(), std::string("41"));
        QCOMPARE(first["team"].get<std::string>(), std::string("quote\" back\\slash \x01 caf\xc3\xa9 bad\xef\xbf\xbd"));
        QCOMPARE(first["tags"][1].get<std::string>(), std::string("b\nc"));
        QCOMPARE(first["status"].get<std::string>(), std::string("fallback"));
        QCOMPARE(first["complexity"].get<double>(), 0.25);
        QVERIFY(parsed["events"][1]["complexity"].is_null());
        QCOMPARE(first["attempts"][0]["http_status"].get<int>(), 503);
        QCOMPARE(first["input_tokens"].get<int>(), 7);
        QCOMPARE(first["cost_micro_usd"].get<int>(), 12);
    }
};

ROUTELEDGER_TEST_SUITE(TestUsagePageWriter)
#include "tst_usagepagewriter.moc"
