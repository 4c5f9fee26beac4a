// Replay on history (issue 14): the routing version replays exactly on the demo store, a hand-computed draft,
// unknown outcomes for what was not recorded (never guessed), cancel, and the replay features kept per event.
#include "demo/demoworkload.h"
#include "roundprices.h"
#include "routedevent.h"
#include "routing/policyparser.h"
#include "routing/promptchecks.h"
#include "simulate/policyreplayer.h"
#include "simulate/shadowcomparison.h"
#include "simulate/simulation.h"
#include "simulate/simulationjson.h"
#include "store/usagestore.h"
#include "testsuites.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <limits>
#include <map>

namespace {

constexpr std::int64_t kEnd = 1764288000000;    // 2025-11-28T00:00:00Z
constexpr std::int64_t kMonday = 1767607200000; // 2026-01-05T10:00:00Z, day 20458
constexpr std::int64_t kMondayDay = 20458;

std::shared_ptr<const rl::Policy> policy(const std::string &text)
{
    rl::PolicyLoad load = rl::PolicyParser::parse(text);
    if (!load.ok())
        qFatal("test policy invalid: %s", load.errors.front().line().c_str());
    return load.policy;
}

// Three tiers of made-up models whose prices the store overrides to round figures, so costs are computed by hand:
// 1,000 input and 100 output tokens cost 13,000 µ$ on acme/big, 2,600 on acme/mid and 650 on acme/small.
std::string policyText(const std::string &rules, std::int64_t version = 1, const std::string &extra = "")
{
    return R"({"schema": "routeledger.policy/v1", "name": "hand", "version": )" + std::to_string(version) + R"(,
      "tiers": [{"name": "frontier", "models": ["acme/big"]}, {"name": "mid", "models": ["acme/mid"]},
                {"name": "light", "models": ["acme/small"]}],
      "default_tier": "mid", "rules": [)"
           + rules + "]" + extra + "}";
}

rl::UsageEvent handEvent(const std::string &id, const std::string &team, bool withFeatures)
{
    rl::UsageEvent e;
    e.requestId = id;
    e.timeMs = kMonday;
    e.team = team;
    e.user = team + ".user";
    e.app = "chat";
    e.requestedModel = "auto";
    e.model = "acme/mid";
    e.provider = "acme";
    e.tier = "mid";
    e.tierRank = 1;
    e.rule = "default";
    e.policyVersion = 1;
    e.tokens = {1000, 0, 0, 100, 0};
    e.costMicro = 2600;
    e.frontierCostMicro = 13000;
    e.latencyMs = 500;
    e.complexity = 0.4;
    e.task = "chat";
    if (withFeatures) {
        testdata::recordFeatures(e, true);
        e.features.budgetUsed = 0.25;
    }
    return e;
}

struct HandStore {
    QTemporaryDir dir;
    std::string path;
};

// Six requests served by the mid tier: two each of legal, data and ops, with every feature recorded; the first
// legal one matched the recorded pattern "(?i)secret".
void makeHandStore(HandStore &hand, const std::vector<rl::UsageEvent> &extra = {})
{
    hand.path = hand.dir.filePath(QStringLiteral("hand.db")).toStdString();
    auto store = rl::UsageStore::open(hand.path);
    if (!store)
        qFatal("%s", store.error().message.c_str());
    if (!testdata::addRoundPrices(store.value()))
        qFatal("override refused");
    rl::IngestBatch batch;
    batch.source = "edge";
    for (const char *team : {"legal", "data", "ops"})
        for (int i = 0; i < 2; ++i)
            batch.events.push_back(handEvent(std::string(team) + std::to_string(i), team, true));
    const std::string secret = rl::PromptChecks::key(rl::Op::Matches, "(?i)secret");
    for (rl::UsageEvent &e : batch.events)
        e.features.promptChecks->push_back({secret, e.requestId == "legal0"});
    for (const rl::UsageEvent &e : extra)
        batch.events.push_back(e);
    if (auto stored = store->ingest(batch); !stored)
        qFatal("%s", stored.error().message.c_str());
}

rl::UsageFilter mondayOnly()
{
    rl::UsageFilter filter;
    filter.fromDay = kMondayDay;
    filter.toDay = kMondayDay + 1;
    return filter;
}

rl::Result<rl::SimulationResult> simulate(const std::string &path, const std::string &baseline,
                                          const std::string &draft, rl::UsageFilter scope = mondayOnly())
{
    auto reader = rl::HistoryReader::open(path);
    if (!reader)
        return reader.error();
    rl::SimulationOptions options;
    options.scope = scope;
    return rl::Simulation::run(reader.value(), policy(baseline), policy(draft), options);
}

std::int64_t scalar(rl::SqliteDatabase &db, const std::string &sql)
{
    auto query = db.prepare(sql);
    if (!query)
        qFatal("%s", query.error().message.c_str());
    auto row = query->step();
    return row && row.value() ? query->int64(0) : -1;
}

} // namespace

