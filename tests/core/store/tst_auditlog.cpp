// The store's audit log: every change an admin makes is appended with its actor, time, object and before and
// after; the store refuses to change or delete an entry; and the hash chain finds an entry edited, deleted or
// moved in the file by someone who went around the store (a second connection that dropped the triggers).
#include "testsuites.h"

#include "store/auditlog.h"
#include "store/usagestore.h"
#include "teambudget.h"

#include <nlohmann/json.hpp>

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

using json = nlohmann::json;

constexpr std::int64_t kNow = 1767607200000; // 2026-01-05T10:00:00Z

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

json parsedOrNull(const std::string &text)
{
    return text.empty() ? json(nullptr) : json::parse(text);
}

struct OpenStore {
    QTemporaryDir dir;
    std::string path = dir.filePath(QStringLiteral("store.db")).toStdString();
    std::shared_ptr<std::int64_t> now = std::make_shared<std::int64_t>(kNow);
    std::optional<rl::UsageStore> store;

    OpenStore() { reopen(); }
    void reopen()
    {
        store.reset();
        auto opened = rl::UsageStore::open(path, [now = now] { return *now; });
        if (!opened)
            qFatal("%s", opened.error().message.c_str());
        store = std::move(opened).value();
        store->setActor("ana");
    }
    rl::UsageStore *operator->() { return &*store; }

    std::vector<rl::AuditEntry> entries(const rl::AuditFilter &filter = {})
    {
        auto all = store->auditEntries(filter);
        if (!all)
            qFatal("%s", all.error().message.c_str());
        return all.value();
    }
    rl::AuditEntry last() { return entries().back(); }
    std::size_t count() { return entries().size(); }
};

// Five entries: budgets set, changed and removed, a discount, a draft.
void writeFive(OpenStore &s)
{
    for (const auto &budget : {testdata::teamBudget("legal", rl::BudgetPeriod::Month, 5'000'000),
                               testdata::teamBudget("legal", rl::BudgetPeriod::Month, 7'000'000),
                               testdata::teamBudget("ops", rl::BudgetPeriod::Week, 1'000'000)}) {
        *s.now += 1000;
        QVERIFY(s->saveBudget(budget).ok());
    }
    *s.now += 1000;
    QVERIFY(s->addProviderDiscount({"openai", 1000, kNow}).ok());
    *s.now += 1000;
    QVERIFY(s->savePolicyDraft({"draft", "{}", 0, {}, {}}).ok());
    QCOMPARE(s.count(), std::size_t(5));
}

} // namespace

class TestAuditLog : public QObject {
    Q_OBJECT
private slots:
    // The hash is SHA-256 over the documented serialization (checked here with Qt's own SHA-256).
    void hashIsOverTheDocumentedSerialization()
    {
        rl::AuditEntry e{17, kNow, "ana", "budget.set", "legal", "", "{\"a\":1}", std::string(64, '0'), {}};
        const std::string expected =
            "routeledger.audit/v1;2:17;13:1767607200000;3:ana;10:budget.set;5:legal;0:;7:{\"a\":"
            "1};64:"
            + std::string(64, '0') + ";";
        QCOMPARE(qs(rl::AuditLog::canonicalText(e)), qs(expected));
        QCOMPARE(
            qs(rl::AuditLog::hashOf(e)),
            QString::fromLatin1(
                QCryptographicHash::hash(QByteArray::fromStdString(expected), QCryptographicHash::Sha256).toHex()));
        // Field boundaries are exact: moving a byte from one field to the next changes the hash.
        rl::AuditEntry shifted = e;
        shifted.actor = "an";
        shifted.action = "abudget.set";
        QVERIFY(rl::AuditLog::hashOf(shifted) != rl::AuditLog::hashOf(e));
    }

