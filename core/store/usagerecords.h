#pragma once

#include "pricing/tokenusage.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

enum class UsageStatus : int { Ok = 0, Error = 1, Blocked = 2, Fallback = 3 };

// The names DESIGN.md §3.3 uses on the wire (the router's /admin/usage, the sources).
inline std::string_view usageStatusName(UsageStatus status)
{
    switch (status) {
    case UsageStatus::Ok: return "ok";
    case UsageStatus::Error: return "error";
    case UsageStatus::Blocked: return "blocked";
    case UsageStatus::Fallback: return "fallback";
    }
    return "error";
}

inline std::optional<UsageStatus> usageStatusFromName(std::string_view name)
{
    if (name == "ok")
        return UsageStatus::Ok;
    if (name == "error")
        return UsageStatus::Error;
    if (name == "blocked")
        return UsageStatus::Blocked;
    if (name == "fallback")
        return UsageStatus::Fallback;
    return std::nullopt;
}

// One prompt condition evaluated on a request: its key (PromptChecks::key, a fingerprint of the operator and
// the pattern, never the prompt) and whether it held.
struct PromptCheck {
    std::string key;
    bool held = false;
    bool operator==(const PromptCheck &) const = default;
};

// What a routing decision looked at besides team, user, app, tags, requested model, complexity, task and time
// (kept on the event itself), so that history can be replayed under another policy (core/simulate). Unset:
// the source did not record it, and a replay counts the events whose outcome depends on it as unknown.
struct RoutingFeatures {
    std::optional<bool> hasTools;
    std::optional<bool> hasImages;
    std::optional<bool> stream;
    std::optional<std::int64_t> inputTokens; // the figure the decision used (the estimate, or a known count)
    std::optional<double> budgetUsed;        // what the budget guard saw: 0.93 = 93 % of the team's budget
    // Every prompt condition of the policies in force (live and shadow), evaluated on the prompt.
    std::optional<std::vector<PromptCheck>> promptChecks;
    bool operator==(const RoutingFeatures &) const = default;
};

// What a shadow policy would have done with the request (DESIGN.md §3.4): recorded, never served.
struct ShadowOutcome {
    std::int64_t policyVersion = 0;
    std::string tier;  // empty: blocked
    std::string model; // empty: blocked
    std::string rule;  // the deciding rule's id, or "default"
    bool blocked = false;
    std::int64_t costMicro = 0; // the shadow model at the same tokens and time
    bool operator==(const ShadowOutcome &) const = default;
};

// One request, as a router or gateway reports it (DESIGN.md §3.3). Deduplicated on (source, requestId).
struct UsageEvent {
    std::string requestId;
    std::int64_t timeMs = 0;
    std::string team, user, app; // empty: unassigned
    std::vector<std::string> tags;
    std::string requestedModel;
    std::string model; // served, provider/name
    std::string provider;
    std::string tier;  // empty when the source does not route by tier
    int tierRank = -1; // 0 = most capable tier of the policy that decided
    std::string rule;
    std::int64_t policyVersion = 0;
    TokenUsage tokens;
    std::int64_t costMicro = 0;                    // from the price catalog
    std::optional<std::int64_t> reportedCostMicro; // what the source said it cost
    std::int64_t frontierCostMicro = 0;            // what the frontier tier's first model would have cost
    bool unpriced = false;
    // The answer carried no usable token counts (a gateway's upstream that sent no `usage`): tokens and
    // cost are unknown, not zero.
    bool unmetered = false;
    std::int64_t latencyMs = 0;
    UsageStatus status = UsageStatus::Ok;
    std::optional<double> complexity;
    std::string task;
    // The model the decision chose when a fallback served another one; empty: the served model.
    std::string routedModel;
    // An escalation: the request id of an earlier one (same user and app, a few minutes before, a near-identical
    // prompt) that this one asks again at a higher tier or with a pinned frontier model; empty when none.
    std::string escalationOf;
    RoutingFeatures features;
    std::optional<ShadowOutcome> shadow;
};

// Usage a source aggregated per time window and dimensions (provider usage and cost reports).
// Upserted on (source, window, dimensions): providers revise recent buckets.
struct UsageBucket {
    std::int64_t startMs = 0;
    std::int64_t endMs = 0;
    std::string team, app, model, provider, project, apiKey;
    // The terms the tokens were sold on when not standard (PriceTerms::key(): "batch", "priority, 200k-1M"):
    // part of the key, so rows at different prices stay apart.
    std::string priceTerms;
    std::int64_t requests = 0;
    TokenUsage tokens;
    std::int64_t costMicro = 0;
    std::optional<std::int64_t> reportedCostMicro;
    bool unpriced = false;
};

// One line of a provider's own bill (OpenAI Costs API, Anthropic cost report, OpenRouter activity, LiteLLM
// daily activity): what the provider says a window cost. Kept apart from usage so that a source reporting
// both usage and cost never counts spend twice; the Reconciliation view compares the two. Upserted on
// (source, window, dimensions) because providers revise recent days.
struct CostLine {
    std::int64_t startMs = 0;
    std::int64_t endMs = 0;
    std::string team, app; // as the source names them (LiteLLM team, key alias); the store maps identities
    std::string project;   // OpenAI project, Anthropic workspace
    std::string apiKey;    // key id or hash, when the report is grouped by key
    std::string model;     // provider/name, when the report names one
    std::string provider;  // "openai", "anthropic", ...
    std::string lineItem;  // the provider's own description ("gpt-4o, input", "tokens", "web_search")
    // What the line cost; nullopt when the provider sent the line without an amount ("no cost reported",
    // which is not the same as $0).
    std::optional<std::int64_t> amountMicro = 0;
};

// What a client said of an answer (POST /v1/feedback on a router): a score from 0 to 1 (thumbs up is 1, down 0)
// and an optional comment. One per (source, request): a later one replaces it.
struct FeedbackRecord {
    std::string requestId;
    std::int64_t timeMs = 0;
    double score = 0.0;
    std::optional<bool> thumbsUp; // set when the client sent thumbs rather than a score
    std::string comment;
    bool operator==(const FeedbackRecord &) const = default;
};

// A window of a source's buckets that a batch replaces whole: stored buckets starting in [fromMs, toMs)
// that the batch does not carry are deleted (a re-read day whose rows moved between teams or models).
struct BucketRange {
    std::int64_t fromMs = 0;
    std::int64_t toMs = 0;
};

// One page from a source, committed with the source's new cursor in one transaction.
struct IngestBatch {
    std::string source;
    std::string sourceKind = "router";
    std::vector<UsageEvent> events;
    std::vector<UsageBucket> buckets;
    std::vector<CostLine> costs;
    std::vector<FeedbackRecord> feedback;
    std::optional<BucketRange> replaceBuckets;
    std::optional<std::string> cursor;
};

struct IngestResult {
    std::size_t inserted = 0;
    std::size_t duplicates = 0;
    std::size_t bucketsUpserted = 0;
    std::size_t bucketsRemoved = 0;
    std::size_t costLinesUpserted = 0;
    std::size_t feedbackUpserted = 0;
};

} // namespace rl
