#include "simulate/simulation.h"

#include "simulate/parallelhistoryread.h"
#include "simulate/policyreplayer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <tuple>

namespace rl {

namespace {

std::string_view tierLabel(const ReplayOutcome &outcome)
{
    if (outcome.blocked)
        return "blocked";
    return outcome.tierName.empty() ? std::string_view("none") : outcome.tierName;
}

// The chance that the outcome's tier answers worse than the frontier tier: the scorer's complexity on the
// cheapest tier, none on the frontier, by rank between.
double shortfall(const Policy &policy, const ReplayOutcome &outcome, double complexity)
{
    const auto tiers = static_cast<int>(policy.tiers.size());
    if (outcome.blocked || outcome.tier <= 0 || tiers < 2)
        return 0.0;
    return complexity * static_cast<double>(outcome.tier) / static_cast<double>(tiers - 1);
}

// Shortfalls are summed in billionths, as integers: a double's sum would depend on the order of the events, so on
// how the read was shared between threads.
constexpr double kShortfallUnits = 1e9;

void count(PolicyFigures &figures, std::int64_t &shortfallUnits, const Policy &policy, const EventReplay &replay,
           const UsageEvent &event)
{
    const ReplayOutcome &o = replay.outcome;
    ++figures.requests;
    figures.blocked += o.blocked ? 1 : 0;
    figures.unpriced += !o.blocked && o.unpriced ? 1 : 0;
    figures.costMicro += o.costMicro;
    figures.frontierCostMicro += replay.frontierCostMicro;
    const std::string label(tierLabel(o)); // short: no allocation
    ++figures.tierRequests[label];
    figures.tierCostMicro[label] += o.costMicro;
    if (event.complexity && !o.blocked) {
        shortfallUnits += std::llround(shortfall(policy, o, *event.complexity) * kShortfallUnits);
        ++figures.scoredRequests;
    }
}

using MoveKey = std::tuple<std::string, std::string, std::string>; // group, from, to

void addMove(std::map<MoveKey, TierMove> &moves, std::string_view group, std::string_view from, std::string_view to,
             std::int64_t delta)
{
    MoveKey key{std::string(group), std::string(from), std::string(to)};
    auto found = moves.find(key);
    if (found == moves.end())
        found = moves.emplace(key, TierMove{std::get<0>(key), std::get<1>(key), std::get<2>(key), 0, 0}).first;
    ++found->second.requests;
    found->second.costDeltaMicro += delta;
}

std::vector<TierMove> sortedMoves(const std::map<MoveKey, TierMove> &moves)
{
    std::vector<TierMove> list;
    list.reserve(moves.size());
    for (const auto &[key, move] : moves)
        list.push_back(move);
    std::stable_sort(list.begin(), list.end(), [](const TierMove &a, const TierMove &b) {
        if (a.group != b.group)
            return a.group < b.group;
        return a.requests > b.requests;
    });
    return list;
}

void span(const EventReplay &replay, std::int64_t &low, std::int64_t &high)
{
    std::int64_t lowest = replay.outcome.costMicro, highest = replay.outcome.costMicro;
    for (const ReplayOutcome &o : replay.possible) {
        lowest = std::min(lowest, o.costMicro);
        highest = std::max(highest, o.costMicro);
    }
    low += lowest;
    high += highest;
}

// One reading thread's share of a simulation: its days' events replayed under both policies and summed.
class Accumulator {
public:
    Accumulator(const std::shared_ptr<const Policy> &baselinePolicy, const std::shared_ptr<const Policy> &draftPolicy,
                const Pricing &pricing, const RoutingEngine &engine)
        : m_baselinePolicy(*baselinePolicy), m_draftPolicy(*draftPolicy), m_baseline(baselinePolicy, pricing, engine),
          m_draft(draftPolicy, pricing, engine)
    {}

    void add(const StoredEvent &stored)
    {
        const UsageEvent &event = stored.event;
        ++events;
        m_baseline.replay(event, m_before);
        m_draft.replay(event, m_after);
        if (!m_before.known || !m_after.known) {
            ++unknown.requests;
            ++unknown.reasons[std::string(!m_after.known ? m_after.reason : m_before.reason)];
            span(m_before, unknown.baselineCostMinMicro, unknown.baselineCostMaxMicro);
            span(m_after, unknown.draftCostMinMicro, unknown.draftCostMaxMicro);
            std::vector<std::string_view> reached{tierLabel(m_after.outcome)};
            for (const ReplayOutcome &o : m_after.possible)
                if (std::find(reached.begin(), reached.end(), tierLabel(o)) == reached.end())
                    reached.push_back(tierLabel(o));
            for (std::string_view tier : reached)
                ++unknown.draftTierRequests[std::string(tier)];
            return;
        }
        ++compared;
        count(baseline, m_baselineShortfallUnits, m_baselinePolicy, m_before, event);
        count(draft, m_draftShortfallUnits, m_draftPolicy, m_after, event);
        DayFigures &day = days[stored.day];
        day.day = stored.day;
        ++day.requests;
        day.baselineCostMicro += m_before.outcome.costMicro;
        day.draftCostMicro += m_after.outcome.costMicro;
        const std::string_view from = tierLabel(m_before.outcome), to = tierLabel(m_after.outcome);
        if (from != to) {
            const std::int64_t delta = m_after.outcome.costMicro - m_before.outcome.costMicro;
            addMove(moved, {}, from, to, delta);
            addMove(byRule, m_after.outcome.rule, from, to, delta);
            addMove(byTeam, event.team, from, to, delta);
        }
    }

