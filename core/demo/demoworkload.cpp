#include "demo/demoworkload.h"

#include "routing/policyparser.h"
#include "routing/promptchecks.h"
#include "routing/routingengine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>

namespace rl {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

enum Kind { Faq, Code, Legal, Analysis, LongReport, Creative, Summarize, Extract, Chat, Secret, kKinds };

// A few prompts per kind; each is scored once, and events reuse the score with their own noise.
const std::vector<std::vector<const char *>> kPrompts = {
    /* Faq */ {"How do I reset my password?", "Where can I download my invoice?", "What are your opening hours?",
               "Can I change the email address on my account?", "How do I cancel my subscription?",
               "Is there a mobile app?"},
    /* Code */
    {"Refactor this function to remove the duplicated error handling:\n```python\ndef load(p):\n    try:\n"
     "        return json.load(open(p))\n    except Exception as e:\n        log(e)\n        return None\n```",
     "Write a SQL query that returns the ten customers with the highest revenue last quarter, joining "
     "orders and customers, and explain the index it needs.",
     "Why does this C++ code crash with a segfault when the vector grows? `auto &x = v[0]; v.push_back(1); "
     "x = 2;`",
     "Implement an LRU cache in TypeScript with O(1) get and put, with tests.",
     "Review this pull request diff for race conditions and suggest fixes: the worker reads `state` "
     "without the mutex in `poll()` while `stop()` writes it."},
    /* Legal */
    {"Review clause 14 (limitation of liability) of this supply agreement and tell us whether the cap "
     "applies to data-protection breaches, citing the relevant wording.",
     "Compare the termination rights in these two contracts and explain which one is more favourable to "
     "us, step by step.",
     "Draft a reply to opposing counsel rejecting the proposed indemnity changes while keeping the "
     "negotiation open."},
    /* Analysis */
    {"Analyze why our churn rose 3.2 percentage points in Q3 and compare the cohorts that joined "
     "before and after the price change.",
     "Calculate the expected value of the pricing experiment: 12% conversion at $49 vs 9% at $59, with "
     "a 95% confidence interval.",
     "Prove that the proposed sharding scheme keeps every customer's data on exactly one node, and "
     "derive the rebalancing cost."},
    /* LongReport */
    {"Write a detailed, rigorous literature review of retrieval-augmented generation evaluation "
     "methods, comparing at least six approaches, their metrics, their failure modes and open "
     "problems, with a recommendation for our product and a step by step plan.",
     "Explain in depth the trade-offs between three architectures for our event pipeline, justify "
     "the choice with cost and latency estimates, and list the risks with mitigations."},
    /* Creative */
    {"Write three subject lines for our spring sale email.",
     "Write a short, friendly poem for the "
     "team newsletter about shipping the new release.",
     "Write a product description for our new ergonomic office chair, 80 words, upbeat tone.",
     "Suggest five slogans for the conference booth."},
    /* Summarize */
    {"Summarize this customer call transcript in five bullet points and list the follow-ups.",
     "Summarize the attached quarterly report for the leadership team in one paragraph.",
     "TL;DR of this thread for someone who missed the meeting."},
    /* Extract */
    {"Extract the invoice number, date, supplier and total as JSON from this email.",
     "Classify these support tickets as billing, bug, or feature request.",
     "Parse the purchase order and return the line items as JSON fields."},
    /* Chat */
    {"Thanks! Can you make it a bit shorter?", "What's a good name for a team offsite?",
     "Hello, can you help me plan my week?", "Translate into German: the meeting moved to Thursday."},
    /* Secret */ {"Why does this fail? -----BEGIN RSA PRIVATE KEY----- MIIEowIBAAKCAQEA7..."},
};

const int kOutputTokens[kKinds] = {120, 450, 700, 600, 1800, 180, 250, 160, 120, 0};

struct TeamProfile {
    const char *name;
    int users;
    double share;
    std::vector<std::pair<Kind, double>> kinds;
    std::vector<const char *> apps;
    std::int64_t monthlyBudgetUsd; // for 200,000 requests over 90 days; scaled to the workload
    bool monthEndRush;
    const char *tag;
};

const std::vector<TeamProfile> kTeams = {
    {"support", 40, 0.22, {{Faq, 0.7}, {Chat, 0.2}, {Summarize, 0.1}}, {"helpdesk", "chatbot"}, 45, false, "customer"},
    {"engineering", 60, 0.20, {{Code, 0.7}, {Chat, 0.15}, {Analysis, 0.15}}, {"ide", "code-review"}, 400, false, ""},
    {"legal", 8, 0.05, {{Legal, 0.8}, {Summarize, 0.2}}, {"contracts"}, 300, false, "privileged"},
    {"research", 12, 0.07, {{Analysis, 0.5}, {LongReport, 0.5}}, {"notebook"}, 280, false, ""},
    {"marketing", 15, 0.08, {{Creative, 0.7}, {Summarize, 0.3}}, {"copy-studio"}, 20, false, ""},
    {"sales", 30, 0.09, {{Summarize, 0.4}, {Chat, 0.3}, {Creative, 0.3}}, {"crm-assistant"}, 15, true, ""},
    {"finance", 10, 0.05, {{Extract, 0.6}, {Analysis, 0.4}}, {"invoice-bot"}, 50, true, ""},
    {"data", 14, 0.06, {{Analysis, 0.6}, {Code, 0.4}}, {"notebook"}, 180, false, ""},
    {"product", 18, 0.06, {{Summarize, 0.4}, {Chat, 0.4}, {Creative, 0.2}}, {"docs"}, 15, false, ""},
    {"hr", 6, 0.03, {{Chat, 0.7}, {Summarize, 0.3}}, {"people-portal"}, 8, false, "pii"},
    {"security", 6, 0.03, {{Code, 0.5}, {Secret, 0.1}, {Chat, 0.4}}, {"soc-assistant"}, 30, false, ""},
    {"operations", 10, 0.06, {{Extract, 0.5}, {Summarize, 0.5}}, {"batch-jobs"}, 15, false, "nightly"},
};

// An answered request a later one of the same user and app may escalate from.
struct DemoAnswer {
    std::string requestId;
    std::int64_t timeMs = 0;
    int rank = 0;
    double complexity = 0;
};

// The demo's quality signals for one answered event: an escalation when the same user and app asked a less capable
// tier shortly before (likelier the harder that request was, and the further apart the tiers), and feedback on a
// few answers, lower for hard requests answered by the light tier. Drawn from `random`, never the events' own.
void addQualitySignals(UsageEvent &e, std::vector<DemoAnswer> &recent, std::mt19937_64 &random,
                       std::vector<FeedbackRecord> &feedback)
{
    constexpr std::int64_t kWindowMs = 30 * 60'000;
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double complexity = e.complexity.value_or(0.5);
    for (const DemoAnswer &earlier : recent) {
        if (earlier.timeMs >= e.timeMs || e.timeMs - earlier.timeMs > kWindowMs || earlier.rank <= e.tierRank)
            continue;
        const double likelihood = 0.3 + 0.5 * earlier.complexity * (earlier.rank - e.tierRank);
        if (unit(random) < likelihood) {
            e.escalationOf = earlier.requestId;
            break;
        }
    }
    recent.push_back({e.requestId, e.timeMs, e.tierRank, complexity});
    if (recent.size() > 6)
        recent.erase(recent.begin());
    if (e.status == UsageStatus::Error || unit(random) >= 0.04)
        return;
    const double weakness = e.tierRank >= 2 ? 1.2 : e.tierRank == 1 ? 0.4 : 0.08;
    const double expected = std::clamp(0.93 - weakness * complexity * complexity * 1.4, 0.05, 0.98);
    FeedbackRecord f;
    f.requestId = e.requestId;
    f.timeMs = e.timeMs + 30'000 + static_cast<std::int64_t>(unit(random) * 600'000);
    if (unit(random) < 0.5) { // half the clients send thumbs, the others a score
        f.thumbsUp = unit(random) < expected;
        f.score = *f.thumbsUp ? 1.0 : 0.0;
    } else {
        std::normal_distribution<double> spread(expected, 0.15);
        f.score = std::round(std::clamp(spread(random), 0.0, 1.0) * 100.0) / 100.0;
    }
    feedback.push_back(std::move(f));
}

