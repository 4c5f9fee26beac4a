// PolicyHolder: the policy in force, its ETag, and compare-and-swap (versions only go up).
#include "digest.h"
#include "policyholder.h"
#include "routerunittext.h"
#include "routing/policyparser.h"
#include "routing/policywriter.h"
#include "testsuites.h"

#include <QRegularExpression>
#include <QTest>

#include <nlohmann/json.hpp>

#include <atomic>
#include <latch>
#include <memory>
#include <string>
#include <thread>

namespace {

using nlohmann::json;
using routerunittext::qs;

std::shared_ptr<const rl::Policy> makePolicy(const std::string &name, std::int64_t version,
                                             const std::string &model = "openai/gpt-5-mini")
{
    json document =
        json::parse(R"({"schema":"routeledger.policy/v1","tiers":[{"name":"mid"}],"default_tier":"mid","rules":[]})");
    document["name"] = name;
    document["version"] = version;
    document["tiers"][0]["models"] = json::array({model});
    rl::PolicyLoad load = rl::PolicyParser::parse(document.dump());
    for (const auto &issue : load.errors)
        qWarning("policy error: %s: %s", issue.path.c_str(), issue.message.c_str());
    return load.policy;
}

// A policy with one prompt rule on `pattern`: its prompt leaf is what PromptChecks collects.
std::shared_ptr<const rl::Policy> makePromptPolicy(const std::string &name, std::int64_t version,
                                                   const std::string &pattern)
{
    json document = json::parse(R"({"schema":"routeledger.policy/v1","tiers":[{"name":"mid",
        "models":["openai/gpt-5-mini"]}],"default_tier":"mid"})");
    document["name"] = name;
    document["version"] = version;
    document["rules"] =
        json::array({{{"id", "r"}, {"when", {{"prompt", {{"contains", pattern}}}}}, {"then", {{"tier", "mid"}}}}});
    return rl::PolicyParser::parse(document.dump()).policy;
}

} // namespace

class TestPolicyHolder : public QObject {
    Q_OBJECT
private slots:
    void policyETag()
    {
        auto policy = makePolicy("p", 1);
        QVERIFY(policy);
        rl::PolicyHolder holder(policy);
        const rl::PolicyHolder::Snapshot snapshot = holder.snapshot();
        QCOMPARE(snapshot.policy.get(), policy.get());
        QCOMPARE(holder.policy().get(), policy.get());
        QVERIFY(snapshot.document);
        QCOMPARE(qs(*snapshot.document), qs(rl::PolicyWriter::toText(*policy)));
        QVERIFY2(QRegularExpression(QStringLiteral("^\"v1-[0-9a-f]{16}\"$")).match(qs(snapshot.etag)).hasMatch(),
                 snapshot.etag.c_str());
        QCOMPARE(qs(snapshot.etag), qs("\"v1-" + rl::sha256Hex(*snapshot.document).substr(0, 16) + "\""));

        // The same document again has the same tag; another one with the same version does not.
        auto same = makePolicy("p", 1);
        auto renamed = makePolicy("q", 1);
        auto otherModel = makePolicy("p", 1, "openai/gpt-5-nano");
        auto bumped = makePolicy("p", 12);
        QVERIFY(same && renamed && otherModel && bumped);
        QCOMPARE(qs(rl::PolicyHolder::makeSnapshot(same).etag), qs(snapshot.etag));
        const std::string renamedTag = rl::PolicyHolder::makeSnapshot(renamed).etag;
        const std::string otherModelTag = rl::PolicyHolder::makeSnapshot(otherModel).etag;
        QVERIFY(renamedTag.rfind("\"v1-", 0) == 0);
        QVERIFY(renamedTag != snapshot.etag);
        QVERIFY(otherModelTag != snapshot.etag);
        QVERIFY(otherModelTag != renamedTag);
        QVERIFY(QRegularExpression(QStringLiteral("^\"v12-[0-9a-f]{16}\"$"))
                    .match(qs(rl::PolicyHolder::makeSnapshot(bumped).etag))
                    .hasMatch());
    }

