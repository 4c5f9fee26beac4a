#pragma once

#include "store/usagerecords.h"

#include <cstdint>
#include <string>

namespace testdata {

// What a router records of a request's features for replay (store schema 8): no tools, no images, streamed or
// not, the decision's input-token figure, no budget used, no prompt pattern checked.
inline void recordFeatures(rl::UsageEvent &e, bool stream = false)
{
    e.features.hasTools = false;
    e.features.hasImages = false;
    e.features.stream = stream;
    e.features.inputTokens = e.tokens.input;
    e.features.budgetUsed = 0.0;
    e.features.promptChecks = std::vector<rl::PromptCheck>{};
}

// A chat request of team `team` routed by policy version 1 to `tier` (its rank) and `model` of the round-priced
// models (roundprices.h): 1,000 input and 100 output tokens for `costMicro`, every feature recorded.
inline rl::UsageEvent routedEvent(const std::string &id, std::int64_t timeMs, const std::string &team,
                                  const std::string &tier, int tierRank, const std::string &model,
                                  std::int64_t costMicro, double complexity)
{
    rl::UsageEvent e;
    e.requestId = id;
    e.timeMs = timeMs;
    e.team = team;
    e.user = team + ".user";
    e.app = "chat";
    e.requestedModel = "auto";
    e.model = model;
    e.provider = "acme";
    e.tier = tier;
    e.tierRank = tierRank;
    e.rule = "default";
    e.policyVersion = 1;
    e.tokens = {1000, 0, 0, 100, 0};
    e.costMicro = costMicro;
    e.frontierCostMicro = 13000;
    e.complexity = complexity;
    e.task = "chat";
    recordFeatures(e);
    return e;
}

} // namespace testdata