    void everyChangeIsLoggedWithBeforeAndAfter()
    {
        OpenStore s;
        auto expectLast = [&](const char *action, const char *object, const json &before, const json &after) {
            const rl::AuditEntry e = s.last();
            QCOMPARE(qs(e.action), QString::fromUtf8(action));
            QCOMPARE(qs(e.object), QString::fromUtf8(object));
            QCOMPARE(qs(e.actor), QStringLiteral("ana"));
            QCOMPARE(e.timeMs, *s.now);
            QCOMPARE(qs(parsedOrNull(e.before).dump()), qs(before.dump()));
            QCOMPARE(qs(parsedOrNull(e.after).dump()), qs(after.dump()));
        };
        const auto budgetJson = [](std::int64_t id, const char *period, std::int64_t limit) {
            return json{{"id", id},
                        {"scope", "team:legal"},
                        {"each_user", false},
                        {"period", period},
                        {"limit_micro_usd", limit},
                        {"thresholds_percent", {50, 80, 100}},
                        {"enforce", "notify"},
                        {"rollover", false}};
        };
        auto saved = s->saveBudget(testdata::teamBudget("legal", rl::BudgetPeriod::Month, 5'000'000));
        QVERIFY(saved.ok());
        expectLast("budget.set", "team:legal · month", nullptr, budgetJson(saved->id, "month", 5'000'000));
        *s.now += 1;
        rl::SpendBudget edited = saved.value();
        edited.period = rl::BudgetPeriod::Quarter;
        edited.limitMicro = 9'000'000;
        QVERIFY(s->saveBudget(edited).ok());
        expectLast("budget.set", "team:legal · quarter", budgetJson(saved->id, "month", 5'000'000),
                   budgetJson(saved->id, "quarter", 9'000'000));
        const std::size_t before = s.count();
        QVERIFY(s->saveBudget(edited).ok()); // no change: nothing logged
        edited.limitMicro = -1;
        QVERIFY(!s->saveBudget(edited).ok()); // refused: nothing logged
        QCOMPARE(s.count(), before);
        *s.now += 1;
        QVERIFY(s->removeBudget(saved->id).ok());
        expectLast("budget.remove", "team:legal · quarter", budgetJson(saved->id, "quarter", 9'000'000), nullptr);

        *s.now += 1;
        const std::string catalog =
            R"({"openai/gpt-x":{"litellm_provider":"openai","input_cost_per_token":1e-6,"output_cost_per_token":2e-6}})";
        QVERIFY(s->importPriceCatalog(catalog).ok());
        expectLast("price.import", "price catalog", nullptr,
                   {{"sha256", QCryptographicHash::hash(QByteArray::fromStdString(catalog), QCryptographicHash::Sha256)
                                   .toHex()
                                   .toStdString()},
                    {"bytes", catalog.size()}});
        *s.now += 1;
        QVERIFY(s->addPriceOverride({"openai/gpt-x", {1, 2, 3, 4, 5}, kNow}).ok());
        expectLast("price.override", "openai/gpt-x", nullptr,
                   {{"model", "openai/gpt-x"},
                    {"effective_from_ms", kNow},
                    {"input_pico", 1},
                    {"cached_input_pico", 2},
                    {"cache_write_pico", 3},
                    {"output_pico", 4},
                    {"reasoning_pico", 5}});
        *s.now += 1;
        QVERIFY(s->addPriceOverride({"openai/gpt-x", {6, 2, 3, 4, 5}, kNow}).ok());
        QCOMPARE(parsedOrNull(s.last().before)["input_pico"], json(1));
        QCOMPARE(parsedOrNull(s.last().after)["input_pico"], json(6));
        *s.now += 1;
        QVERIFY(s->addProviderDiscount({"openai", 1250, kNow}).ok());
        expectLast("price.discount", "openai", nullptr,
                   {{"provider", "openai"}, {"effective_from_ms", kNow}, {"basis_points", 1250}});

        // Sources: the settings hold no secret, and the log never gets one even when a URL or an option has it.
        *s.now += 1;
        rl::SourceSettings source{"eu", "router", "https://admin:hunter2@router.example/v1",
                                  300,  false,    R"({"key_env":"EU_KEY","api_token":"sk-live-123"})",
                                  0,    true};
        QVERIFY(s->saveSourceSettings(source).ok());
        const rl::AuditEntry added = s.last();
        QCOMPARE(qs(added.action), QStringLiteral("source.add"));
        QCOMPARE(qs(added.object), QStringLiteral("eu"));
        QVERIFY(!qs(added.after).contains(QStringLiteral("hunter2")));
        QVERIFY(!qs(added.after).contains(QStringLiteral("sk-live-123")));
        QCOMPARE(parsedOrNull(added.after)["base_url"], json("https://[redacted]@router.example/v1"));
        QCOMPARE(parsedOrNull(added.after)["options"]["key_env"], json("EU_KEY")); // a variable's name is no secret
        *s.now += 1;
        source.intervalS = 600;
        QVERIFY(s->saveSourceSettings(source).ok());
        QCOMPARE(qs(s.last().action), QStringLiteral("source.change"));
        QCOMPARE(parsedOrNull(s.last().before)["interval_s"], json(300));
        QCOMPARE(parsedOrNull(s.last().after)["interval_s"], json(600));

        *s.now += 1;
        rl::IngestBatch batch;
        batch.source = "eu";
        batch.cursor = "page-7";
        QVERIFY(s->ingest(batch).ok());
        QVERIFY(s->resetCursors("eu").ok());
        expectLast("source.reset_cursor", "eu", {{"cursors", {{"eu", "page-7"}}}}, {{"cursors", {{"eu", nullptr}}}});
        *s.now += 1;
        QVERIFY(s->renameSource("eu", "europe").ok());
        expectLast("source.rename", "europe", {{"name", "eu"}}, {{"name", "europe"}});
        *s.now += 1;
        QVERIFY(s->removeSourceSettings("europe").ok());
        QCOMPARE(qs(s.last().action), QStringLiteral("source.remove"));
        QCOMPARE(parsedOrNull(s.last().before)["interval_s"], json(600));
        QCOMPARE(qs(s.last().after), QString());

        *s.now += 1;
        QVERIFY(s->setIdentityMappings({{rl::IdentityField::Project, "proj_1", "legal", ""}}).ok());
        expectLast("identity.mappings", "identity mappings", json::array(),
                   json::array({{{"field", "project"}, {"value", "proj_1"}, {"team", "legal"}, {"app", ""}}}));

        QVERIFY(s->appendAudit({"policy.push", "eu", "", "{\"outcome\":\"applied\"}"}).ok());
        QCOMPARE(qs(s.last().action), QStringLiteral("policy.push"));
        QVERIFY(!s->appendAudit({"", "x", "", ""}).ok());

        const auto verified = s->verifyAudit();
        QVERIFY(verified.ok() && verified->ok);
        QCOMPARE(verified->entries, std::int64_t(s.count()));
    }