    void policyReplaceIf()
    {
        auto first = makePolicy("p", 1);
        auto second = makePolicy("p", 2);
        auto third = makePolicy("p", 3);
        QVERIFY(first && second && third);
        rl::PolicyHolder holder(first);
        const rl::PolicyHolder::Snapshot before = holder.snapshot();
        std::shared_ptr<const rl::Policy> inFlight = holder.policy(); // a request that started before the swap

        // The current ETag: swapped, and persist saw exactly what is installed.
        int persisted = 0;
        std::string persistedEtag;
        rl::PolicyHolder::Snapshot installed, previous;
        auto result = holder.replaceIf(
            before.etag, second,
            [&](const rl::PolicyHolder::Snapshot &candidate) {
                ++persisted;
                persistedEtag = candidate.etag;
                return true;
            },
            installed, previous);
        QCOMPARE(int(result), int(rl::PolicyHolder::SwapResult::Swapped));
        QCOMPARE(persisted, 1);
        QCOMPARE(previous.policy.get(), first.get());
        QCOMPARE(installed.policy.get(), second.get());
        QCOMPARE(qs(installed.etag), qs(persistedEtag));
        QCOMPARE(qs(holder.snapshot().etag), qs(installed.etag));
        QVERIFY(installed.etag != before.etag);
        QCOMPARE(holder.policy().get(), second.get());
        QCOMPARE(qs(*holder.snapshot().document), qs(rl::PolicyWriter::toText(*second)));

        // What was taken before the swap still holds the old policy.
        QCOMPARE(inFlight.get(), first.get());
        QCOMPARE(inFlight->version, std::int64_t(1));
        QCOMPARE(before.policy.get(), first.get());
        QCOMPARE(qs(*before.document), qs(rl::PolicyWriter::toText(*first)));

        // A stale ETag: nothing is persisted and the policy stays.
        const std::string current = holder.snapshot().etag;
        rl::PolicyHolder::Snapshot untouched;
        result = holder.replaceIf(
            before.etag, third,
            [&](const rl::PolicyHolder::Snapshot &) {
                ++persisted;
                return true;
            },
            untouched, previous);
        QCOMPARE(int(result), int(rl::PolicyHolder::SwapResult::StaleETag));
        QCOMPARE(persisted, 1);
        QCOMPARE(untouched.policy.get(), second.get()); // what stays in force
        QCOMPARE(previous.policy.get(), second.get());
        QCOMPARE(holder.policy().get(), second.get());
        QCOMPARE(qs(holder.snapshot().etag), qs(current));

        // persist says no: the policy stays.
        result = holder.replaceIf(
            current, third,
            [&](const rl::PolicyHolder::Snapshot &) {
                ++persisted;
                return false;
            },
            untouched, previous);
        QCOMPARE(int(result), int(rl::PolicyHolder::SwapResult::PersistFailed));
        QCOMPARE(persisted, 2);
        QCOMPARE(untouched.policy.get(), second.get());
        QCOMPARE(holder.policy().get(), second.get());
        QCOMPARE(qs(holder.snapshot().etag), qs(current));

        // ... and the same ETag still works afterwards.
        result = holder.replaceIf(
            current, third, [](const rl::PolicyHolder::Snapshot &) { return true; }, installed, previous);
        QCOMPARE(int(result), int(rl::PolicyHolder::SwapResult::Swapped));
        QCOMPARE(holder.policy()->version, std::int64_t(3));

        // A version that does not increase is refused, lower or equal, and nothing is persisted.
        const std::string atThree = holder.snapshot().etag;
        auto lower = makePolicy("p", 0);
        auto sameVersionOtherName = makePolicy("q", 3);
        QVERIFY(lower && sameVersionOtherName);
        for (const auto &next : {lower, second, sameVersionOtherName}) {
            result = holder.replaceIf(
                atThree, next,
                [&](const rl::PolicyHolder::Snapshot &) {
                    ++persisted;
                    return true;
                },
                untouched, previous);
            QCOMPARE(int(result), int(rl::PolicyHolder::SwapResult::VersionNotIncreasing));
            QCOMPARE(holder.policy().get(), third.get());
            QCOMPARE(previous.policy->version, std::int64_t(3));
        }
        QCOMPARE(persisted, 2);

        // The same document again (a retried push) changes nothing and succeeds.
        auto thirdAgain = makePolicy("p", 3);
        result = holder.replaceIf(
            atThree, thirdAgain,
            [&](const rl::PolicyHolder::Snapshot &) {
                ++persisted;
                return true;
            },
            installed, previous);
        QCOMPARE(int(result), int(rl::PolicyHolder::SwapResult::Unchanged));
        QCOMPARE(persisted, 2);
        QCOMPARE(holder.policy().get(), third.get());
        QCOMPARE(qs(installed.etag), qs(atThree));
    }

