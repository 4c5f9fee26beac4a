#include "store/qualityqueries.h"

#include "store/dimensionids.h"
#include "store/usagerecords.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace rl {

RateInterval wilsonInterval(std::int64_t hits, std::int64_t n, double z)
{
    if (n <= 0)
        return {};
    const double total = static_cast<double>(n);
    const double p = static_cast<double>(std::clamp<std::int64_t>(hits, 0, n)) / total;
    const double z2 = z * z;
    const double denominator = 1.0 + z2 / total;
    const double centre = (p + z2 / (2.0 * total)) / denominator;
    const double half = z / denominator * std::sqrt(p * (1.0 - p) / total + z2 / (4.0 * total * total));
    return {p, std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

void QualityRow::add(const QualityRow &other)
{
    requests += other.requests;
    rated += other.rated;
    scoreSum += other.scoreSum;
    negative += other.negative;
    escalated += other.escalated;
}

const std::vector<QualityRow> &QualityReport::rows(QualityGrouping grouping) const
{
    switch (grouping) {
    case QualityGrouping::Tier: return byTier;
    case QualityGrouping::Rule: return byRule;
    case QualityGrouping::Team: return byTeam;
    case QualityGrouping::ComplexityBand: break;
    }
    return byBand;
}

std::string QualityQueries::bandLabel(int band)
{
    if (band < 0 || band >= kBands)
        return "";
    // "0.2–0.4": the upper bound belongs to the next band, apart from 1.0 itself.
    auto bound = [](int tenths) { return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10); };
    return bound(band * 2) + "\u2013" + bound(band * 2 + 2);
}

namespace {

// The complexity band of e.complexity: 0…4 by fifths, 1.0 in the last, NULL in kBands.
std::string bandExpression()
{
    const std::string bands = std::to_string(QualityQueries::kBands);
    return "CASE WHEN e.complexity IS NULL THEN " + bands + " ELSE max(0, min(" + bands + " - 1, CAST(e.complexity * "
           + bands + " AS INTEGER))) END";
}

using CellKey = std::tuple<std::int64_t, std::int64_t, std::int64_t, int>; // tier, rule, team ids; band

struct Names {
    std::map<std::int64_t, std::pair<std::string, int>> tiers; // id -> name, rank
    std::map<std::int64_t, std::string> rules, teams;
};

// " AND …" on the earlier request `e`: the filter's dimensions, with their ids appended to `binds`. The unary +
// keeps SQLite off the (source, request id) index when it drives the scan, where it would read every event of
// a source whatever the period; the day index is the one to scan by.
Result<std::string> conditions(SqliteDatabase &db, const UsageFilter &filter, std::vector<std::int64_t> &binds)
{
    std::string sql = " AND e.status != " + std::to_string(static_cast<int>(UsageStatus::Blocked));
    const std::tuple<const char *, const char *, const std::string *> dimensions[] = {
        {"teams", "team_id", &filter.team},
        {"apps", "app_id", &filter.app},
        {"sources", "source_id", &filter.source},
        {"tiers", "tier_id", &filter.tier},
        {"models", "model_id", &filter.model}};
    for (const auto &[table, column, name] : dimensions) {
        if (name->empty())
            continue;
        Result<std::int64_t> id = DimensionIds::find(db, table, *name);
        if (!id)
            return id.error();
        binds.push_back(id.value());
        sql += std::string(" AND +e.") + column + " = ?" + std::to_string(binds.size());
    }
    if (filter.source.empty()) // a source picked in the filter shows even when it is kept out of spend
        sql += " AND +e.source_id NOT IN (SELECT id FROM sources WHERE in_spend = 0)";
    return sql;
}

Result<SqliteStatement> prepareWith(SqliteDatabase &db, const std::string &sql, const std::vector<std::int64_t> &binds)
{
    Result<SqliteStatement> query = db.prepare(sql);
    if (!query)
        return query.error();
    for (std::size_t i = 0; i < binds.size(); ++i)
        query->bind(static_cast<int>(i + 1), binds[i]);
    return query;
}

Result<Names> readNames(SqliteDatabase &db)
{
    Names names;
    Result<SqliteStatement> tiers = db.prepare("SELECT id, name, rank FROM tiers");
    if (!tiers)
        return tiers.error();
    if (Result<void> read = tiers->forEachRow([&] {
            names.tiers[tiers->int64(0)] = {tiers->text(1), static_cast<int>(tiers->int64(2))};
        });
        !read)
        return read.error();
    for (auto [table, into] : {std::pair{"rules", &names.rules}, std::pair{"teams", &names.teams}}) {
        Result<SqliteStatement> query = db.prepare(std::string("SELECT id, name FROM ") + table);
        if (!query)
            return query.error();
        if (Result<void> read = query->forEachRow([&] { (*into)[query->int64(0)] = query->text(1); }); !read)
            return read.error();
    }
    return names;
}

} // namespace

Result<QualityQueries::Statements> QualityQueries::statements(const UsageFilter &filter)
{
    Statements out;
    out.binds = {filter.fromDay, filter.toDay};
    Result<std::string> where = conditions(*m_db, filter, out.binds);
    if (!where)
        return where.error();
    // Every request of the period with its feedback, if any (the feedback table's key: one lookup a request).
    out.requests = "SELECT e.tier_id, e.rule_id, e.team_id, " + bandExpression()
                   + ", count(*), count(f.score), total(f.score), total(f.score < 0.5) FROM usage_events e "
                     "LEFT JOIN feedback f ON f.source_id = e.source_id AND f.request_id = e.request_id "
                     "WHERE e.day >= ?1 AND e.day < ?2"
                   + where.value() + " GROUP BY 1, 2, 3, 4";
    // The requests a later one escalated from: the escalating requests (x) are few and read by day, from the
    // period's first day to the day after its last (an escalation comes minutes later, maybe past midnight);
    // each leads to the request it repeats by the (source, request id) index. CROSS JOIN keeps that order, and
    // the + on x.source_id stops SQLite from looking x up by source for each e instead. Several escalations of
    // one request count it once.
    out.escalations = "SELECT e.tier_id, e.rule_id, e.team_id, " + bandExpression()
                      + ", count(DISTINCT e.id) FROM usage_events x CROSS JOIN usage_events e "
                        "WHERE x.day >= ?1 AND x.day <= ?2 AND x.escalation_of IS NOT NULL "
                        "AND e.source_id = +x.source_id AND e.request_id = x.escalation_of AND e.day >= ?1 "
                        "AND e.day < ?2"
                      + where.value() + " GROUP BY 1, 2, 3, 4";
    return out;
}

Result<std::vector<std::string>> QualityQueries::queryPlan(const UsageFilter &filter)
{
    Result<Statements> sql = statements(filter);
    if (!sql)
        return sql.error();
    std::vector<std::string> plan;
    for (const std::string *text : {&sql->requests, &sql->escalations}) {
        Result<SqliteStatement> explain = prepareWith(*m_db, "EXPLAIN QUERY PLAN " + *text, sql->binds);
        if (!explain)
            return explain.error();
        if (Result<void> read = explain->forEachRow([&] { plan.push_back(explain->text(3)); }); !read)
            return read.error();
        plan.emplace_back();
    }
    return plan;
}

Result<QualityReport> QualityQueries::report(const UsageFilter &filter)
{
    Result<Statements> sql = statements(filter);
    if (!sql)
        return sql.error();
    std::map<CellKey, QualityRow> cells;
    Result<SqliteStatement> requests = prepareWith(*m_db, sql->requests, sql->binds);
    if (!requests)
        return requests.error();
    if (Result<void> read = requests->forEachRow([&] {
            QualityRow &cell = cells[{requests->int64(0), requests->int64(1), requests->int64(2),
                                      static_cast<int>(requests->int64(3))}];
            cell.requests = requests->int64(4);
            cell.rated = requests->int64(5);
            cell.scoreSum = requests->real(6);
            cell.negative = static_cast<std::int64_t>(requests->real(7));
        });
        !read)
        return read.error();
    Result<SqliteStatement> escalated = prepareWith(*m_db, sql->escalations, sql->binds);
    if (!escalated)
        return escalated.error();
    if (Result<void> read = escalated->forEachRow([&] {
            cells[{escalated->int64(0), escalated->int64(1), escalated->int64(2),
                   static_cast<int>(escalated->int64(3))}]
                .escalated = escalated->int64(4);
        });
        !read)
        return read.error();

    Result<Names> names = readNames(*m_db);
    if (!names)
        return names.error();
    std::map<std::int64_t, QualityRow> tiers, rules, teams;
    std::map<int, QualityRow> bands;
    QualityReport report;
    for (const auto &[key, cell] : cells) {
        const auto &[tier, rule, team, band] = key;
        report.total.add(cell);
        tiers[tier].add(cell);
        rules[rule].add(cell);
        teams[team].add(cell);
        bands[band].add(cell);
    }
    for (auto &[id, row] : tiers) {
        const auto found = names->tiers.find(id);
        row.name = found != names->tiers.end() ? found->second.first : std::string();
        row.order = found != names->tiers.end() ? found->second.second : -1;
        report.byTier.push_back(row);
    }
    std::stable_sort(report.byTier.begin(), report.byTier.end(), [](const QualityRow &a, const QualityRow &b) {
        // Most capable first; tiers without a rank (none, or from a source without ranks) last.
        const int ra = a.order < 0 ? 1'000'000 : a.order, rb = b.order < 0 ? 1'000'000 : b.order;
        return ra != rb ? ra < rb : a.name < b.name;
    });
    auto byRequests = [](std::map<std::int64_t, QualityRow> &from, const std::map<std::int64_t, std::string> &named,
                         std::vector<QualityRow> &into) {
        for (auto &[id, row] : from) {
            const auto found = named.find(id);
            row.name = found != named.end() ? found->second : std::string();
            into.push_back(row);
        }
        std::stable_sort(into.begin(), into.end(), [](const QualityRow &a, const QualityRow &b) {
            return a.requests != b.requests ? a.requests > b.requests : a.name < b.name;
        });
    };
    byRequests(rules, names->rules, report.byRule);
    byRequests(teams, names->teams, report.byTeam);
    for (auto &[band, row] : bands) {
        row.name = bandLabel(band);
        row.order = band;
        report.byBand.push_back(row);
    }
    return report;
}

} // namespace rl
