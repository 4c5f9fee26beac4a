// The store's policy drafts, published versions and router deployments (schema 7): several drafts at once,
// saved whatever they hold, versions numbered without gaps and stored canonical, invalid documents and empty
// notes refused, a rollback published as a new version, the latest deployment per router, each change in the
// audit log with its before and after.
#include "testsuites.h"

#include "demo/demoworkload.h"
#include "routing/policyparser.h"
#include "routing/policywriter.h"
#include "store/storeschema.h"
#include "store/usagestore.h"

#include <nlohmann/json.hpp>

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

std::string canonical(const std::string &text)
{
    rl::PolicyLoad load = rl::PolicyParser::parse(text);
    if (!load.ok())
        qFatal("not a valid policy: %s", load.errors.front().line().c_str());
    return rl::PolicyWriter::toText(*load.policy);
}

// The document with another version number, as canonical text.
std::string withVersion(const std::string &text, std::int64_t version)
{
    json document = json::parse(text);
    document["version"] = version;
    return canonical(document.dump());
}

struct OpenStore {
    QTemporaryDir dir;
    std::shared_ptr<std::int64_t> now = std::make_shared<std::int64_t>(kNow);
    std::optional<rl::UsageStore> store;

    OpenStore()
    {
        auto opened =
            rl::UsageStore::open(dir.filePath(QStringLiteral("store.db")).toStdString(), [now = now] { return *now; });
        if (!opened)
            qFatal("%s", opened.error().message.c_str());
        store = std::move(opened).value();
        store->setActor("ana");
    }
    rl::UsageStore *operator->() { return &*store; }

    std::vector<rl::AuditEntry> audit(const std::string &action = {})
    {
        rl::AuditFilter filter;
        filter.action = action;
        auto entries = store->auditEntries(filter);
        if (!entries)
            qFatal("%s", entries.error().message.c_str());
        return entries.value();
    }
};

} // namespace

class TestStorePolicies : public QObject {
    Q_OBJECT
private slots:
    void draftsAreSavedByNameWhateverTheyHold()
    {
        OpenStore s;
        QVERIFY(s->policyDrafts()->empty());
        QVERIFY(s->savePolicyDraft({"cheaper", "{\"schema\": ", 0, {}, 2}).ok()); // being typed: not even JSON
        *s.now += 1000;
        QVERIFY(s->savePolicyDraft({"legal", rl::DemoWorkload::policyVersion1(), 0, "bo", std::nullopt}).ok());
        *s.now += 1000;
        QVERIFY(s->savePolicyDraft({"cheaper", rl::DemoWorkload::policyVersion2(), 0, {}, 2}).ok()); // upsert

        auto drafts = s->policyDrafts();
        QVERIFY(drafts.ok());
        QCOMPARE(drafts->size(), std::size_t(2));
        const rl::PolicyDraftRecord &cheaper = drafts->at(0); // by name
        QCOMPARE(qs(cheaper.name), QStringLiteral("cheaper"));
        QCOMPARE(qs(cheaper.document), qs(rl::DemoWorkload::policyVersion2())); // as typed, not rewritten
        QCOMPARE(cheaper.updatedMs, kNow + 2000);
        QCOMPARE(qs(cheaper.updatedBy), QStringLiteral("ana")); // the store's actor by default
        QCOMPARE(cheaper.baseVersion, std::optional<std::int64_t>(2));
        QCOMPARE(qs(drafts->at(1).updatedBy), QStringLiteral("bo"));
        QCOMPARE(drafts->at(1).baseVersion, std::optional<std::int64_t>());

        // Saving the same document again changes nothing and logs nothing.
        QCOMPARE(s.audit("policy.draft_save").size(), std::size_t(3));
        QVERIFY(s->savePolicyDraft({"cheaper", rl::DemoWorkload::policyVersion2(), 0, {}, 2}).ok());
        QCOMPARE(s.audit("policy.draft_save").size(), std::size_t(3));

        const std::vector<rl::AuditEntry> saves = s.audit("policy.draft_save");
        QCOMPARE(qs(saves[0].before), QString());
        QCOMPARE(json::parse(saves[0].after), json("{\"schema\": ")); // not JSON: kept as a JSON string
        QCOMPARE(json::parse(saves[2].before), json("{\"schema\": "));
        QCOMPARE(json::parse(saves[2].after), json::parse(rl::DemoWorkload::policyVersion2()));
        QVERIFY(!qs(saves[2].after).contains('\n')); // compact

        QVERIFY(s->deletePolicyDraft("legal").ok());
        QCOMPARE(s->policyDrafts()->size(), std::size_t(1));
        auto again = s->deletePolicyDraft("legal");
        QVERIFY(!again.ok());
        QCOMPARE(qs(again.error().code), QStringLiteral("policy.no_draft"));
        QVERIFY(qs(again.error().message).contains(QStringLiteral("\"legal\"")));
        const std::vector<rl::AuditEntry> deletes = s.audit("policy.draft_delete");
        QCOMPARE(deletes.size(), std::size_t(1));
        QCOMPARE(qs(deletes[0].object), QStringLiteral("legal"));
        QCOMPARE(json::parse(deletes[0].before), json::parse(rl::DemoWorkload::policyVersion1()));
        QCOMPARE(qs(deletes[0].after), QString());

        auto unnamed = s->savePolicyDraft({" ", "{}", 0, {}, {}});
        QVERIFY(!unnamed.ok());
        QCOMPARE(qs(unnamed.error().code), QStringLiteral("policy.invalid_draft"));
    }