    // The shadow policy: installed over "none", replaced over its ETag, a retry accepted, a stale ETag and ending
    // nothing refused, a veto kept out; the live policy's swaps keep it, and the prompt leaves are both policies'.
    void shadowReplaceIf()
    {
        auto live = makePromptPolicy("live", 5, "secret");
        QVERIFY(live);
        rl::PolicyHolder holder(live);
        QVERIFY(!holder.shadow());
        QCOMPARE(qs(holder.shadowETag()), qs(rl::PolicyHolder::kNoShadowETag));
        QCOMPARE(holder.state()->promptLeaves.size(), std::size_t(1));
        std::optional<rl::PolicyHolder::Snapshot> installed, previous;
        int persisted = 0;
        auto persist = [&](const std::optional<rl::PolicyHolder::Snapshot> &) {
            ++persisted;
            return true;
        };
        using Result = rl::PolicyHolder::ShadowResult;

        QCOMPARE(int(holder.replaceShadowIf(rl::PolicyHolder::kNoShadowETag, nullptr, persist, installed, previous)),
                 int(Result::NoShadow));
        auto draft = makePromptPolicy("draft", 2, "summarize"); // below the live version: allowed
        QCOMPARE(int(holder.replaceShadowIf("\"v1-x\"", draft, persist, installed, previous)), int(Result::StaleETag));
        QCOMPARE(int(holder.replaceShadowIf(
                     rl::PolicyHolder::kNoShadowETag, draft, [](const auto &) { return false; }, installed, previous)),
                 int(Result::PersistFailed));
        QVERIFY(!holder.shadow());
        QCOMPARE(int(holder.replaceShadowIf(rl::PolicyHolder::kNoShadowETag, draft, persist, installed, previous)),
                 int(Result::Swapped));
        QVERIFY(installed && !previous);
        const std::string draftETag = installed->etag;
        QCOMPARE(qs(holder.shadowETag()), qs(draftETag));
        auto state = holder.state();
        QCOMPARE(state->live.policy.get(), live.get());
        QCOMPARE(state->shadow->policy.get(), draft.get());
        QCOMPARE(state->promptLeaves.size(), std::size_t(2)); // the live policy's, then the shadow's

        // The same document again: unchanged whatever the If-Match, nothing persisted.
        const int before = persisted;
        QCOMPARE(int(holder.replaceShadowIf("\"stale\"", makePromptPolicy("draft", 2, "summarize"), persist, installed,
                                            previous)),
                 int(Result::Unchanged));
        QCOMPARE(persisted, before);

        // A live swap keeps the shadow (and recollects the leaves of both).
        rl::PolicyHolder::Snapshot liveInstalled, livePrevious;
        QCOMPARE(int(holder.replaceIf(
                     holder.snapshot().etag, makePromptPolicy("live", 6, "secret"), [](const auto &) { return true; },
                     liveInstalled, livePrevious)),
                 int(rl::PolicyHolder::SwapResult::Swapped));
        QCOMPARE(holder.state()->shadow->policy.get(), draft.get());
        QCOMPARE(holder.state()->promptLeaves.size(), std::size_t(2));
        // A request's state is unchanged by the swaps after it took it.
        QCOMPARE(state->live.policy.get(), live.get());

        // Ending shadow mode: over a stale ETag refused, over the current one done.
        QCOMPARE(int(holder.replaceShadowIf(rl::PolicyHolder::kNoShadowETag, nullptr, persist, installed, previous)),
                 int(Result::StaleETag));
        QCOMPARE(int(holder.replaceShadowIf(draftETag, nullptr, persist, installed, previous)), int(Result::Swapped));
        QVERIFY(!installed && previous);
        QVERIFY(!holder.shadow());
        QCOMPARE(holder.state()->promptLeaves.size(), std::size_t(1));
    }

    void policyConcurrentReplaceIfHasOneWinner()
    {
        auto initial = makePolicy("p", 1);
        auto left = makePolicy("left", 2);
        auto right = makePolicy("right", 2);
        QVERIFY(initial && left && right);
        for (int round = 0; round < 200; ++round) {
            rl::PolicyHolder holder(initial);
            const std::string etag = holder.snapshot().etag;
            std::latch start(2);
            std::atomic<int> persists{0};
            rl::PolicyHolder::SwapResult results[2] = {};
            auto put = [&](int index, std::shared_ptr<const rl::Policy> next) {
                rl::PolicyHolder::Snapshot installed, previous;
                start.arrive_and_wait();
                results[index] = holder.replaceIf(
                    etag, std::move(next),
                    [&persists](const rl::PolicyHolder::Snapshot &) {
                        ++persists;
                        return true;
                    },
                    installed, previous);
            };
            std::thread a(put, 0, left);
            std::thread b(put, 1, right);
            a.join();
            b.join();
            const int swapped = (results[0] == rl::PolicyHolder::SwapResult::Swapped ? 1 : 0)
                                + (results[1] == rl::PolicyHolder::SwapResult::Swapped ? 1 : 0);
            const int stale = (results[0] == rl::PolicyHolder::SwapResult::StaleETag ? 1 : 0)
                              + (results[1] == rl::PolicyHolder::SwapResult::StaleETag ? 1 : 0);
            QVERIFY2(swapped == 1 && stale == 1, qPrintable(QStringLiteral("round %1").arg(round)));
            QCOMPARE(persists.load(), 1);
            const auto &winner = results[0] == rl::PolicyHolder::SwapResult::Swapped ? left : right;
            QCOMPARE(holder.policy().get(), winner.get());
        }
    }
};

ROUTELEDGER_TEST_SUITE(TestPolicyHolder)
#include "tst_policyholder.moc"