const char *kPolicyV1 = R"({
  "schema": "routeledger.policy/v1", "name": "acme-prod", "version": 1,
  "tiers": [
    {"name": "frontier", "models": ["anthropic/claude-opus-4-1", "openai/gpt-5"]},
    {"name": "mid", "models": ["anthropic/claude-sonnet-4-5", "openai/gpt-5-mini"]},
    {"name": "light", "models": ["openai/gpt-5-nano", "deepseek/deepseek-chat"]}],
  "default_tier": "mid",
  "rules": [
    {"id": "no-secrets", "when": {"prompt": {"matches": "(?i)BEGIN (RSA |EC )?PRIVATE KEY"}}, "then": {"block": "credentials in prompt"}},
    {"id": "legal-frontier", "when": {"team": {"in": ["legal"]}}, "then": {"tier": "frontier"}},
    {"id": "hard-to-frontier", "when": {"any": [{"complexity": {"gte": 0.3}}, {"task": {"eq": "reasoning"}}]}, "then": {"tier": "frontier"}},
    {"id": "easy-to-light", "when": {"all": [{"complexity": {"lt": 0.12}}, {"input_tokens": {"lte": 4000}}]}, "then": {"tier": "light"}}],
  "budget_guard": [{"used_at_least": 0.9, "then": {"downgrade": 1}}, {"used_at_least": 1.0, "then": {"cap_tier": "light"}}]
})";