class TestSimulation : public QObject {
    Q_OBJECT
private slots:
    // The exactness check: each demo event replayed under the policy version that routed it gives back its tier,
    // rule, model (the decided one where a fallback served another), cost and frontier cost; and a simulation of
    // that version against itself moves nothing and costs what the store says.
    void replayOfTheRoutingVersionIsExact()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("demo.db")).toStdString();
        {
            auto store = rl::UsageStore::open(path);
            QVERIFY(store.ok());
            rl::Pricing pricing(rl::PriceCatalog::builtIn());
            rl::DemoWorkload::Options options;
            options.events = 20'000;
            options.days = 30;
            options.endMs = kEnd;
            rl::DemoWorkload workload(options, pricing);
            QVERIFY(workload.generate(store.value()).ok());
        }
        auto reader = rl::HistoryReader::open(path);
        QVERIFY(reader.ok());
        auto pricing = reader->pricing();
        QVERIFY(pricing.ok());
        const rl::RoutingEngine engine;
        std::map<std::int64_t, std::unique_ptr<rl::PolicyReplayer>> replayers;
        for (std::int64_t version : {1, 2}) {
            auto document = reader->publishedPolicy(version);
            QVERIFY(document.ok() && document.value());
            replayers[version] =
                std::make_unique<rl::PolicyReplayer>(policy(*document.value()), pricing.value(), engine);
        }
        rl::UsageFilter all;
        all.fromDay = 0;
        all.toDay = 100'000;
        std::int64_t events = 0, fallbacks = 0, blocked = 0, mismatches = 0;
        std::map<std::int64_t, std::int64_t> byVersion;
        std::string firstMismatch;
        rl::EventReplay replay;
        auto read = reader->forEach(all, [&](const rl::StoredEvent &stored) {
            const rl::UsageEvent &e = stored.event;
            ++events;
            ++byVersion[e.policyVersion];
            replayers.at(e.policyVersion)->replay(e, replay);
            const rl::ReplayOutcome &o = replay.outcome;
            const bool wasBlocked = e.status == rl::UsageStatus::Blocked;
            fallbacks += e.routedModel.empty() ? 0 : 1;
            blocked += wasBlocked ? 1 : 0;
            const std::string decided = e.routedModel.empty() ? e.model : e.routedModel;
            const bool same = replay.known && o.tierName == e.tier && o.rule == e.rule && o.blocked == wasBlocked
                              && (wasBlocked || (o.model == decided && o.servedModel == e.model))
                              && o.costMicro == e.costMicro && replay.frontierCostMicro == e.frontierCostMicro;
            if (!same && mismatches++ == 0)
                firstMismatch = e.requestId + ": stored " + e.tier + "/" + e.model + "/" + e.rule + "/"
                                + std::to_string(e.costMicro) + ", replayed " + std::string(o.tierName) + "/"
                                + std::string(o.model) + "/" + std::string(o.rule) + "/" + std::to_string(o.costMicro)
                                + (replay.known ? "" : " (unknown: " + std::string(replay.reason) + ")");
            return true;
        });
        QVERIFY2(read.ok(), read.ok() ? "" : read.error().message.c_str());
        QCOMPARE(events, std::int64_t(20'000));
        QVERIFY2(mismatches == 0, firstMismatch.c_str());
        // The check covered both versions, fallbacks and blocked requests.
        QVERIFY(byVersion[1] > 1000 && byVersion[2] > 1000);
        QVERIFY(fallbacks > 50);
        QVERIFY(blocked > 5);

        // Version 2 against itself over its own days: nothing moves, nothing is unknown, the spend is the stored one.
        auto firstDay =
            reader->database().prepare("SELECT min(day), max(day) FROM usage_events WHERE policy_version = 2");
        QVERIFY(firstDay.ok() && firstDay->step().ok());
        rl::UsageFilter v2Days;
        v2Days.fromDay = firstDay->int64(0) + 1; // the change day holds both versions
        v2Days.toDay = firstDay->int64(1) + 1;
        auto document = reader->publishedPolicy(2);
        auto result =
            rl::Simulation::run(reader.value(), policy(*document.value()), policy(*document.value()), {v2Days, {}});
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
        QVERIFY(result->events > 1000);
        QCOMPARE(result->compared, result->events);
        QCOMPARE(result->unknown.requests, std::int64_t(0));
        QVERIFY(result->moved.empty());
        const std::int64_t stored = scalar(reader->database(), "SELECT sum(cost_micro) FROM usage_events WHERE day >= "
                                                                   + std::to_string(v2Days.fromDay) + " AND day < "
                                                                   + std::to_string(v2Days.toDay));
        QCOMPARE(result->baseline.costMicro, stored);
        QCOMPARE(result->draft.costMicro, stored);

        // Read on two threads (the later half of the days on a second connection) or on one, a draft that moves
        // requests gives the same result, figure for figure.
        auto v1 = reader->publishedPolicy(1);
        rl::SimulationOptions one{all, {}, std::numeric_limits<std::int64_t>::max()};
        // Progress never passes its total (the rollups' estimate), never goes back, and ends at the events read.
        std::int64_t lastDone = 0, lastTotal = 0, reports = 0;
        bool sane = true;
        rl::SimulationOptions two{all,
                                  [&](std::int64_t done, std::int64_t total) {
                                      sane = sane && done <= total && done >= lastDone;
                                      lastDone = done;
                                      lastTotal = total;
                                      ++reports;
                                      return true;
                                  },
                                  1};
        auto single = rl::Simulation::run(reader.value(), policy(*document.value()), policy(*v1.value()), one);
        auto split = rl::Simulation::run(reader.value(), policy(*document.value()), policy(*v1.value()), two);
        QVERIFY(single.ok() && split.ok());
        QVERIFY(!single->moved.empty());
        QCOMPARE(rl::SimulationJson::write(split.value()).dump(), rl::SimulationJson::write(single.value()).dump());
        QVERIFY(sane);
        QVERIFY(reports >= 1);
        QCOMPARE(lastDone, std::int64_t(20'000));
        QCOMPARE(lastTotal, std::int64_t(20'000));

        // The estimate per day is the rollups' count of the day's events (this store has no aggregated usage).
        auto estimate = reader->estimateByDay(all);
        QVERIFY(estimate.ok());
        std::int64_t estimated = 0;
        for (const rl::HistoryReader::DayEstimate &day : estimate.value()) {
            QCOMPARE(day.requests, scalar(reader->database(),
                                          "SELECT count(*) FROM usage_events WHERE day = " + std::to_string(day.day)));
            estimated += day.requests;
        }
        QCOMPARE(estimated, std::int64_t(20'000));
    }

    // A draft that sends legal to the frontier tier and data to the light tier, against a baseline with no rules,
    // with every figure computed by hand from the store's round prices.
    void aDraftMovesKnownTeams()
    {
        HandStore hand;
        makeHandStore(hand);
        auto result = simulate(hand.path, policyText(""),
                               policyText(R"({"id": "legal-frontier", "when": {"team": {"in": ["legal"]}},
                                              "then": {"tier": "frontier"}},
                                             {"id": "data-light", "when": {"team": {"eq": "data"}},
                                              "then": {"tier": "light"}})",
                                          2));
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
        const rl::SimulationResult &r = result.value();
        QCOMPARE(r.events, std::int64_t(6));
        QCOMPARE(r.compared, std::int64_t(6));
        QCOMPARE(r.baseline.costMicro, std::int64_t(6 * 2600));
        QCOMPARE(r.draft.costMicro, std::int64_t(2 * 13000 + 2 * 650 + 2 * 2600));
        QCOMPARE(r.baseline.frontierCostMicro, std::int64_t(6 * 13000));
        QCOMPARE(r.draft.frontierCostMicro, std::int64_t(6 * 13000));
        QCOMPARE(r.baseline.tierRequests, (std::map<std::string, std::int64_t>{{"mid", 6}}));
        QCOMPARE(r.draft.tierRequests,
                 (std::map<std::string, std::int64_t>{{"frontier", 2}, {"light", 2}, {"mid", 2}}));
        QCOMPARE(r.moved.size(), std::size_t(2));
        std::map<std::string, std::pair<std::int64_t, std::int64_t>> moved, byTeam, byRule;
        for (const rl::TierMove &m : r.moved)
            moved[m.from + ">" + m.to] = {m.requests, m.costDeltaMicro};
        for (const rl::TierMove &m : r.movedByTeam)
            byTeam[m.group + ":" + m.from + ">" + m.to] = {m.requests, m.costDeltaMicro};
        for (const rl::TierMove &m : r.movedByRule)
            byRule[m.group + ":" + m.from + ">" + m.to] = {m.requests, m.costDeltaMicro};
        QCOMPARE(moved["mid>frontier"], std::make_pair(std::int64_t(2), std::int64_t(2 * (13000 - 2600))));
        QCOMPARE(moved["mid>light"], std::make_pair(std::int64_t(2), std::int64_t(2 * (650 - 2600))));
        QCOMPARE(byTeam.size(), std::size_t(2));
        QCOMPARE(byTeam["legal:mid>frontier"].first, std::int64_t(2));
        QCOMPARE(byTeam["data:mid>light"].first, std::int64_t(2));
        QCOMPARE(byRule["legal-frontier:mid>frontier"].second, std::int64_t(20800));
        QCOMPARE(byRule["data-light:mid>light"].second, std::int64_t(-3900));
        QCOMPARE(r.unknown.requests, std::int64_t(0));
        // Quality: complexity 0.4 everywhere; mid is half-way to the cheapest tier, light is the cheapest.
        QCOMPARE(r.baseline.expectedShortfalls, 6 * 0.2);
        QCOMPARE(r.draft.expectedShortfalls, 2 * 0.4 + 2 * 0.2);

        // The team scope keeps only that team's requests.
        rl::UsageFilter legal = mondayOnly();
        legal.team = "legal";
        auto scoped = simulate(
            hand.path, policyText(""),
            policyText(R"({"id": "all-light", "when": {"team": {"ne": ""}}, "then": {"tier": "light"}})"), legal);
        QVERIFY(scoped.ok());
        QCOMPARE(scoped->events, std::int64_t(2));
        QCOMPARE(scoped->draft.costMicro, std::int64_t(2 * 650));

        // The JSON the CLI prints carries the contract's keys.
        const nlohmann::json json = rl::SimulationJson::write(r);
        QCOMPARE(json["events"].get<std::int64_t>(), std::int64_t(6));
        QCOMPARE(json["baseline"]["cost_micro_usd"].get<std::int64_t>(), std::int64_t(15600));
        QCOMPARE(json["draft"]["frontier_cost_micro_usd"].get<std::int64_t>(), std::int64_t(78000));
        QCOMPARE(json["draft"]["tiers"]["light"].get<std::int64_t>(), std::int64_t(2));
        QCOMPARE(json["moved"].size(), std::size_t(2));
        QVERIFY(json["moved"][0].contains("cost_delta_micro_usd"));
        QCOMPARE(json["unknown"]["requests"].get<std::int64_t>(), std::int64_t(0));
        QVERIFY(json["unknown"]["reasons"].is_object());
    }

    // A new prompt pattern was never checked on stored requests: they are counted as unknown, with the rule named
    // and the range their cost spans; a pattern that was recorded replays exactly, under any rule id.
    void promptPatternsReplayOnlyWhenRecorded()
    {
        HandStore hand;
        makeHandStore(hand);
        auto fresh = simulate(hand.path, policyText(""),
                              policyText(R"({"id": "passwords", "when": {"prompt": {"matches": "(?i)password"}},
                                            "then": {"tier": "frontier"}})"));
        QVERIFY(fresh.ok());
        QCOMPARE(fresh->compared, std::int64_t(0));
        QCOMPARE(fresh->unknown.requests, std::int64_t(6));
        QCOMPARE(fresh->unknown.reasons.size(), std::size_t(1));
        QVERIFY(fresh->unknown.reasons.begin()->first.find("rule passwords: prompt pattern never checked")
                != std::string::npos);
        QCOMPARE(fresh->unknown.draftCostMinMicro, std::int64_t(6 * 2600));
        QCOMPARE(fresh->unknown.draftCostMaxMicro, std::int64_t(6 * 13000));
        QCOMPARE(fresh->unknown.draftTierRequests, (std::map<std::string, std::int64_t>{{"frontier", 6}, {"mid", 6}}));

        auto recorded = simulate(hand.path, policyText(""),
                                 policyText(R"({"id": "renamed", "when": {"prompt": {"matches": "(?i)secret"}},
                                               "then": {"block": "secrets"}})"));
        QVERIFY(recorded.ok());
        QCOMPARE(recorded->unknown.requests, std::int64_t(0));
        QCOMPARE(recorded->draft.blocked, std::int64_t(1));
        QCOMPARE(recorded->draft.costMicro, std::int64_t(5 * 2600));
    }

    // A source that recorded no features (an older router, a gateway): conditions on them are decided both ways;
    // where both ways agree the outcome is known.
    void unrecordedFeaturesAreNotGuessed()
    {
        HandStore hand;
        makeHandStore(hand, {handEvent("gateway0", "ops", false)});
        auto tools = simulate(hand.path, policyText(""),
                              policyText(R"({"id": "tools-frontier", "when": {"has_tools": {"eq": true}},
                                            "then": {"tier": "frontier"}})"));
        QVERIFY(tools.ok());
        QCOMPARE(tools->events, std::int64_t(7));
        QCOMPARE(tools->compared, std::int64_t(6));
        QCOMPARE(tools->unknown.requests, std::int64_t(1));
        QCOMPARE(tools->unknown.reasons.begin()->first,
                 std::string("rule tools-frontier: has_tools not recorded by the source"));
        QCOMPARE(tools->unknown.draftCostMaxMicro, std::int64_t(13000));

        // A rule that sends both ways to the same tier leaves nothing unknown.
        auto either =
            simulate(hand.path, policyText(""), policyText(R"({"id": "tools-mid", "when": {"has_tools": {"eq": true}},
                                             "then": {"tier": "mid"}})"));
        QVERIFY(either.ok());
        QCOMPARE(either->unknown.requests, std::int64_t(0));

        // An unrecorded budget use under a budget guard is tried at each step.
        auto guarded =
            simulate(hand.path, policyText(""),
                     policyText("", 2, R"(, "budget_guard": [{"used_at_least": 0.9, "then": {"downgrade": 1}}])"));
        QVERIFY(guarded.ok());
        QCOMPARE(guarded->unknown.requests, std::int64_t(1));
        QVERIFY(guarded->unknown.reasons.begin()->first.find("budget use not recorded") != std::string::npos);
        QCOMPARE(guarded->unknown.draftCostMinMicro, std::int64_t(650));
    }

    // Events that agree on everything a policy looks at are decided once (PolicyReplayer's memo); what the policy
    // does not look at may differ, and what it does look at keeps them apart: an unrecorded task is not a task the
    // rule does not name, a team the rule names is not another one, a complexity on the cut is not below it.
    void decisionsSharedOnlyWhenTheInputsAgree()
    {
        rl::UsageEvent named = handEvent("a", "legal", true), other = handEvent("b", "data", true);
        named.task = "code";
        other.task = "chat";
        rl::UsageEvent unrecorded = handEvent("c", "data", true);
        unrecorded.task.clear();
        rl::UsageEvent onTheCut = handEvent("d", "data", true), below = handEvent("e", "data", true);
        onTheCut.complexity = 0.3;
        below.complexity = 0.2999;
        const auto draft =
            policy(policyText(R"({"id": "code-up", "when": {"task": {"eq": "code"}}, "then": {"tier": "frontier"}},
                                 {"id": "legal-light", "when": {"team": {"eq": "legal"}}, "then": {"tier": "light"}},
                                 {"id": "easy", "when": {"complexity": {"lt": 0.3}}, "then": {"tier": "light"}})"));
        HandStore hand; // for its round prices
        makeHandStore(hand);
        auto reader = rl::HistoryReader::open(hand.path);
        QVERIFY(reader);
        auto pricing = reader->pricing();
        QVERIFY(pricing);
        const rl::RoutingEngine engine;
        rl::PolicyReplayer replayer(draft, pricing.value(), engine);
        rl::EventReplay out;
        for (int round = 0; round < 2; ++round) { // the second round answers from the memo
            replayer.replay(named, out);
            QVERIFY(out.known);
            QCOMPARE(out.outcome.rule, std::string_view("code-up"));
            replayer.replay(other, out);
            QVERIFY(out.known);
            QCOMPARE(out.outcome.rule, std::string_view("default"));
            replayer.replay(unrecorded, out);
            QVERIFY(!out.known);
            QVERIFY(out.reason.find("task not recorded") != std::string_view::npos);
            other.team = "legal";
            replayer.replay(other, out);
            QCOMPARE(out.outcome.rule, std::string_view("legal-light"));
            other.team = "data";
            replayer.replay(onTheCut, out);
            QCOMPARE(out.outcome.rule, std::string_view("default"));
            replayer.replay(below, out);
            QCOMPARE(out.outcome.rule, std::string_view("easy"));
            // The same inputs with other tokens: the same decision, priced for its own tokens.
            rl::UsageEvent bigger = below;
            bigger.tokens.output = 1000;
            rl::EventReplay small;
            replayer.replay(below, small);
            replayer.replay(bigger, out);
            QCOMPARE(out.outcome.rule, std::string_view("easy"));
            QCOMPARE(small.outcome.costMicro, std::int64_t(650));
            QCOMPARE(out.outcome.costMicro, std::int64_t(500 + 1500));
        }
    }

    // Cancelling stops the read where it is, returns simulate.cancelled and leaves the store as it was.
    void cancelStopsAndLeavesNothing()
    {
        HandStore hand;
        makeHandStore(hand);
        auto reader = rl::HistoryReader::open(hand.path);
        QVERIFY(reader.ok());
        int seen = 0;
        auto stopped = reader->forEach(mondayOnly(), [&](const rl::StoredEvent &) { return ++seen < 3; });
        QVERIFY(!stopped.ok());
        QCOMPARE(QString::fromStdString(stopped.error().code), QStringLiteral("simulate.cancelled"));
        QCOMPARE(seen, 3);

        rl::SimulationOptions options;
        options.scope = mondayOnly();
        options.progress = [](std::int64_t, std::int64_t) { return false; };
        auto cancelled = rl::Simulation::run(reader.value(), policy(policyText("")), policy(policyText("")), options);
        QVERIFY(!cancelled.ok());
        QCOMPARE(QString::fromStdString(cancelled.error().code), QStringLiteral("simulate.cancelled"));
        auto store = rl::UsageStore::open(hand.path);
        QVERIFY(store.ok());
        QCOMPARE(scalar(store->database(), "SELECT count(*) FROM usage_events"), std::int64_t(6));
        QCOMPARE(scalar(store->database(), "SELECT count(*) FROM audit_log WHERE action NOT LIKE 'price%'"),
                 std::int64_t(0));

        // An empty period is refused before anything is read.
        rl::UsageFilter empty = mondayOnly();
        empty.toDay = empty.fromDay;
        auto none = rl::Simulation::run(reader.value(), policy(policyText("")), policy(policyText("")), {empty, {}});
        QVERIFY(!none.ok());
    }

    // What a shadow policy would have done with live traffic, from the shadow fields on the events.
    void shadowComparisonFromRecordedDecisions()
    {
        std::vector<rl::UsageEvent> shadowed;
        for (int i = 0; i < 6; ++i) {
            rl::UsageEvent e = handEvent("s" + std::to_string(i), i < 4 ? "legal" : "data", true);
            e.shadow = i < 4 ? rl::ShadowOutcome{7, "light", "acme/small", "easy", false, 650}
                             : rl::ShadowOutcome{7, "mid", "acme/mid", "default", false, 2600};
            shadowed.push_back(e);
        }
        HandStore hand;
        makeHandStore(hand, shadowed); // and the six events without a shadow decision
        auto reader = rl::HistoryReader::open(hand.path);
        QVERIFY(reader.ok());
        auto compared = rl::ShadowComparisons::read(reader.value(), mondayOnly());
        QVERIFY2(compared.ok(), compared.ok() ? "" : compared.error().message.c_str());
        QCOMPARE(compared->requests, std::int64_t(6));
        QCOMPARE(compared->moved, std::int64_t(4));
        QCOMPARE(compared->versions, std::vector<std::int64_t>{7});
        QCOMPARE(compared->sinceMs, kMonday);
        QCOMPARE(compared->liveCostMicro, std::int64_t(6 * 2600));
        QCOMPARE(compared->shadowCostMicro, std::int64_t(4 * 650 + 2 * 2600));
        QCOMPARE(compared->moves.size(), std::size_t(1));
        QCOMPARE(compared->moves[0].from + ">" + compared->moves[0].to, std::string("mid>light"));
        QCOMPARE(compared->moves[0].costDeltaMicro, std::int64_t(4 * (650 - 2600)));
        QCOMPARE(compared->byTeam.size(), std::size_t(1));
        QCOMPARE(compared->byTeam[0].group, std::string("legal"));
        QCOMPARE(compared->byRule[0].group, std::string("easy"));
        QCOMPARE(compared->days.size(), std::size_t(1));
        QCOMPARE(compared->summary(), std::string("In shadow since 2026-01-05 (version 7): would move 66.7 % of 6 "
                                                  "requests, most from mid to light, −$0.01 a day; rules easy."));
        rl::UsageFilter data = mondayOnly();
        data.team = "data";
        auto dataOnly = rl::ShadowComparisons::read(reader.value(), data);
        QVERIFY(dataOnly.ok());
        QCOMPARE(dataOnly->requests, std::int64_t(2));
        QCOMPARE(dataOnly->moved, std::int64_t(0));
        QVERIFY(
            rl::ShadowComparisons::read(reader.value(), rl::UsageFilter{0, 1, {}, {}, {}, {}, {}})->summary().empty());
    }

    // What the store keeps per event for a replay, read back as it was written.
    void replayFeaturesRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("features.db")).toStdString();
        rl::UsageEvent e = handEvent("r1", "legal", true);
        e.tags = {"nightly", "pii"};
        e.features.promptChecks = std::vector<rl::PromptCheck>{{rl::PromptChecks::key(rl::Op::Contains, "x"), true},
                                                               {rl::PromptChecks::key(rl::Op::Matches, "y"), false}};
        e.routedModel = "acme/big";
        e.shadow = rl::ShadowOutcome{3, "light", "acme/small", "easy", false, 650};
        {
            auto store = rl::UsageStore::open(path);
            QVERIFY(store.ok());
            rl::IngestBatch batch;
            batch.source = "edge";
            batch.events = {e};
            QVERIFY(store->ingest(batch).ok());
            QCOMPARE(scalar(store->database(), "SELECT shadow_cost_micro FROM usage_events WHERE shadow_tier = 'light' "
                                               "AND shadow_model = 'acme/small' AND shadow_rule = 'easy' AND "
                                               "shadow_policy_version = 3 AND shadow_blocked = 0"),
                     std::int64_t(650));
        }
        auto reader = rl::HistoryReader::open(path);
        QVERIFY(reader.ok());
        int seen = 0;
        QVERIFY(reader
                    ->forEach(mondayOnly(),
                              [&](const rl::StoredEvent &stored) {
                                  ++seen;
                                  const rl::UsageEvent &back = stored.event;
                                  if (back.features != e.features || back.routedModel != e.routedModel
                                      || back.tags != e.tags || stored.source != "edge" || stored.day != kMondayDay)
                                      qWarning("read back differs");
                                  else
                                      ++seen;
                                  return true;
                              })
                    .ok());
        QCOMPARE(seen, 2);

        // The stored form of prompt checks is strict.
        std::vector<rl::PromptCheck> checks;
        QVERIFY(rl::PromptChecks::decode("", checks) && checks.empty());
        QVERIFY(!rl::PromptChecks::decode("0123456789abcdef=2", checks));
        QVERIFY(!rl::PromptChecks::decode("0123456789abcdef=1,", checks));
        QVERIFY(!rl::PromptChecks::decode("0123456789ABCDEF=1", checks));
        QVERIFY(rl::PromptChecks::decode("0123456789abcdef=1,fedcba9876543210=0", checks));
        QCOMPARE(checks.size(), std::size_t(2));
        QCOMPARE(rl::PromptChecks::encode(checks), std::string("0123456789abcdef=1,fedcba9876543210=0"));
    }
};

ROUTELEDGER_TEST_SUITE(TestSimulation)
#include "tst_simulation.moc"
