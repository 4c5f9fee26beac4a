#include "simulate/calibration.h"

#include "simulate/parallelhistoryread.h"
#include "simulate/policyreplayer.h"

#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace rl {

namespace {

struct RequestKey {
    std::string source, requestId;
    bool operator==(const RequestKey &) const = default;
};

struct RequestKeyHash {
    std::size_t operator()(const RequestKey &key) const
    {
        return std::hash<std::string>()(key.requestId) * 31 + std::hash<std::string>()(key.source);
    }
};

constexpr double kEscalated = -1.0; // in QualityEvidence::ratings: asked again at a higher tier, rated 0

// What clients said of the period's requests: feedback scores, and the requests a later one escalated.
struct QualityEvidence {
    std::unordered_map<RequestKey, double, RequestKeyHash> ratings;
};

Result<QualityEvidence> readEvidence(HistoryReader &reader, const UsageFilter &scope)
{
    QualityEvidence evidence;
    Result<SqliteStatement> feedback = reader.database().prepare(
        "SELECT s.name, f.request_id, f.score FROM feedback f JOIN sources s ON s.id = f.source_id");
    if (!feedback)
        return feedback.error();
    for (;;) {
        Result<bool> row = feedback->step();
        if (!row)
            return row.error();
        if (!row.value())
            break;
        evidence.ratings[RequestKey{feedback->text(0), feedback->text(1)}] = feedback->real(2);
    }
    // An escalation comes minutes after the request it repeats, maybe past midnight: read a day beyond the end.
    Result<SqliteStatement> escalated = reader.database().prepare(
        "SELECT s.name, x.escalation_of FROM usage_events x JOIN sources s ON s.id = x.source_id "
        "WHERE x.day >= ?1 AND x.day <= ?2 AND x.escalation_of IS NOT NULL");
    if (!escalated)
        return escalated.error();
    escalated->bind(1, scope.fromDay);
    escalated->bind(2, scope.toDay);
    for (;;) {
        Result<bool> row = escalated->step();
        if (!row)
            return row.error();
        if (!row.value())
            break;
        evidence.ratings[RequestKey{escalated->text(0), escalated->text(1)}] = kEscalated;
    }
    return evidence;
}

int slotOf(const ReplayOutcome &outcome, int tiers)
{
    if (outcome.blocked)
        return tiers;
    return outcome.tier >= 0 ? outcome.tier : tiers + 1;
}

struct Rating {
    int tier;
    double complexity, score;
};

// One reading thread's share: each request decided in every band, summed into its own table.
class CalibrationPass {
public:
    CalibrationPass(const std::shared_ptr<const Policy> &draft, const Pricing &pricing, const RoutingEngine &engine,
                    const std::vector<double> &thresholds, const QualityEvidence &evidence)
        : table(static_cast<int>(thresholds.size()), static_cast<int>(draft->tiers.size())), m_draft(*draft),
          m_replayer(draft, pricing, engine), m_bandValues(ComplexityThresholds::bandValues(thresholds)),
          m_evidence(evidence), m_outcomes(m_bandValues.size())
    {}

    void add(const StoredEvent &stored)
    {
        const UsageEvent &event = stored.event;
        ++events;
        const int tiers = static_cast<int>(m_draft.tiers.size());
        if (!event.complexity) {
            m_replayer.replay(event, m_replay);
            if (!m_replay.known) {
                noteUnknown();
                return;
            }
            table.addUnscored(slotOf(m_replay.outcome, tiers), m_replay.outcome.costMicro);
            ++unscored;
            return;
        }
        for (std::size_t band = 0; band < m_bandValues.size(); ++band) {
            m_replayer.replay(event, m_replay, m_bandValues[band]);
            if (!m_replay.known) {
                noteUnknown();
                return;
            }
            m_outcomes[band] = {slotOf(m_replay.outcome, tiers), m_replay.outcome.costMicro};
        }
        for (std::size_t band = 0; band < m_bandValues.size(); ++band)
            table.add(*event.complexity, static_cast<int>(band), m_outcomes[band].first, m_outcomes[band].second);
        ++scored;
        if (!m_evidence.ratings.empty()) {
            const auto found = m_evidence.ratings.find(RequestKey{std::string(stored.source), event.requestId});
            const int tier = m_draft.tierIndex(event.tier);
            if (found != m_evidence.ratings.end() && tier >= 0) {
                const bool escalated = found->second == kEscalated;
                ratings.push_back({tier, *event.complexity, escalated ? 0.0 : found->second});
                escalations += escalated ? 1 : 0;
            }
        }
    }