// Version 2 sends more to the light tier: a wider easy rule and short summaries and extractions.
const char *kPolicyV2 = R"({
  "schema": "routeledger.policy/v1", "name": "acme-prod", "version": 2,
  "tiers": [
    {"name": "frontier", "models": ["anthropic/claude-opus-4-1", "openai/gpt-5"]},
    {"name": "mid", "models": ["anthropic/claude-sonnet-4-5", "openai/gpt-5-mini"]},
    {"name": "light", "models": ["openai/gpt-5-nano", "deepseek/deepseek-chat"]}],
  "default_tier": "mid",
  "rules": [
    {"id": "no-secrets", "when": {"prompt": {"matches": "(?i)BEGIN (RSA |EC )?PRIVATE KEY"}}, "then": {"block": "credentials in prompt"}},
    {"id": "legal-frontier", "when": {"team": {"in": ["legal"]}}, "then": {"tier": "frontier"}},
    {"id": "hard-to-frontier", "when": {"any": [{"complexity": {"gte": 0.35}}, {"task": {"eq": "reasoning"}}]}, "then": {"tier": "frontier"}},
    {"id": "routine-to-light", "when": {"task": {"in": ["summarize", "extraction", "translate"]}}, "then": {"tier": "light"}},
    {"id": "easy-to-light", "when": {"all": [{"complexity": {"lt": 0.2}}, {"input_tokens": {"lte": 4000}}]}, "then": {"tier": "light"}}],
  "budget_guard": [{"used_at_least": 0.9, "then": {"downgrade": 1}}, {"used_at_least": 1.0, "then": {"cap_tier": "light"}}]
})";

struct ScoredPrompt {
    std::string text;
    double complexity;
    Task task;
    std::int64_t tokens;
};

std::string providerOf(std::string_view model)
{
    return std::string(model.substr(0, model.find('/')));
}

} // namespace

const char *DemoWorkload::policyVersion1()
{
    return kPolicyV1;
}
const char *DemoWorkload::policyVersion2()
{
    return kPolicyV2;
}

DemoWorkload::DemoWorkload(Options options, const Pricing &pricing) : m_options(options), m_pricing(pricing) {}

// The providers' own cost reports for the demo traffic, so the Reconciliation page has bills to compare:
// OpenAI bills what the catalog says plus a small non-token line (web search), Anthropic's last day is
// still incomplete (its report lags), DeepSeek has no admin source.
Result<void> DemoWorkload::addProviderBills(UsageStore &store)
{
    Result<SqliteStatement> days = store.database().prepare(
        "SELECT time_ms / 86400000, provider, sum(cost_micro), max(time_ms / 86400000) OVER () FROM usage_events "
        "WHERE provider IN ('openai', 'anthropic') AND status != 2 GROUP BY 1, 2 ORDER BY 1, 2");
    if (!days)
        return days.error();
    IngestBatch openai, anthropic;
    openai.source = "demo OpenAI org (costs)";
    openai.sourceKind = "openai";
    anthropic.source = "demo Anthropic org (costs)";
    anthropic.sourceKind = "anthropic";
    if (Result<void> rowsRead = days->forEachRow([&] {
            CostLine line;
            line.startMs = days->int64(0) * kDayMs;
            line.endMs = line.startMs + kDayMs;
            line.provider = days->text(1);
            line.amountMicro = days->int64(2);
            if (line.provider == "openai") {
                line.lineItem = "completions";
                openai.costs.push_back(line);
                line.lineItem = "web search tool calls";
                line.amountMicro = 250'000;
                openai.costs.push_back(line);
            } else {
                line.lineItem = "tokens";
                if (days->int64(0) == days->int64(3)) // the last two days' reports are not complete yet
                    line.amountMicro = days->int64(2) * 4 / 10;
                else if (days->int64(0) + 1 == days->int64(3))
                    line.amountMicro = days->int64(2) * 9 / 10;
                anthropic.costs.push_back(line);
            }
        });
        !rowsRead)
        return rowsRead.error();
    for (IngestBatch *bills : {&openai, &anthropic})
        if (Result<IngestResult> stored = store.ingest(*bills); !stored)
            return stored.error();
    return {};
}

