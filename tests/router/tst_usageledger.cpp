// UsageLedger: the router's SQLite ledger, group commit, cursors, policy history and schema upgrades.
#include "routerunittext.h"
#include "routing/promptchecks.h"
#include "store/sqlitedatabase.h"
#include "testsuites.h"
#include "usageledger.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <memory>
#include <string>

namespace {

using namespace std::chrono_literals;
using routerunittext::qs;
using routerunittext::tokenText;

constexpr std::int64_t kMonday = 1767607200000; // 2026-01-05T10:00:00Z

rl::LedgerEvent makeLedgerEvent(int i)
{
    static const rl::UsageStatus statuses[] = {rl::UsageStatus::Ok, rl::UsageStatus::Fallback, rl::UsageStatus::Error,
                                               rl::UsageStatus::Blocked};
    rl::LedgerEvent event;
    rl::UsageEvent &u = event.usage;
    u.requestId = "req-" + std::to_string(i);
    u.timeMs = kMonday + i * 1000;
    u.team = i % 2 == 0 ? "legal" : "support";
    u.user = "user-" + std::to_string(i % 3);
    u.app = "contracts";
    if (i % 5 != 0)
        u.tags = {"prod", "tag \"" + std::to_string(i) + "\""};
    u.requestedModel = i % 2 == 0 ? "auto" : "mid";
    u.model = "openai/gpt-5-mini";
    u.provider = "openai";
    u.tier = "mid";
    u.tierRank = 1;
    u.rule = "short-prompts";
    u.policyVersion = 7;
    u.tokens = {100 + i, 20, 5, 50 + i, 10};
    u.costMicro = 1000 + i;
    u.frontierCostMicro = 5000 + i;
    u.unpriced = i % 4 == 3;
    u.unmetered = i % 5 == 4;
    u.latencyMs = 800 + i;
    u.status = statuses[i % 4];
    if (i % 3 != 0)
        u.complexity = 0.125 * (i % 8);
    u.task = "summarize";
    event.httpStatus = i % 4 == 2 ? 502 : 200;
    event.stream = i % 2 == 0;
    event.firstByteMs = 120 + i;
    event.attempts = {{"openai/gpt-5", "timeout", 0, 30000}, {"openai/gpt-5-mini", "ok", 200, 800 + i}};
    if (i % 4 == 2)
        event.error = "upstream said \"no\"\nand closed";
    // The replay features (schema 3): every other event as an older router left them (unknown), the rest known.
    u.features.stream = event.stream; // the ledger's `stream` column, known since schema 1
    if (i % 2 == 1) {
        u.features.hasTools = i % 3 == 0;
        u.features.hasImages = i % 3 == 1;
        u.features.inputTokens = 90 + i;
        u.features.budgetUsed = 0.0625 * (i % 20);
        u.features.promptChecks =
            std::vector<rl::PromptCheck>{{"0123456789abcdef", i % 3 == 0}, {"fedcba9876543210", true}};
        if (i % 7 == 1)
            u.features.promptChecks->clear(); // known: the policies had no prompt condition
    }
    if (u.status == rl::UsageStatus::Fallback)
        u.routedModel = "openai/gpt-5";
    if (i % 4 != 0)
        u.shadow = rl::ShadowOutcome{3 + i,
                                     i % 4 == 3 ? "" : "light",
                                     i % 4 == 3 ? "" : "openai/gpt-5-nano",
                                     i % 4 == 3 ? "no-secrets" : "easy-to-light",
                                     i % 4 == 3,
                                     i % 4 == 3 ? 0 : 40 + i};
    if (i % 3 == 2)
        u.escalationOf = "req-" + std::to_string(i - 1);
    event.clientKeyId = i % 2 == 0 ? "00112233aabbccdd" : "";
    return event;
}

// The fields that differ between two events (the cursor aside), empty when none does.
std::string eventDiff(const rl::LedgerEvent &a, const rl::LedgerEvent &b)
{
    std::string diff;
    auto check = [&diff](const char *field, bool same) {
        if (!same)
            diff += std::string(diff.empty() ? "" : ", ") + field;
    };
    const rl::UsageEvent &x = a.usage;
    const rl::UsageEvent &y = b.usage;
    check("requestId", x.requestId == y.requestId);
    check("timeMs", x.timeMs == y.timeMs);
    check("team", x.team == y.team);
    check("user", x.user == y.user);
    check("app", x.app == y.app);
    check("tags", x.tags == y.tags);
    check("requestedModel", x.requestedModel == y.requestedModel);
    check("model", x.model == y.model);
    check("provider", x.provider == y.provider);
    check("tier", x.tier == y.tier);
    check("tierRank", x.tierRank == y.tierRank);
    check("rule", x.rule == y.rule);
    check("policyVersion", x.policyVersion == y.policyVersion);
    check("tokens", tokenText(x.tokens) == tokenText(y.tokens));
    check("costMicro", x.costMicro == y.costMicro);
    check("frontierCostMicro", x.frontierCostMicro == y.frontierCostMicro);
    check("unpriced", x.unpriced == y.unpriced);
    check("unmetered", x.unmetered == y.unmetered);
    check("latencyMs", x.latencyMs == y.latencyMs);
    check("status", x.status == y.status);
    check("complexity", x.complexity == y.complexity);
    check("task", x.task == y.task);
    check("routedModel", x.routedModel == y.routedModel);
    check("features", x.features == y.features);
    check("shadow", x.shadow == y.shadow);
    check("escalationOf", x.escalationOf == y.escalationOf);
    check("httpStatus", a.httpStatus == b.httpStatus);
    check("stream", a.stream == b.stream);
    check("firstByteMs", a.firstByteMs == b.firstByteMs);
    check("error", a.error == b.error);
    bool sameAttempts = a.attempts.size() == b.attempts.size();
    for (std::size_t i = 0; sameAttempts && i < a.attempts.size(); ++i) {
        sameAttempts = a.attempts[i].model == b.attempts[i].model && a.attempts[i].outcome == b.attempts[i].outcome
                       && a.attempts[i].httpStatus == b.attempts[i].httpStatus
                       && a.attempts[i].latencyMs == b.attempts[i].latencyMs;
    }
    check("attempts", sameAttempts);
    return diff;
}

rl::FeedbackRecord feedbackOn(const std::string &requestId, double score, std::optional<bool> thumbsUp = {},
                              const std::string &comment = {})
{
    rl::FeedbackRecord feedback;
    feedback.requestId = requestId;
    feedback.timeMs = kMonday + 60'000;
    feedback.score = score;
    feedback.thumbsUp = thumbsUp;
    feedback.comment = comment;
    return feedback;
}

std::unique_ptr<rl::UsageLedger> openLedger(const std::string &path, std::chrono::milliseconds window = 20ms)
{
    auto ledger = rl::UsageLedger::open(path, window);
    if (!ledger) {
        qWarning("cannot open the ledger: %s", ledger.error().message.c_str());
        return nullptr;
    }
    return std::move(ledger.value());
}

// Turns a current ledger back into what schema `version` (1 or 2) was: what later schemas added is dropped.
bool downgradeLedger(const std::string &path, int version)
{
    auto db = rl::SqliteDatabase::open(path);
    if (!db)
        return false;
    std::vector<std::string> statements;
    // v3: the replay features, the routed model, the shadow decision and the shadow policy's history.
    for (const char *column : {"routed_model", "has_tools", "has_images", "routed_input_tokens", "budget_used",
                               "prompt_checks", "shadow_policy_version", "shadow_tier", "shadow_model", "shadow_rule",
                               "shadow_blocked", "shadow_cost_micro_usd", "client_key_id", "escalation_of"})
        statements.push_back(std::string("ALTER TABLE ledger_events DROP COLUMN ") + column);
    statements.push_back("DROP TABLE shadow_policy_history");
    statements.push_back("DROP TABLE feedback");
    if (version < 2)
        statements.push_back("ALTER TABLE ledger_events DROP COLUMN unmetered");
    statements.push_back("PRAGMA user_version=" + std::to_string(version));
    for (const std::string &statement : statements) {
        if (auto done = db->execute(statement); !done) {
            qWarning("%s: %s", statement.c_str(), done.error().message.c_str());
            return false;
        }
    }
    return true;
}

} // namespace