    // Adds another thread's share.
    void merge(const Accumulator &other)
    {
        events += other.events;
        compared += other.compared;
        mergeFigures(baseline, other.baseline);
        mergeFigures(draft, other.draft);
        m_baselineShortfallUnits += other.m_baselineShortfallUnits;
        m_draftShortfallUnits += other.m_draftShortfallUnits;
        unknown.requests += other.unknown.requests;
        for (const auto &[reason, n] : other.unknown.reasons)
            unknown.reasons[reason] += n;
        unknown.baselineCostMinMicro += other.unknown.baselineCostMinMicro;
        unknown.baselineCostMaxMicro += other.unknown.baselineCostMaxMicro;
        unknown.draftCostMinMicro += other.unknown.draftCostMinMicro;
        unknown.draftCostMaxMicro += other.unknown.draftCostMaxMicro;
        for (const auto &[tier, n] : other.unknown.draftTierRequests)
            unknown.draftTierRequests[tier] += n;
        for (const auto &[day, figures] : other.days) {
            DayFigures &mine = days[day];
            mine.day = day;
            mine.requests += figures.requests;
            mine.baselineCostMicro += figures.baselineCostMicro;
            mine.draftCostMicro += figures.draftCostMicro;
        }
        mergeMoves(moved, other.moved);
        mergeMoves(byRule, other.byRule);
        mergeMoves(byTeam, other.byTeam);
    }

    void finish(SimulationResult &result) const
    {
        result.events = events;
        result.compared = compared;
        const auto keepNames = [](PolicyFigures &into, const PolicyFigures &from) {
            const PolicyFigures named = into;
            into = from;
            into.name = named.name;
            into.version = named.version;
            into.tierNames = named.tierNames;
        };
        keepNames(result.baseline, baseline);
        keepNames(result.draft, draft);
        result.baseline.expectedShortfalls = static_cast<double>(m_baselineShortfallUnits) / kShortfallUnits;
        result.draft.expectedShortfalls = static_cast<double>(m_draftShortfallUnits) / kShortfallUnits;
        result.unknown = unknown;
        result.moved = sortedMoves(moved);
        result.movedByRule = sortedMoves(byRule);
        result.movedByTeam = sortedMoves(byTeam);
        for (const auto &[day, figures] : days)
            result.days.push_back(figures);
    }

private:
    static void mergeFigures(PolicyFigures &into, const PolicyFigures &from)
    {
        into.requests += from.requests;
        into.blocked += from.blocked;
        into.unpriced += from.unpriced;
        into.costMicro += from.costMicro;
        into.frontierCostMicro += from.frontierCostMicro;
        for (const auto &[tier, n] : from.tierRequests)
            into.tierRequests[tier] += n;
        for (const auto &[tier, n] : from.tierCostMicro)
            into.tierCostMicro[tier] += n;
        into.scoredRequests += from.scoredRequests;
    }

    static void mergeMoves(std::map<MoveKey, TierMove> &into, const std::map<MoveKey, TierMove> &from)
    {
        for (const auto &[key, move] : from) {
            auto found = into.find(key);
            if (found == into.end()) {
                into.emplace(key, move);
                continue;
            }
            found->second.requests += move.requests;
            found->second.costDeltaMicro += move.costDeltaMicro;
        }
    }

    const Policy &m_baselinePolicy;
    const Policy &m_draftPolicy;
    PolicyReplayer m_baseline, m_draft;
    EventReplay m_before, m_after;
    std::int64_t m_baselineShortfallUnits = 0, m_draftShortfallUnits = 0;

public:
    std::int64_t events = 0, compared = 0;
    PolicyFigures baseline, draft;
    UnknownFigures unknown;
    std::map<std::int64_t, DayFigures> days;
    std::map<MoveKey, TierMove> moved, byRule, byTeam;
};

} // namespace

Result<SimulationResult> Simulation::run(HistoryReader &reader, const std::shared_ptr<const Policy> &baseline,
                                         const std::shared_ptr<const Policy> &draft, const SimulationOptions &options)
{
    const UsageFilter &scope = options.scope;
    if (scope.toDay <= scope.fromDay)
        return Error{"simulate.period", "the period is empty: its end must come after its start", false};
    Result<Pricing> pricing = reader.pricing();
    if (!pricing)
        return pricing.error();

    SimulationResult result;
    result.fromMs = reader.calendar().dayStartMs(scope.fromDay);
    result.toMs = reader.calendar().dayStartMs(scope.toDay);
    result.team = scope.team;
    result.app = scope.app;
    result.source = scope.source;
    result.baseline.name = baseline->name;
    result.baseline.version = baseline->version;
    result.draft.name = draft->name;
    result.draft.version = draft->version;
    for (const Tier &tier : baseline->tiers)
        result.baseline.tierNames.push_back(tier.name);
    for (const Tier &tier : draft->tiers)
        result.draft.tierNames.push_back(tier.name);

    const RoutingEngine engine;
    Accumulator first(baseline, draft, pricing.value(), engine);
    std::optional<Accumulator> second;
    Result<std::int64_t> read = ParallelHistoryRead::run(
        reader, scope, options.splitAtEvents, HistoryReader::Fields::Replay, options.progress, [&](int part) {
            Accumulator &into = part == 0 ? first : second.emplace(baseline, draft, pricing.value(), engine);
            return ParallelHistoryRead::Sink([&into](const StoredEvent &stored) { into.add(stored); });
        });
    if (!read)
        return read.error();
    if (second)
        first.merge(*second);
    first.finish(result);
    return result;
}

} // namespace rl