    // The store itself never changes or deletes an entry: the triggers refuse, and nothing changes.
    void theStoreRefusesToChangeTheLog()
    {
        OpenStore s;
        writeFive(s);
        const std::vector<rl::AuditEntry> before = s.entries();
        for (const char *sql : {"UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
                                "DELETE FROM audit_log WHERE seq = 5", "DELETE FROM audit_log"}) {
            auto refused = s->database().execute(sql);
            QVERIFY2(!refused.ok(), sql);
            QVERIFY2(qs(refused.error().message).contains(QStringLiteral("append-only")),
                     qPrintable(qs(refused.error().message)));
        }
        QCOMPARE(s.entries().size(), before.size());
        QCOMPARE(qs(s.entries()[1].actor), QStringLiteral("ana"));
    }

    void anIntactLogVerifies()
    {
        OpenStore s;
        auto empty = s->verifyAudit();
        QVERIFY(empty.ok() && empty->ok);
        QCOMPARE(empty->entries, std::int64_t(0));
        QCOMPARE(qs(empty->lastHash), QString(64, '0'));
        writeFive(s);
        s.reopen();
        auto verified = s->verifyAudit();
        QVERIFY(verified.ok());
        QVERIFY(verified->ok);
        QCOMPARE(verified->entries, std::int64_t(5));
        QVERIFY(!verified->firstBadSeq);
        QCOMPARE(qs(verified->lastHash), qs(s.last().hash));
        const std::vector<rl::AuditEntry> all = s.entries();
        QCOMPARE(qs(all.front().prevHash), QString(64, '0'));
        for (std::size_t i = 0; i < all.size(); ++i) {
            QCOMPARE(all[i].seq, std::int64_t(i + 1));
            if (i > 0)
                QCOMPARE(qs(all[i].prevHash), qs(all[i - 1].hash));
        }
    }