Result<std::int64_t> DemoWorkload::generate(UsageStore &store, const std::function<bool(double)> &progress)
{
    PolicyLoad v1 = PolicyParser::parse(kPolicyV1);
    PolicyLoad v2 = PolicyParser::parse(kPolicyV2);
    if (!v1.ok() || !v2.ok())
        return Error{"demo.policy", "the demo policies do not validate", false};
    const RoutingEngine engine;
    // The prompt conditions each version evaluates on every request, recorded as a router records them.
    std::vector<const Condition *> v1PromptLeaves, v2PromptLeaves;
    PromptChecks::collect(*v1.policy, v1PromptLeaves);
    PromptChecks::collect(*v2.policy, v2PromptLeaves);

    std::vector<std::vector<ScoredPrompt>> prompts(kKinds);
    for (int kind = 0; kind < kKinds; ++kind)
        for (const char *text : kPrompts[static_cast<std::size_t>(kind)]) {
            const PromptScore score = ComplexityScorer::builtIn().score(text);
            prompts[static_cast<std::size_t>(kind)].push_back({text, score.complexity, score.task, score.inputTokens});
        }

    constexpr std::int64_t kHourMs = 3'600'000;
    // Business hours in UTC, heavier in the middle of the day.
    const std::vector<double> hourWeights = {1,  1,  1,  1,  1,  2, 4, 7, 10, 12, 12, 11,
                                             10, 11, 12, 12, 10, 8, 6, 4, 3,  2,  2,  1};
    double hourWeightSum = 0;
    for (double w : hourWeights)
        hourWeightSum += w;

    // The data ends at `end` (now, by default: up to the current hour and minute). The last UTC day may be in
    // progress; its hours after `end` get no requests.
    const std::int64_t end = m_options.endMs != 0 ? m_options.endMs : readClock(m_options.clock);
    const std::int64_t endDay = (end + kDayMs - 1) / kDayMs * kDayMs; // the UTC midnight at or after the end
    const std::int64_t start = endDay - static_cast<std::int64_t>(m_options.days) * kDayMs;
    const int policyChangeDay = m_options.days * 55 / 100;
    // How much of an hour lies before the end: 1 for whole hours, a fraction for the current one, 0 after.
    auto hourOpen = [&](std::int64_t hourStart) {
        return std::clamp(static_cast<double>(end - hourStart) / static_cast<double>(kHourMs), 0.0, 1.0);
    };

    // Day weights: workdays, a slow growth, and a month-end rush for some teams (applied per team below); the day
    // in progress weighs what of its hours has passed.
    std::vector<double> dayWeights(static_cast<std::size_t>(m_options.days));
    double weightSum = 0;
    for (int d = 0; d < m_options.days; ++d) {
        int hour = 0, weekday = 1;
        RoutingEngine::utcHourAndWeekday(start + d * kDayMs, hour, weekday);
        const double weekly = weekday <= 5 ? 1.0 : (weekday == 6 ? 0.3 : 0.2);
        const double growth = 0.85 + 0.3 * d / std::max(1, m_options.days - 1);
        double open = 0;
        for (int h = 0; h < 24; ++h)
            open += hourWeights[static_cast<std::size_t>(h)] * hourOpen(start + d * kDayMs + h * kHourMs);
        dayWeights[static_cast<std::size_t>(d)] = weekly * growth * open / hourWeightSum;
        weightSum += dayWeights[static_cast<std::size_t>(d)];
    }
    // Requests per day by cumulative rounding, so they add up to the total exactly and none is negative.
    std::vector<std::int64_t> dayCounts(static_cast<std::size_t>(m_options.days));
    {
        double cumulative = 0;
        std::int64_t given = 0;
        for (int d = 0; d < m_options.days; ++d) {
            cumulative += dayWeights[static_cast<std::size_t>(d)];
            const std::int64_t upTo =
                d + 1 == m_options.days ? m_options.events
                                        : std::llround(static_cast<double>(m_options.events) * cumulative / weightSum);
            dayCounts[static_cast<std::size_t>(d)] = std::max<std::int64_t>(0, upTo - given);
            given += dayCounts[static_cast<std::size_t>(d)];
        }
    }
    // The minutes just before the end always have a few requests (the "live" tail), inside the organisation's
    // current day, so "today" and "this month" have data even minutes after midnight.
    const std::int64_t orgToday = store.calendar().dayStartMs(store.calendar().dayOf(end - 1));
    const std::int64_t tailStart = std::max({orgToday, end - 15 * 60'000, start});
    const std::int64_t tailEvents = std::min<std::int64_t>(m_options.events, 8);
    if (m_options.days > 1 && end < endDay && dayCounts.back() < tailEvents) {
        // Taken from the busiest earlier day, so the total stays what was asked for.
        auto busiest = std::max_element(dayCounts.begin(), dayCounts.end() - 1);
        const std::int64_t moved = std::min(tailEvents - dayCounts.back(), *busiest);
        *busiest -= moved;
        dayCounts.back() += moved;
    }

    std::mt19937_64 random(m_options.seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::lognormal_distribution<double> noise(0.0, 0.45);
    std::vector<double> teamShares;
    for (const TeamProfile &t : kTeams)
        teamShares.push_back(t.share);
    std::discrete_distribution<std::size_t> pickTeam(teamShares.begin(), teamShares.end());
    std::discrete_distribution<int> pickHour(hourWeights.begin(), hourWeights.end());

    // What an admin did, as the audit log tells it: the actor "demo" published version 1 when the data starts,
    // set the budgets then, and published version 2 the day the traffic switched to it.
    struct AsTheDemo {
        UsageStore &store;
        std::string actor = store.actor();
        Clock clock = store.clock();
        AsTheDemo(UsageStore &s, std::int64_t atMs) : store(s)
        {
            store.setActor("demo");
            store.setClock(fixedClock(atMs));
        }
        ~AsTheDemo()
        {
            store.setActor(actor);
            store.setClock(clock);
        }
        AsTheDemo(const AsTheDemo &) = delete;
        AsTheDemo &operator=(const AsTheDemo &) = delete;
    } asTheDemo(store, start);
    if (Result<PolicyVersionRecord> published = store.publishPolicy(
            kPolicyV1, "First policy: light, mid and frontier tiers, secrets blocked, legal on frontier");
        !published)
        return published.error();

    // Budgets follow the workload's size, so the same teams are comfortable or tight at any --events.
    const double scale = static_cast<double>(m_options.events) / 200'000.0 * 90.0 / m_options.days;
    std::vector<std::int64_t> budgetMicro;
    for (const TeamProfile &team : kTeams) {
        budgetMicro.push_back(
            std::max<std::int64_t>(1'000'000, std::llround(static_cast<double>(team.monthlyBudgetUsd) * 1e6 * scale)));
        SpendBudget budget;
        budget.scope = {SpendScope::Kind::Team, team.name};
        budget.limitMicro = budgetMicro.back();
        if (Result<SpendBudget> saved = store.saveBudget(budget); !saved)
            return saved.error();
    }

    store.setClock(fixedClock(start + static_cast<std::int64_t>(policyChangeDay) * kDayMs));
    if (Result<PolicyVersionRecord> published = store.publishPolicy(
            kPolicyV2,
            "More to the light tier: routine summaries, extractions and translations, and a wider easy rule");
        !published)
        return published.error();
    store.setClock(asTheDemo.clock);
    store.setActor(asTheDemo.actor);

    std::map<std::pair<std::size_t, std::int64_t>, std::int64_t> monthSpend; // (team, month) -> micro-USD
    // Quality signals from their own generator, so the events stay what they are for a seed (the simulation's
    // exactness test replays them) and only gain feedback and escalation links.
    std::mt19937_64 signals(m_options.seed ^ 0x9E3779B97F4A7C15ULL);
    std::map<std::string, std::vector<DemoAnswer>> recentByUser; // user and app -> the last few answered requests
    const std::int64_t total = m_options.events;
    std::int64_t produced = 0;
    IngestBatch batch;
    batch.source = "demo-router";
    batch.sourceKind = "router";

    for (int d = 0; d < m_options.days; ++d) {
        const std::int64_t dayStart = start + d * kDayMs;
        const std::int64_t dayEvents = dayCounts[static_cast<std::size_t>(d)];
        // The day in progress draws its hours from those before the end only.
        const bool partial = dayStart + kDayMs > end;
        std::discrete_distribution<int> pickOpenHour;
        if (partial) {
            std::vector<double> open(24);
            for (int h = 0; h < 24; ++h)
                open[static_cast<std::size_t>(h)] =
                    hourWeights[static_cast<std::size_t>(h)] * hourOpen(dayStart + h * kHourMs);
            if (std::all_of(open.begin(), open.end(), [](double w) { return w <= 0; }))
                open[0] = 1; // unreachable: a partial day has an open hour; keeps the distribution valid
            pickOpenHour = std::discrete_distribution<int>(open.begin(), open.end());
        }
        const auto &policy = d < policyChangeDay ? v1.policy : v2.policy;
        const auto &promptLeaves = d < policyChangeDay ? v1PromptLeaves : v2PromptLeaves;
        std::int64_t month = 0, monthEnd = 0; // the budget month, cut in the store's time zone
        store.calendar().periodContaining(store.calendar().dayOf(dayStart), BudgetPeriod::Month, month, monthEnd);
        const int dayOfMonth = static_cast<int>(monthEnd - store.calendar().dayOf(dayStart)); // days left
        for (std::int64_t n = 0; n < dayEvents; ++n) {
            std::size_t t = pickTeam(random);
            const TeamProfile &team = kTeams[t];
            if (team.monthEndRush && dayOfMonth > 3 && unit(random) < 0.4)
                t = pickTeam(random); // month-end teams are quieter until the last three days
            const TeamProfile &who = kTeams[t];
            double r = unit(random);
            Kind kind = who.kinds.back().first;
            for (const auto &[k, w] : who.kinds) {
                if (r < w) {
                    kind = k;
                    break;
                }
                r -= w;
            }
            const auto &choices = prompts[kind];
            const ScoredPrompt &prompt =
                choices[static_cast<std::size_t>(unit(random) * static_cast<double>(choices.size())) % choices.size()];

            RouteRequest request;
            request.team = who.name;
            request.app = who.apps[static_cast<std::size_t>(unit(random) * static_cast<double>(who.apps.size()))
                                   % who.apps.size()];
            request.user =
                std::string(who.name) + ".user" + std::to_string(1 + static_cast<int>(unit(random) * who.users));
            if (*who.tag)
                request.tags = {who.tag};
            request.requestedModel = (kind == Code && unit(random) < 0.1) ? "gpt-5-mini" : "auto";
            request.prompt = prompt.text;
            request.scoredLength = request.prompt.size();
            request.messageCount = 2;
            const std::int64_t systemTokens = 40 + static_cast<std::int64_t>(unit(random) * 600);
            request.inputTokens =
                static_cast<std::int64_t>(static_cast<double>(prompt.tokens + systemTokens) * noise(random));
            request.complexity = std::clamp(prompt.complexity * (0.8 + 0.4 * unit(random)), 0.0, 1.0);
            request.task = prompt.task;
            if (partial && n >= dayEvents - std::min(tailEvents, dayEvents)) {
                request.timeMs =
                    tailStart + static_cast<std::int64_t>(unit(random) * static_cast<double>(end - tailStart));
            } else if (partial) {
                const std::int64_t hourStart = dayStart + pickOpenHour(random) * kHourMs;
                const std::int64_t open = std::min(kHourMs, end - hourStart);
                request.timeMs = hourStart + static_cast<std::int64_t>(unit(random) * static_cast<double>(open));
            } else {
                request.timeMs =
                    dayStart + pickHour(random) * kHourMs + static_cast<std::int64_t>(unit(random) * kHourMs);
            }
            request.timeMs = std::min(request.timeMs, end - 1);
            const std::int64_t spent = monthSpend[{t, month}];
            request.budgetUsed = static_cast<double>(spent) / static_cast<double>(budgetMicro[t]);

            const Decision decision = engine.decide(policy, request);
            UsageEvent e;
            e.requestId = "demo-" + std::to_string(m_options.seed) + "-" + std::to_string(produced + n);
            e.timeMs = request.timeMs;
            e.team = request.team;
            e.user = request.user;
            e.app = request.app;
            e.tags = request.tags;
            e.requestedModel = request.requestedModel;
            e.tier = std::string(decision.tierName());
            e.tierRank = decision.tier;
            e.rule = std::string(decision.ruleId());
            e.policyVersion = policy->version;
            e.complexity = decision.complexity;
            e.task = std::string(taskName(decision.task));
            e.features.hasTools = request.hasTools;
            e.features.hasImages = request.hasImages;
            e.features.stream = request.stream;
            e.features.inputTokens = decision.inputTokens;
            e.features.budgetUsed = request.budgetUsed;
            e.features.promptChecks.emplace();
            PromptChecks::evaluate(promptLeaves, request, *e.features.promptChecks);
            if (decision.blocked) {
                e.status = UsageStatus::Blocked;
                e.model = "";
                e.latencyMs = 2;
            } else {
                e.model = std::string(decision.model);
                const double roll = unit(random);
                if (roll < 0.012) {
                    e.status = UsageStatus::Error;
                } else if (roll < 0.04 && decision.tier >= 0) {
                    // Fallback: the next model of the tier served it.
                    const auto &models = policy->tiers[static_cast<std::size_t>(decision.tier)].models;
                    e.model = models.size() > 1 ? models[1] : models[0];
                    e.status = UsageStatus::Fallback;
                    if (e.model != decision.model)
                        e.routedModel = std::string(decision.model);
                }
                e.provider = providerOf(e.model);
                e.tokens.input = *request.inputTokens;
                if (unit(random) < 0.3) { // repeated system prompts hit the provider's cache
                    e.tokens.cachedInput = std::min<std::int64_t>(systemTokens, e.tokens.input);
                    e.tokens.input -= e.tokens.cachedInput;
                }
                if (e.status != UsageStatus::Error) {
                    e.tokens.output = static_cast<std::int64_t>(kOutputTokens[kind] * noise(random));
                    if (e.model == "openai/gpt-5" || e.model == "openai/gpt-5-mini")
                        e.tokens.reasoning = e.tokens.output * 3 / 10;
                }
                const double tierLatency = decision.tier == 0 ? 2400 : decision.tier == 1 ? 1200 : 450;
                e.latencyMs =
                    static_cast<std::int64_t>(tierLatency * noise(random) + static_cast<double>(e.tokens.output) * 4);
                const Cost cost = m_pricing.cost(e.model, e.tokens, e.timeMs);
                e.costMicro = cost.microUsd;
                e.unpriced = cost.unpriced;
                e.frontierCostMicro = m_pricing.cost(policy->tiers.front().models.front(), e.tokens, e.timeMs).microUsd;
                monthSpend[{t, month}] += e.costMicro;
                addQualitySignals(e, recentByUser[e.user + "\n" + e.app], signals, batch.feedback);
            }
            batch.events.push_back(std::move(e));
            if (batch.events.size() >= m_options.batchSize) {
                batch.cursor = std::to_string(produced + n + 1);
                if (Result<IngestResult> stored = store.ingest(batch); !stored)
                    return stored.error();
                batch.events.clear();
                batch.feedback.clear();
                if (progress && !progress(static_cast<double>(produced + n + 1) / static_cast<double>(total)))
                    return Error{"demo.cancelled", "demo generation was cancelled", false};
            }
        }
        produced += dayEvents;
    }
    batch.cursor = std::to_string(produced);
    if (Result<IngestResult> stored = store.ingest(batch); !stored)
        return stored.error();
    if (Result<void> billed = addProviderBills(store); !billed)
        return billed.error();
    if (Result<void> marked =
            store.database().execute("INSERT INTO settings VALUES ('demo', '1') ON CONFLICT DO UPDATE SET value = '1'");
        !marked)
        return marked.error();
    if (progress)
        progress(1.0);
    return produced;
}

} // namespace rl
