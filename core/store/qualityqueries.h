#pragma once

#include "error.h"
#include "store/sqlitedatabase.h"
#include "store/usagequeries.h"

#include <cstdint>
#include <string>
#include <vector>

namespace rl {

// A proportion with the Wilson score interval around it: unlike rate ± 1.96·SE it stays inside [0, 1] and
// stays wide for a handful of requests, so "1 of 2" never reads as a sure 50 %.
struct RateInterval {
    double rate = 0, low = 0, high = 1; // nothing known (n = 0): [0, 1]
};
RateInterval wilsonInterval(std::int64_t hits, std::int64_t n, double z = 1.96);

// What the Quality view groups requests by.
enum class QualityGrouping { Tier, Rule, Team, ComplexityBand };

// The quality signals of one group of requests. Blocked requests are left out: there was no answer to rate
// or to ask again. Each rate carries its counts.
struct QualityRow {
    std::string name; // tier, rule or team ("" = none); a band's label ("0.2–0.4", "" = no score)
    int order = 0;    // tiers: rank (-1 none); bands: 0…4, 5 no score; rules, teams: 0
    std::int64_t requests = 0;
    std::int64_t rated = 0;     // with a client's feedback
    double scoreSum = 0;        // of the rated requests' scores (0–1)
    std::int64_t negative = 0;  // rated below 0.5 (a thumbs down is 0)
    std::int64_t escalated = 0; // a later request asked the same again at a more capable tier

    double meanScore() const { return rated > 0 ? scoreSum / static_cast<double>(rated) : 0.0; }
    RateInterval feedbackRate() const { return wilsonInterval(rated, requests); }
    RateInterval negativeRate() const { return wilsonInterval(negative, rated); }
    RateInterval escalationRate() const { return wilsonInterval(escalated, requests); }
    void add(const QualityRow &other);
};

struct QualityReport {
    QualityRow total;
    // Tiers by rank (most capable first, no tier last); rules and teams by requests, most first; bands in order.
    std::vector<QualityRow> byTier, byRule, byTeam, byBand;
    const std::vector<QualityRow> &rows(QualityGrouping grouping) const;
};

// Feedback and escalation rates of a period's requests (the Quality view). Reads raw events, since neither
// feedback nor complexity is in the rollups: the period's events on the day index, each one's feedback by the
// feedback table's key, and escalations from the escalating requests back to the ones they repeat by the
// events' (source, request id) index. One pass fills every grouping. Shares a read-only connection.
class QualityQueries {
public:
    static constexpr int kBands = 5; // complexity bands of 0.2; band kBands holds requests without a score

    explicit QualityQueries(SqliteDatabase &db) : m_db(&db) {}

    // The filter's days, team, app, source, tier and model; sources kept out of spend are left out unless one
    // is named.
    Result<QualityReport> report(const UsageFilter &filter);
    // EXPLAIN QUERY PLAN of the two statements, an empty line after each: how the period is read.
    Result<std::vector<std::string>> queryPlan(const UsageFilter &filter);
    static std::string bandLabel(int band);

private:
    struct Statements {
        std::string requests, escalations;
        std::vector<std::int64_t> binds;
    };
    Result<Statements> statements(const UsageFilter &filter);

    SqliteDatabase *m_db;
};

} // namespace rl