class TestUsageLedger : public QObject {
    Q_OBJECT
private slots:
    void ledgerRoundTripsEvents()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        constexpr int count = 25;
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            for (int i = 0; i < count; ++i)
                ledger->append(makeLedgerEvent(i));
            ledger->stop();
            QCOMPARE(ledger->pendingCount(), std::size_t(0));
            QCOMPARE(ledger->committedCount(), std::uint64_t(count));
            QCOMPARE(ledger->droppedCount(), std::uint64_t(0));
            QCOMPARE(ledger->commitFailures(), std::uint64_t(0));
            QCOMPARE(ledger->lagMs(), std::int64_t(0));
        }
        auto ledger = openLedger(path);
        QVERIFY(ledger);
        auto page = ledger->read(0, 1000);
        QVERIFY2(page.ok(), page.ok() ? "" : page.error().message.c_str());
        QCOMPARE(page->events.size(), std::size_t(count));
        QCOMPARE(page->hasMore, false);
        QCOMPARE(page->nextCursor, page->events.back().cursor);
        std::int64_t previous = 0;
        for (int i = 0; i < count; ++i) {
            const rl::LedgerEvent &event = page->events[static_cast<std::size_t>(i)];
            const std::string diff = eventDiff(event, makeLedgerEvent(i));
            QVERIFY2(diff.empty(), qPrintable(QStringLiteral("event %1 differs in: %2").arg(i).arg(qs(diff))));
            QVERIFY2(event.cursor > previous, qPrintable(QStringLiteral("cursor of event %1").arg(i)));
            previous = event.cursor;
        }
        // Spot checks, should eventDiff itself be wrong.
        const rl::LedgerEvent &seventh = page->events[7];
        QCOMPARE(seventh.usage.tags, (std::vector<std::string>{"prod", "tag \"7\""}));
        QCOMPARE(seventh.usage.complexity, std::optional<double>(0.875));
        QCOMPARE(seventh.usage.tokens.input, std::int64_t(107));
        QCOMPARE(seventh.usage.tokens.cachedInput, std::int64_t(20));
        QCOMPARE(seventh.usage.tokens.reasoning, std::int64_t(10));
        QCOMPARE(seventh.usage.unpriced, true);
        QCOMPARE(int(seventh.usage.status), int(rl::UsageStatus::Blocked));
        QCOMPARE(seventh.attempts.size(), std::size_t(2));
        QCOMPARE(qs(seventh.attempts[0].outcome), QStringLiteral("timeout"));
        QCOMPARE(seventh.attempts[1].latencyMs, std::int64_t(807));
        QCOMPARE(page->events[0].usage.complexity, std::optional<double>());
        QVERIFY(page->events[0].usage.tags.empty());
        QCOMPARE(qs(page->events[6].error), QStringLiteral("upstream said \"no\"\nand closed"));
    }

    void ledgerPaging_data()
    {
        QTest::addColumn<int>("limit");
        QTest::newRow("1") << 1;
        QTest::newRow("4") << 4;
        QTest::newRow("5 (divides)") << 5;
        QTest::newRow("24") << 24;
        QTest::newRow("25 (all)") << 25;
        QTest::newRow("26") << 26;
        QTest::newRow("1000") << 1000;
    }

    void ledgerPaging()
    {
        QFETCH(int, limit);
        QTemporaryDir dir;
        auto ledger = openLedger(dir.filePath(QStringLiteral("ledger.db")).toStdString());
        QVERIFY(ledger);
        constexpr std::size_t count = 25;
        for (int i = 0; i < int(count); ++i)
            ledger->append(makeLedgerEvent(i));
        ledger->stop();
        auto whole = ledger->read(0, 1000);
        QVERIFY(whole.ok());
        QCOMPARE(whole->events.size(), count);

        const std::size_t pageSize = static_cast<std::size_t>(limit);
        std::vector<rl::LedgerEvent> pages;
        std::int64_t after = 0;
        for (int guard = 0; guard < 100; ++guard) {
            auto page = ledger->read(after, pageSize);
            QVERIFY(page.ok());
            const std::size_t remaining = count - pages.size();
            QCOMPARE(page->events.size(), std::min(pageSize, remaining));
            QCOMPARE(page->hasMore, remaining > pageSize);
            QCOMPARE(page->nextCursor, page->events.back().cursor);
            pages.insert(pages.end(), page->events.begin(), page->events.end());
            after = page->nextCursor;
            if (!page->hasMore)
                break;
        }
        QCOMPARE(pages.size(), count);
        for (std::size_t i = 0; i < count; ++i) {
            QCOMPARE(pages[i].cursor, whole->events[i].cursor);
            QCOMPARE(qs(pages[i].usage.requestId), qs(whole->events[i].usage.requestId));
        }

        // Past the end: an empty page that keeps the cursor.
        auto end = ledger->read(after, pageSize);
        QVERIFY(end.ok());
        QCOMPARE(end->events.size(), std::size_t(0));
        QCOMPARE(end->hasMore, false);
        QCOMPARE(end->nextCursor, after);
    }

    void ledgerCursorsGrowAcrossRestarts()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        std::int64_t lastBefore = 0;
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            for (int i = 0; i < 5; ++i)
                ledger->append(makeLedgerEvent(i));
            ledger->stop();
            auto page = ledger->read(0, 100);
            QVERIFY(page.ok());
            QCOMPARE(page->events.size(), std::size_t(5));
            lastBefore = page->nextCursor;
        }
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            for (int i = 5; i < 8; ++i)
                ledger->append(makeLedgerEvent(i));
            ledger->stop();
        }
        auto ledger = openLedger(path);
        QVERIFY(ledger);
        auto page = ledger->read(0, 100);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(8));
        for (std::size_t i = 0; i < 8; ++i)
            QCOMPARE(qs(page->events[i].usage.requestId), QStringLiteral("req-%1").arg(i));
        for (std::size_t i = 5; i < 8; ++i)
            QVERIFY(page->events[i].cursor > lastBefore);
        auto newer = ledger->read(lastBefore, 100);
        QVERIFY(newer.ok());
        QCOMPARE(newer->events.size(), std::size_t(3));
        QCOMPARE(qs(newer->events[0].usage.requestId), QStringLiteral("req-5"));
    }

    void ledgerHoldsEventsUntilTheWindowEndsOrStop()
    {
        QTemporaryDir dir;
        // A window far longer than the test: nothing can be committed before stop().
        auto ledger = openLedger(dir.filePath(QStringLiteral("ledger.db")).toStdString(), 600s);
        QVERIFY(ledger);
        for (int i = 0; i < 5; ++i)
            ledger->append(makeLedgerEvent(i));
        QCOMPARE(ledger->pendingCount(), std::size_t(5));
        QCOMPARE(ledger->committedCount(), std::uint64_t(0));
        QVERIFY(ledger->lagMs() >= 0);
        auto early = ledger->read(0, 100);
        QVERIFY(early.ok());
        QCOMPARE(early->events.size(), std::size_t(0));
        QCOMPARE(early->nextCursor, std::int64_t(0));

        ledger->stop(); // commits what is pending at once
        QCOMPARE(ledger->pendingCount(), std::size_t(0));
        QCOMPARE(ledger->committedCount(), std::uint64_t(5));
        QCOMPARE(ledger->lagMs(), std::int64_t(0));
        auto late = ledger->read(0, 100);
        QVERIFY(late.ok());
        QCOMPARE(late->events.size(), std::size_t(5));

        // After stop(), appends are dropped and counted.
        ledger->append(makeLedgerEvent(5));
        QCOMPARE(ledger->droppedCount(), std::uint64_t(1));
        QCOMPARE(ledger->pendingCount(), std::size_t(0));
        ledger->stop(); // a second stop is harmless
        auto after = ledger->read(0, 100);
        QVERIFY(after.ok());
        QCOMPARE(after->events.size(), std::size_t(5));
    }

    void ledgerCommitsEachWindow()
    {
        QTemporaryDir dir;
        auto ledger = openLedger(dir.filePath(QStringLiteral("ledger.db")).toStdString(), 20ms);
        QVERIFY(ledger);
        for (int i = 0; i < 10; ++i)
            ledger->append(makeLedgerEvent(i));
        QTRY_COMPARE(ledger->committedCount(), std::uint64_t(10));
        QCOMPARE(ledger->pendingCount(), std::size_t(0));
        auto first = ledger->read(0, 100);
        QVERIFY(first.ok());
        QCOMPARE(first->events.size(), std::size_t(10));

        // Read right away, the next events may not be there yet; after stop() they all are.
        for (int i = 10; i < 20; ++i)
            ledger->append(makeLedgerEvent(i));
        auto soon = ledger->read(0, 100);
        QVERIFY(soon.ok());
        QVERIFY(soon->events.size() >= 10 && soon->events.size() <= 20);
        ledger->stop();
        QCOMPARE(ledger->committedCount(), std::uint64_t(20));
        auto all = ledger->read(0, 100);
        QVERIFY(all.ok());
        QCOMPARE(all->events.size(), std::size_t(20));
        for (std::size_t i = 0; i < 20; ++i)
            QVERIFY2(eventDiff(all->events[i], makeLedgerEvent(int(i))).empty(), qPrintable(QString::number(i)));
    }

    void ledgerCommitsAFullBatchAtOnce()
    {
        QTemporaryDir dir;
        // The window never ends during the test: only a full batch makes the writer commit early.
        auto ledger = openLedger(dir.filePath(QStringLiteral("ledger.db")).toStdString(), 600s);
        QVERIFY(ledger);
        constexpr int full = int(rl::UsageLedger::kMaxBatch);
        for (int i = 0; i < full; ++i)
            ledger->append(makeLedgerEvent(i));
        QTRY_COMPARE(ledger->committedCount(), std::uint64_t(full));
        QCOMPARE(ledger->pendingCount(), std::size_t(0));
        for (int i = full; i < full + 10; ++i)
            ledger->append(makeLedgerEvent(i));
        QCOMPARE(ledger->pendingCount(), std::size_t(10));
        QCOMPARE(ledger->committedCount(), std::uint64_t(full));
        auto page = ledger->read(0, 10'000);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(full));
        ledger->stop();
        QCOMPARE(ledger->committedCount(), std::uint64_t(full + 10));
        page = ledger->read(0, 10'000);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(full + 10));
        QCOMPARE(qs(page->events.back().usage.requestId), QStringLiteral("req-%1").arg(full + 9));
    }

    void ledgerIgnoresDuplicateRequestIds()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        rl::LedgerEvent original = makeLedgerEvent(1);
        original.usage.requestId = "dup";
        rl::LedgerEvent again = makeLedgerEvent(2);
        again.usage.requestId = "dup";
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            ledger->append(original);
            ledger->append(again); // the same batch
            ledger->append(makeLedgerEvent(3));
            ledger->stop();
        }
        auto ledger = openLedger(path);
        QVERIFY(ledger);
        ledger->append(again); // a later session
        ledger->append(makeLedgerEvent(4));
        ledger->stop();
        auto page = ledger->read(0, 100);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(3));
        QCOMPARE(qs(page->events[0].usage.requestId), QStringLiteral("dup"));
        QVERIFY2(eventDiff(page->events[0], original).empty(), eventDiff(page->events[0], original).c_str());
        QCOMPARE(qs(page->events[1].usage.requestId), QStringLiteral("req-3"));
        QCOMPARE(qs(page->events[2].usage.requestId), QStringLiteral("req-4"));
    }

    void ledgerKeepsTheHighestVersionSaved()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            auto none = ledger->latestPolicy();
            QVERIFY(none.ok());
            QVERIFY(!none.value().has_value());
            QVERIFY(ledger->savePolicy({"{\"version\":1}", 1, "\"v1-aaaa\""}, kMonday).ok());
            QVERIFY(ledger->savePolicy({"{\"version\":2}", 2, "\"v2-bbbb\""}, kMonday + 1).ok());
            // Of two documents with one version (an older router accepted that), the last saved wins.
            QVERIFY(ledger->savePolicy({"{\"version\":2,\"name\":\"edited\"}", 2, "\"v2-cccc\""}, kMonday + 2).ok());
            // A lower version saved later (an older router accepted that too) never wins: a restart must
            // not go back to it.
            QVERIFY(ledger->savePolicy({"{\"version\":1}", 1, "\"v1-dddd\""}, kMonday + 3).ok());
            auto latest = ledger->latestPolicy();
            QVERIFY(latest.ok() && latest.value().has_value());
            QCOMPARE(qs(latest.value()->etag), QStringLiteral("\"v2-cccc\""));
        }
        auto ledger = openLedger(path);
        QVERIFY(ledger);
        auto latest = ledger->latestPolicy();
        QVERIFY(latest.ok());
        QVERIFY(latest.value().has_value());
        QCOMPARE(qs(latest.value()->document), QStringLiteral("{\"version\":2,\"name\":\"edited\"}"));
        QCOMPARE(latest.value()->version, std::int64_t(2));
        QCOMPARE(qs(latest.value()->etag), QStringLiteral("\"v2-cccc\""));
    }

    void ledgerRejectsAFileThatIsNotSqlite()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("garbage.db"));
        QByteArray garbage;
        for (int i = 0; i < 512; ++i)
            garbage += "this is not an SQLite file\n";
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QCOMPARE(file.write(garbage), garbage.size());
        }
        auto ledger = rl::UsageLedger::open(path.toStdString(), 20ms);
        QVERIFY(!ledger.ok());
        QCOMPARE(qs(ledger.error().code), QStringLiteral("store.not_a_database"));
        QVERIFY2(qs(ledger.error().message).contains(path), ledger.error().message.c_str());
        // The file is left as it was.
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), garbage);
    }

    void ledgerNamesAMissingFolder()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("no-such-folder"));
        auto ledger = rl::UsageLedger::open((folder + QStringLiteral("/ledger.db")).toStdString(), 20ms);
        QVERIFY(!ledger.ok());
        QCOMPARE(qs(ledger.error().code), QStringLiteral("ledger.no_folder"));
        QVERIFY2(qs(ledger.error().message).contains(folder), ledger.error().message.c_str());
        QVERIFY(!QFile::exists(folder));
    }

    void ledgerRefusesANewerSchema()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
        }
        {
            auto db = rl::SqliteDatabase::open(path);
            QVERIFY(db.ok());
            QVERIFY(db->execute("PRAGMA user_version=99").ok());
        }
        auto ledger = rl::UsageLedger::open(path, 20ms);
        QVERIFY(!ledger.ok());
        QCOMPARE(qs(ledger.error().code), QStringLiteral("ledger.newer"));
        QVERIFY2(qs(ledger.error().message).contains(QLatin1String("schema 99")), ledger.error().message.c_str());
    }

    // A ledger of schema 2 (before the replay features and the shadow decision) is upgraded in place: its events
    // stay, read with those fields unknown (no shadow), and new events keep them.
    void ledgerUpgradesSchemaTwo()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        rl::LedgerEvent old = makeLedgerEvent(3);
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            ledger->append(old);
            ledger->stop();
        }
        QVERIFY(downgradeLedger(path, 2));
        auto ledger = openLedger(path);
        QVERIFY(ledger);
        auto page = ledger->read(0, 10);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(1));
        const rl::UsageEvent &read = page->events[0].usage;
        QCOMPARE(read.requestId, old.usage.requestId);
        QCOMPARE(read.unmetered, old.usage.unmetered);
        QCOMPARE(read.features.stream, std::optional<bool>(old.stream));
        QCOMPARE(read.features.hasTools, std::optional<bool>());
        QCOMPARE(read.features.inputTokens, std::optional<std::int64_t>());
        QCOMPARE(read.features.budgetUsed, std::optional<double>());
        QVERIFY(!read.features.promptChecks);
        QVERIFY(read.routedModel.empty());
        QVERIFY(!read.shadow);
        QVERIFY(read.escalationOf.empty());
        auto shadow = ledger->currentShadowPolicy();
        QVERIFY(shadow.ok());
        QVERIFY(!shadow.value());
        // Nobody knows which client made an older router's event, so no client can rate it.
        for (const char *client : {"", "00112233aabbccdd"}) {
            auto rated = ledger->recordFeedback(client, feedbackOn(old.usage.requestId, 1.0));
            QVERIFY(rated.ok());
            QCOMPARE(rated.value(), rl::FeedbackOutcome::UnknownRequest);
        }
        ledger->append(makeLedgerEvent(5));
        ledger->stop();
        auto reopened = openLedger(path);
        QVERIFY(reopened);
        page = reopened->read(0, 10);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(2));
        const std::string diff = eventDiff(page->events[1], makeLedgerEvent(5));
        QVERIFY2(diff.empty(), diff.c_str());
        QVERIFY(page->events[1].usage.shadow);
        QVERIFY(page->events[1].usage.features.promptChecks);
        QCOMPARE(page->events[1].usage.escalationOf, std::string("req-4"));
        // The upgraded ledger stores feedback on its new events.
        auto rated = reopened->recordFeedback("", feedbackOn("req-5", 0.25));
        QVERIFY(rated.ok());
        QCOMPARE(rated.value(), rl::FeedbackOutcome::Stored);
        auto feedback = reopened->readFeedback(0, 10);
        QVERIFY(feedback.ok());
        QCOMPARE(feedback->feedback.size(), std::size_t(1));
        QCOMPARE(feedback->feedback[0].record.score, 0.25);
    }

    // Feedback: only the client that made a request rates it (another client's request reads as unknown); the same
    // feedback twice is stored once under one cursor; a different one replaces it under a new, higher cursor.
    void ledgerStoresFeedbackOncePerRequest()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        auto ledger = openLedger(path);
        QVERIFY(ledger);
        for (int i = 0; i < 4; ++i)
            ledger->append(makeLedgerEvent(i)); // even: client 00112233aabbccdd, odd: no key
        ledger->stop();
        ledger = openLedger(path);
        QVERIFY(ledger);
        const std::string client = "00112233aabbccdd";
        auto outcome = [&](const std::string &who, const rl::FeedbackRecord &feedback) {
            auto done = ledger->recordFeedback(who, feedback);
            return done.ok() ? done.value() : rl::FeedbackOutcome::UnknownRequest;
        };
        QCOMPARE(outcome(client, feedbackOn("req-0", 0.5)), rl::FeedbackOutcome::Stored);
        QCOMPARE(outcome(client, feedbackOn("req-0", 0.5)), rl::FeedbackOutcome::Unchanged);
        QCOMPARE(outcome("", feedbackOn("req-0", 0.1)), rl::FeedbackOutcome::UnknownRequest);
        QCOMPARE(outcome("ffffffffffffffff", feedbackOn("req-0", 0.1)), rl::FeedbackOutcome::UnknownRequest);
        QCOMPARE(outcome(client, feedbackOn("req-1", 0.1)), rl::FeedbackOutcome::UnknownRequest);
        QCOMPARE(outcome("", feedbackOn("req-1", 0.0, false, "slow")), rl::FeedbackOutcome::Stored);
        QCOMPARE(outcome(client, feedbackOn("no-such-request", 1.0)), rl::FeedbackOutcome::UnknownRequest);

        auto first = ledger->readFeedback(0, 10);
        QVERIFY(first.ok());
        QCOMPARE(first->feedback.size(), std::size_t(2));
        QCOMPARE(qs(first->feedback[0].record.requestId), QStringLiteral("req-0"));
        QCOMPARE(first->feedback[1].record, feedbackOn("req-1", 0.0, false, "slow"));
        QCOMPARE(first->nextCursor, first->feedback[1].cursor);
        QVERIFY(!first->hasMore);

        // Changed: a new cursor above everything read, the old row gone.
        QCOMPARE(outcome(client, feedbackOn("req-0", 1.0, true)), rl::FeedbackOutcome::Stored);
        auto after = ledger->readFeedback(first->nextCursor, 10);
        QVERIFY(after.ok());
        QCOMPARE(after->feedback.size(), std::size_t(1));
        QCOMPARE(after->feedback[0].record, feedbackOn("req-0", 1.0, true));
        QVERIFY(after->feedback[0].cursor > first->nextCursor);
        auto all = ledger->readFeedback(0, 1);
        QVERIFY(all.ok());
        QCOMPARE(all->feedback.size(), std::size_t(1));
        QCOMPARE(qs(all->feedback[0].record.requestId), QStringLiteral("req-1"));
        QVERIFY(all->hasMore);
    }

    // A request still waiting for the group commit can be rated already.
    void ledgerRatesAPendingRequest()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        auto ledger = openLedger(path, 1h); // nothing is committed during the test
        QVERIFY(ledger);
        ledger->append(makeLedgerEvent(2));
        QCOMPARE(ledger->pendingCount(), std::size_t(1));
        auto rated = ledger->recordFeedback("00112233aabbccdd", feedbackOn("req-2", 0.75));
        QVERIFY(rated.ok());
        QCOMPARE(rated.value(), rl::FeedbackOutcome::Stored);
        rated = ledger->recordFeedback("", feedbackOn("req-2", 0.75));
        QVERIFY(rated.ok());
        QCOMPARE(rated.value(), rl::FeedbackOutcome::UnknownRequest);
    }

    // The shadow policy in force survives a restart; ending shadow mode is remembered too.
    void ledgerKeepsTheShadowPolicy()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            auto none = ledger->currentShadowPolicy();
            QVERIFY(none.ok());
            QVERIFY(!none.value());
            QVERIFY(ledger->saveShadowPolicy(rl::StoredPolicy{"{\"version\":9}", 9, "\"v9-aaaa\""}, kMonday).ok());
            QVERIFY(ledger->saveShadowPolicy(rl::StoredPolicy{"{\"version\":2}", 2, "\"v2-bbbb\""}, kMonday + 1).ok());
        }
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            auto shadow = ledger->currentShadowPolicy();
            QVERIFY(shadow.ok());
            QVERIFY(shadow.value());
            // The last installed, not the highest version: shadow versions need not go up.
            QCOMPARE(shadow.value()->version, std::int64_t(2));
            QCOMPARE(qs(shadow.value()->etag), QStringLiteral("\"v2-bbbb\""));
            QVERIFY(ledger->saveShadowPolicy(std::nullopt, kMonday + 2).ok());
            // The live policy history is another table.
            auto live = ledger->latestPolicy();
            QVERIFY(live.ok());
            QVERIFY(!live.value());
        }
        auto ledger = openLedger(path);
        QVERIFY(ledger);
        auto ended = ledger->currentShadowPolicy();
        QVERIFY(ended.ok());
        QVERIFY(!ended.value());
    }

    // A ledger of schema 1 (before `unmetered`) is upgraded in place: its events stay, read as metered.
    void ledgerUpgradesSchemaOne()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ledger.db")).toStdString();
        {
            auto ledger = openLedger(path);
            QVERIFY(ledger);
            ledger->append(makeLedgerEvent(1));
            ledger->stop();
        }
        QVERIFY(downgradeLedger(path, 1));
        auto ledger = openLedger(path);
        QVERIFY(ledger);
        auto page = ledger->read(0, 10);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(1));
        QCOMPARE(page->events[0].usage.unmetered, false);
        rl::LedgerEvent unmetered = makeLedgerEvent(2);
        unmetered.usage.unmetered = true;
        ledger->append(unmetered);
        ledger->stop();
        auto reopened = openLedger(path);
        QVERIFY(reopened);
        page = reopened->read(0, 10);
        QVERIFY(page.ok());
        QCOMPARE(page->events.size(), std::size_t(2));
        QCOMPARE(page->events[1].usage.unmetered, true);
    }
};

ROUTELEDGER_TEST_SUITE(TestUsageLedger)
#include "tst_usageledger.moc"