    // Someone with the file and the sqlite3 tool drops the triggers and changes the log.
    void theChainCatchesTampering_data()
    {
        QTest::addColumn<QString>("attack");
        QTest::addColumn<qint64>("firstBad");
        QTest::addColumn<QString>("problem");
        QTest::newRow("edited") << QStringLiteral("UPDATE audit_log SET \"after\" = "
                                                  "'{\"team\":\"legal\",\"period\":\"month\",\"limit_micro\":1}' "
                                                  "WHERE seq = 3")
                                << qint64(3) << QStringLiteral("entry 3 was edited (its hash does not match)");
        QTest::newRow("actor edited") << QStringLiteral("UPDATE audit_log SET actor = 'bo' WHERE seq = 1") << qint64(1)
                                      << QStringLiteral("entry 1 was edited (its hash does not match)");
        QTest::newRow("deleted") << QStringLiteral("DELETE FROM audit_log WHERE seq = 3") << qint64(3)
                                 << QStringLiteral("entry 3 is missing");
        QTest::newRow("two deleted") << QStringLiteral("DELETE FROM audit_log WHERE seq IN (2, 3)") << qint64(2)
                                     << QStringLiteral("entries 2 to 3 are missing");
        QTest::newRow("first deleted") << QStringLiteral("DELETE FROM audit_log WHERE seq = 1") << qint64(1)
                                       << QStringLiteral("entry 1 is missing");
        QTest::newRow("swapped") << QStringLiteral("UPDATE audit_log SET seq = -3 WHERE seq = 3; UPDATE audit_log SET "
                                                   "seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -3")
                                 << qint64(3) << QStringLiteral("entries 3 and 4 are out of order");
        // Deleted and the later entries renumbered: each hash was taken over its own number.
        QTest::newRow("deleted and renumbered")
            << QStringLiteral("DELETE FROM audit_log WHERE seq = 2; UPDATE audit_log SET seq = seq - 1 WHERE seq > 2")
            << qint64(2) << QStringLiteral("entry 2 is missing (the entries after it were renumbered)");
        // Edited and its hash recomputed ("REHASH 3"): the next entry no longer links to it.
        QTest::newRow("edited with a new hash")
            << QStringLiteral("UPDATE audit_log SET object = 'sales' WHERE seq = 3; REHASH 3") << qint64(3)
            << QStringLiteral("entry 4 does not follow entry 3 (entry 3 was rewritten with a new hash, or entries were "
                              "removed or replaced)");
    }
    void theChainCatchesTampering()
    {
        QFETCH(QString, attack);
        QFETCH(qint64, firstBad);
        QFETCH(QString, problem);
        OpenStore s;
        writeFive(s);
        s.store.reset(); // the app is closed
        {
            auto attacker = rl::SqliteDatabase::open(s.path);
            QVERIFY(attacker.ok());
            QVERIFY(attacker->execute("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete").ok());
            QString sql = attack;
            int rehash = -1;
            if (const qsizetype at = sql.indexOf(QStringLiteral("; REHASH ")); at >= 0) {
                rehash = sql.mid(at + 9).toInt();
                sql = sql.left(at);
            }
            QVERIFY(attacker->execute(sql.toStdString()).ok());
            if (rehash > 0) {
                auto row = attacker->prepare("SELECT seq, time_ms, actor, action, object, \"before\", \"after\", "
                                             "prev_hash FROM audit_log WHERE seq = ?1");
                QVERIFY(row.ok());
                row->bind(1, std::int64_t(rehash));
                QVERIFY(row->step().value());
                rl::AuditEntry e{row->int64(0), row->int64(1), row->text(2),
                                 row->text(3),  row->text(4),  row->text(5),
                                 row->text(6),  row->text(7),  {}};
                row->reset();
                auto update = attacker->prepare("UPDATE audit_log SET hash = ?1 WHERE seq = ?2");
                QVERIFY(update.ok());
                update->bind(1, rl::AuditLog::hashOf(e)).bind(2, std::int64_t(rehash));
                QVERIFY(update->run().ok());
            }
        }
        s.reopen();
        auto verified = s->verifyAudit();
        QVERIFY(verified.ok());
        QVERIFY(!verified->ok);
        QCOMPARE(verified->firstBadSeq, std::optional<std::int64_t>(firstBad));
        QCOMPARE(qs(verified->problem), problem);
        QVERIFY(qs(verified->advice).contains(QStringLiteral("from entry %1 on").arg(firstBad)));
        QVERIFY(qs(verified->advice).contains(QStringLiteral("restore the backup")));
    }