    void merge(const CalibrationPass &other)
    {
        table.merge(other.table);
        events += other.events;
        scored += other.scored;
        unscored += other.unscored;
        unknown += other.unknown;
        escalations += other.escalations;
        for (const auto &[reason, n] : other.reasons)
            reasons[reason] += n;
        ratings.insert(ratings.end(), other.ratings.begin(), other.ratings.end());
    }

    CalibrationTable table;
    std::int64_t events = 0, scored = 0, unscored = 0, unknown = 0, escalations = 0;
    std::map<std::string, std::int64_t> reasons;
    std::vector<Rating> ratings;

private:
    void noteUnknown()
    {
        ++unknown;
        ++reasons[std::string(m_replay.reason)];
    }

    const Policy &m_draft;
    PolicyReplayer m_replayer;
    std::vector<double> m_bandValues;
    const QualityEvidence &m_evidence;
    EventReplay m_replay;
    std::vector<std::pair<int, std::int64_t>> m_outcomes; // per band: slot, cost
};

} // namespace

Result<CalibrationResult> Calibration::run(HistoryReader &reader, const std::shared_ptr<const Policy> &draft,
                                           const CalibrationOptions &options)
{
    const UsageFilter &scope = options.scope;
    if (scope.toDay <= scope.fromDay)
        return Error{"calibrate.period", "the period is empty: its end must come after its start", false};
    const CalibrationTarget &target = options.target;
    if (!(target.value >= 0.0 && target.value <= 1.0))
        return Error{"calibrate.target",
                     "the target must be a fraction from 0 to 1 (0.2 for a 20 % frontier share, 0.95 for 95 % of "
                     "all-frontier quality)",
                     false};
    CalibrationResult result;
    result.thresholds = ComplexityThresholds::of(*draft);
    if (result.thresholds.empty())
        return Error{"calibrate.thresholds",
                     "the draft compares complexity with no threshold, so there is nothing to calibrate: add a rule "
                     "such as {\"complexity\": {\"lt\": 0.35}} → light",
                     false};
    Result<Pricing> pricing = reader.pricing();
    if (!pricing)
        return pricing.error();
    Result<QualityEvidence> evidence = readEvidence(reader, scope);
    if (!evidence)
        return evidence.error();

    const std::vector<double> current = ComplexityThresholds::valuesOf(result.thresholds);
    const RoutingEngine engine;
    CalibrationPass first(draft, pricing.value(), engine, current, evidence.value());
    std::optional<CalibrationPass> second;
    Result<std::int64_t> read = ParallelHistoryRead::run(
        reader, scope, options.splitAtEvents, HistoryReader::Fields::All, options.progress, [&](int part) {
            CalibrationPass &into =
                part == 0 ? first : second.emplace(draft, pricing.value(), engine, current, evidence.value());
            return ParallelHistoryRead::Sink([&into](const StoredEvent &stored) { into.add(stored); });
        });
    if (!read) {
        if (read.error().code == "simulate.cancelled")
            return Error{"calibrate.cancelled", "the calibration was cancelled", false};
        return read.error();
    }
    if (read.value() == 0)
        return Error{"calibrate.empty", "no stored requests in the period and scope: choose a period with traffic",
                     false};
    if (second)
        first.merge(*second);
    if (first.scored == 0)
        return Error{"calibrate.unscored",
                     "none of the period's requests has a complexity from the scorer (or all depend on what was not "
                     "recorded), so no threshold moves any of them: choose a period of routed traffic",
                     false};

    QualityEstimator quality(static_cast<int>(draft->tiers.size()));
    for (const Rating &r : first.ratings)
        quality.addRating(r.tier, r.complexity, r.score);
    if (options.labels) {
        const ComplexityScorer &scorer = options.scorer ? *options.scorer : ComplexityScorer::builtIn();
        for (const LabelledPrompt &label : *options.labels)
            quality.addLabel(scorer.score(label.prompt).complexity, label.strongQuality > label.weakQuality);
    }
    quality.finish();
    first.table.finish(quality);

    result.fromMs = reader.calendar().dayStartMs(scope.fromDay);
    result.toMs = reader.calendar().dayStartMs(scope.toDay);
    result.team = scope.team;
    result.app = scope.app;
    result.source = scope.source;
    result.events = first.events;
    result.scored = first.scored;
    result.unscored = first.unscored;
    result.unknown = first.unknown;
    result.unknownReasons = first.reasons;
    result.ratings = static_cast<std::int64_t>(first.ratings.size());
    result.escalations = first.escalations;
    result.labels = quality.labels();
    for (const Tier &tier : draft->tiers)
        result.tierNames.push_back(tier.name);
    result.target = target;
    auto table = std::make_shared<const CalibrationTable>(std::move(first.table));
    result.current = table->evaluate(current);
    result.proposed = table->best(target, result.reached);
    result.curve = table->curve(options.curvePoints);
    result.table = std::move(table);
    return result;
}

} // namespace rl
