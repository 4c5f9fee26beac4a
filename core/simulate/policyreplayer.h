#pragma once

#include "pricing/pricing.h"
#include "routing/routingengine.h"
#include "simulate/replayoracle.h"
#include "store/usagerecords.h"

#include <cstdint>
#include <memory>
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

    void replay(const UsageEvent &event, EventReplay &out);

    const Policy &policy() const { return *m_policy; }

private:
    ReplayOutcome decideOnce(const UsageEvent &event);
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
};

} // namespace rl
