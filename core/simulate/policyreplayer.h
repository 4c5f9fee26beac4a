#pragma once

#include "pricing/pricing.h"
#include "routing/routingengine.h"
#include "simulate/replayoracle.h"
#include "store/usagerecords.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rl {

// What one policy does with one recorded request.
struct ReplayOutcome {
    int tier = -1;                // index into the policy's tiers; -1: blocked, or a pinned model outside every tier
    std::string_view tierName;    // empty when tier is -1
    std::string_view model;       // the model decided (empty: blocked)
    std::string_view servedModel; // what would have served it: the recorded model where the recorded fallback applies
    std::string_view rule;        // the deciding rule's id, or "default"
    bool blocked = false;
    std::int64_t costMicro = 0;
    bool unpriced = false; // no price for the model at the event's time
    bool costKnown = true; // false: the recorded request was blocked, so no tokens to price
    // The same for the request (the deciding rule may differ): tier, model, block and cost.
    bool sameEffect(const ReplayOutcome &other) const
    {
        return tier == other.tier && model == other.model && servedModel == other.servedModel
               && blocked == other.blocked && costMicro == other.costMicro && costKnown == other.costKnown;
    }
};

struct EventReplay {
    bool known = true;
    ReplayOutcome outcome;               // known: the outcome; otherwise the one with every assumption false
    std::vector<ReplayOutcome> possible; // every distinct effect the unknowns allow (one when known, unless its
                                         // cost is unknown)
    std::string_view reason;             // not known: why (the first unknown met)
    std::int64_t frontierCostMicro = 0;  // the policy's frontier tier's first model at the same tokens and time
};

// Replays recorded requests under one policy (DESIGN.md §3.1 through the real routing engine): the request is
// rebuilt from what the store kept (team, user, app, tags, requested model, time, the decision's complexity,
// task and input tokens, the features and the prompt checks), so a replay of the policy that routed an event
// gives back its tier, model and cost exactly. What was not recorded is never guessed: each unknown condition
// is decided both ways (ReplayOracle), and so is an unrecorded budget use against each guard step, giving the
// set of outcomes the event may have had. Costs are the store's prices at the event's time for its tokens; the
// recorded cost where the model is the one that served it. Not thread-safe: one replayer per thread.
class PolicyReplayer {
public:
    PolicyReplayer(std::shared_ptr<const Policy> policy, const Pricing &pricing, const RoutingEngine &engine);

    // `complexity`: decide as if the scorer had given this figure (Calibration tries each threshold band).
    void replay(const UsageEvent &event, EventReplay &out, std::optional<double> complexity = std::nullopt);

    const Policy &policy() const { return *m_policy; }

private:
    // What the policy decided for one combination of an event's decision inputs, before pricing: the decisions in
    // the order they were tried, the first unknown met, and whether enumeration gave up. The model is owned: a
    // pinned model outside the tiers is the request's own text.
    struct Decided {
        int tier = -1;
        std::string_view tierName, rule;
        std::string model;
        bool blocked = false;
    };
    struct Decisions {
        std::vector<Decided> tried;
        std::string_view reason;
        bool tooMany = false;
    };

    void studyPolicy(const Condition &node);
    void buildKey(const UsageEvent &event, double complexity, std::int64_t inputTokens);
    void decideAll(const UsageEvent &event, Decisions &out);
    Decided decideOnce();
    void price(const UsageEvent &event, ReplayOutcome &outcome) const;
    std::int64_t costOf(std::string_view model, const UsageEvent &event, bool *unpriced = nullptr) const;
    std::string_view reasonFor(const Condition &leaf);

    std::shared_ptr<const Policy> m_policy;
    const Pricing &m_pricing;
    const RoutingEngine &m_engine;
    ReplayOracle m_oracle;
    RouteRequest m_request;
    std::vector<bool> m_assumed;
    std::vector<std::vector<bool>> m_pending;
    std::unordered_map<const Condition *, std::string> m_reasons; // per condition, built when first needed
    std::unordered_map<const Condition *, std::string_view> m_ruleOf;

    // Events that agree on every input the policy can look at decide alike (the engine is a pure function of
    // them): their decisions are kept by a key of those inputs, numbers as their order against every number the
    // policy compares them with, so the key is exact. Bounded: cleared when full.
    static constexpr std::size_t kMaxMemo = 1 << 16;
    std::unordered_map<std::string, Decisions> m_memo;
    std::string m_key;
    // A text field the policy tests: by equality with the values it names (then only which of them matches
    // matters), or with a pattern or substring (then the value itself).
    struct TextUse {
        bool used = false, whole = false;
        std::vector<std::string> values;
    };
    TextUse m_team, m_user, m_app, m_tags, m_task;
    bool m_usesTools = false, m_usesImages = false, m_usesStream = false;
    std::vector<double> m_complexityCuts, m_tokenCuts, m_hourCuts, m_weekdayCuts;
    std::vector<std::string> m_promptKeys;
};

} // namespace rl