    // The limit: entries cut off the end leave a chain that holds. Only a copy of the last hash shows it.
    void aShortenedTailIsOnlySeenAgainstAKeptLastHash()
    {
        OpenStore s;
        writeFive(s);
        const std::string kept = s->verifyAudit()->lastHash;
        s.store.reset();
        {
            auto attacker = rl::SqliteDatabase::open(s.path);
            QVERIFY(attacker.ok());
            QVERIFY(attacker->execute("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq >= 4").ok());
        }
        s.reopen();
        auto verified = s->verifyAudit();
        QVERIFY(verified->ok);
        QCOMPARE(verified->entries, std::int64_t(3));
        QVERIFY(verified->lastHash != kept);
    }

    void entriesAreFiltered()
    {
        OpenStore s;
        writeFive(s);
        s->setActor("bo");
        *s.now += 1000;
        QVERIFY(s->saveSourceSettings({"eu-router", "router", "http://127.0.0.1:9", 300, false, "{}", 0, true}).ok());
        auto seqs = [&](const rl::AuditFilter &filter) {
            std::vector<std::int64_t> out;
            for (const rl::AuditEntry &e : s.entries(filter))
                out.push_back(e.seq);
            return out;
        };
        using Seqs = std::vector<std::int64_t>;
        rl::AuditFilter f;
        QCOMPARE(seqs(f), (Seqs{1, 2, 3, 4, 5, 6}));
        f.action = "budget.set";
        QCOMPARE(seqs(f), (Seqs{1, 2, 3}));
        f.action = "budget."; // a prefix
        QCOMPARE(seqs(f), (Seqs{1, 2, 3}));
        f.action = "budget";
        QCOMPARE(seqs(f), Seqs{});
        f = {};
        f.object = "eu"; // inside the object's name
        QCOMPARE(seqs(f), Seqs{6});
        f = {};
        f.actor = "bo";
        QCOMPARE(seqs(f), Seqs{6});
        f = {};
        f.fromMs = kNow + 2000;
        f.toMs = kNow + 4000; // exclusive
        QCOMPARE(seqs(f), (Seqs{2, 3}));
    }
};

ROUTELEDGER_TEST_SUITE(TestAuditLog)
#include "tst_auditlog.moc"