    void publishingNumbersVersionsAndStoresCanonicalText()
    {
        OpenStore s;
        json first = json::parse(rl::DemoWorkload::policyVersion2());
        first["version"] = 41; // whatever the document says, it becomes version 1
        auto v1 = s->publishPolicy(first.dump(), "first");
        QVERIFY2(v1.ok(), v1.ok() ? "" : v1.error().message.c_str());
        QCOMPARE(v1->version, std::int64_t(1));
        QCOMPARE(qs(v1->document), qs(withVersion(rl::DemoWorkload::policyVersion2(), 1)));
        QCOMPARE(qs(v1->document), qs(canonical(v1->document))); // canonical: a second write changes nothing
        QCOMPARE(v1->publishedMs, kNow);
        QCOMPARE(qs(v1->publishedBy), QStringLiteral("ana"));
        QCOMPARE(qs(v1->note), QStringLiteral("first"));
        QVERIFY(!v1->rollbackOf);

        *s.now += 60'000;
        s->setActor("bo");
        auto v2 = s->publishPolicy(rl::DemoWorkload::policyVersion1(), "second");
        QVERIFY(v2.ok());
        QCOMPARE(v2->version, std::int64_t(2));
        auto versions = s->policyVersions();
        QVERIFY(versions.ok());
        QCOMPARE(versions->size(), std::size_t(2));
        QCOMPARE(versions->at(0).version, std::int64_t(1));
        QCOMPARE(qs(versions->at(1).document), qs(withVersion(rl::DemoWorkload::policyVersion1(), 2)));
        QCOMPARE(qs(versions->at(1).publishedBy), QStringLiteral("bo"));
        QCOMPARE(versions->at(1).publishedMs, kNow + 60'000);

        const std::vector<rl::AuditEntry> log = s.audit("policy.publish");
        QCOMPARE(log.size(), std::size_t(2));
        QCOMPARE(qs(log[0].object), QStringLiteral("version 1"));
        QCOMPARE(qs(log[0].before), QString());
        QCOMPARE(json::parse(log[0].after), json::parse(v1->document));
        QCOMPARE(qs(log[1].actor), QStringLiteral("bo"));
        QCOMPARE(json::parse(log[1].before), json::parse(v1->document)); // the previous published version
        QCOMPARE(json::parse(log[1].after), json::parse(v2->document));

        // Above what a router holds from elsewhere: at least that number; never below max + 1.
        auto above = s->publishPolicy(v2->document, "over the router's v6", std::nullopt, 7);
        QVERIFY(above.ok());
        QCOMPARE(above->version, std::int64_t(7));
        QCOMPARE(qs(above->document), qs(withVersion(v2->document, 7)));
        QCOMPARE(s->publishPolicy(v2->document, "next", std::nullopt, 3)->version, std::int64_t(8));
    }

    void invalidDocumentsAndEmptyNotesAreRefused()
    {
        OpenStore s;
        json bad = json::parse(rl::DemoWorkload::policyVersion1());
        bad["default_tier"] = "nowhere";
        bad["rules"][0]["when"]["prompt"]["matches"] = "(unclosed";
        const rl::PolicyLoad load = rl::PolicyParser::parse(bad.dump());
        QVERIFY(load.errors.size() >= 2);
        auto refused = s->publishPolicy(bad.dump(), "a note");
        QVERIFY(!refused.ok());
        QCOMPARE(qs(refused.error().code), QStringLiteral("policy.invalid"));
        for (const rl::PolicyIssue &issue : load.errors) // every error, one line each
            QVERIFY2(qs(refused.error().message).contains(QStringLiteral("\n") + qs(issue.line())),
                     qPrintable(qs(refused.error().message)));
        for (const char *note : {"", "  \n"}) {
            auto noNote = s->publishPolicy(rl::DemoWorkload::policyVersion1(), note);
            QVERIFY(!noNote.ok());
            QCOMPARE(qs(noNote.error().code), QStringLiteral("policy.note_required"));
        }
        auto notJson = s->publishPolicy("{", "a note");
        QVERIFY(!notJson.ok());
        QVERIFY(s->policyVersions()->empty());
        QVERIFY(s.audit().empty()); // nothing published, nothing logged
    }

    void rollbackPublishesAnEarlierVersionAgain()
    {
        OpenStore s;
        auto v1 = s->publishPolicy(rl::DemoWorkload::policyVersion1(), "one");
        auto v2 = s->publishPolicy(rl::DemoWorkload::policyVersion2(), "two");
        QVERIFY(v1.ok() && v2.ok());
        auto v3 = s->publishPolicy(v1->document, "back to one: two sent too much to light", 1);
        QVERIFY2(v3.ok(), v3.ok() ? "" : v3.error().message.c_str());
        QCOMPARE(v3->version, std::int64_t(3)); // history stays linear
        QCOMPARE(v3->rollbackOf, std::optional<std::int64_t>(1));
        QCOMPARE(qs(v3->document), qs(withVersion(v1->document, 3)));
        QCOMPARE(s->policyVersions()->back().rollbackOf, std::optional<std::int64_t>(1));
        const std::vector<rl::AuditEntry> rollbacks = s.audit("policy.rollback");
        QCOMPARE(rollbacks.size(), std::size_t(1));
        QCOMPARE(qs(rollbacks[0].object), QStringLiteral("version 3"));
        QCOMPARE(json::parse(rollbacks[0].before), json::parse(v2->document));
        QCOMPARE(json::parse(rollbacks[0].after), json::parse(v3->document));

        auto nowhere = s->publishPolicy(v1->document, "to a version that never was", 9);
        QVERIFY(!nowhere.ok());
        QCOMPARE(qs(nowhere.error().code), QStringLiteral("policy.no_version"));
        QCOMPARE(s->policyVersions()->size(), std::size_t(3));
    }

    void deploymentsKeepTheLatestPerRouter()
    {
        OpenStore s;
        QVERIFY(s->recordPolicyPush({"eu", "http://127.0.0.1:1", 1, "\"v1-a\"", 0, "applied"}, "").ok());
        *s.now += 1000;
        QVERIFY(s->recordPolicyPush({"us", "http://127.0.0.1:2", 0, "", 0, "unreachable"}, "connection refused").ok());
        *s.now += 1000;
        QVERIFY(s->recordPolicyPush({"eu", "http://127.0.0.1:1", 2, "\"v2-b\"", 0, "applied"}, "").ok());
        auto deployments = s->routerDeployments();
        QVERIFY(deployments.ok());
        QCOMPARE(deployments->size(), std::size_t(2));
        QCOMPARE(qs(deployments->at(0).router), QStringLiteral("eu"));
        QCOMPARE(deployments->at(0).version, std::int64_t(2));
        QCOMPARE(qs(deployments->at(0).etag), QStringLiteral("\"v2-b\""));
        QCOMPARE(deployments->at(0).atMs, kNow + 2000);
        QCOMPARE(qs(deployments->at(1).router), QStringLiteral("us"));
        QCOMPARE(qs(deployments->at(1).outcome), QStringLiteral("unreachable"));

        const std::vector<rl::AuditEntry> pushes = s.audit("policy.push");
        QCOMPARE(pushes.size(), std::size_t(3));
        QCOMPARE(qs(pushes[1].object), QStringLiteral("us"));
        QCOMPARE(json::parse(pushes[1].after)["details"], json("connection refused"));
        QCOMPARE(json::parse(pushes[1].after)["outcome"], json("unreachable"));
        QCOMPARE(json::parse(pushes[2].before)["etag"], json("\"v1-a\"")); // what the router had
        QCOMPARE(json::parse(pushes[2].after)["version"], json(2));
    }

    // A store of every earlier schema version gains the tables and can publish at once.
    void everyEarlierVersionMigratesToPolicies_data()
    {
        QTest::addColumn<int>("from");
        for (int v = 0; v < rl::StoreSchema::latestVersion(); ++v)
            QTest::newRow(qPrintable(QStringLiteral("v%1").arg(v))) << v;
    }
    void everyEarlierVersionMigratesToPolicies()
    {
        QFETCH(int, from);
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("old.db")).toStdString();
        {
            auto db = rl::SqliteDatabase::open(path);
            QVERIFY(db.ok());
            QVERIFY(rl::StoreSchema::migrate(db.value(), from).ok());
        }
        auto store = rl::UsageStore::open(path, rl::fixedClock(kNow));
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().message.c_str());
        QCOMPARE(rl::StoreSchema::version(store->database()).value(), rl::StoreSchema::latestVersion());
        QVERIFY(store->policyDrafts()->empty());
        QVERIFY(store->policyVersions()->empty());
        QVERIFY(store->routerDeployments()->empty());
        QVERIFY(store->verifyAudit()->ok);
        QCOMPARE(store->verifyAudit()->entries, std::int64_t(0));
        QCOMPARE(store->publishPolicy(rl::DemoWorkload::policyVersion1(), "after the upgrade")->version,
                 std::int64_t(1));
        QCOMPARE(store->verifyAudit()->entries, std::int64_t(1));
    }
};

ROUTELEDGER_TEST_SUITE(TestStorePolicies)
#include "tst_storepolicies.moc"
