#include "store/usagequeries.h"

#include "budget/budgetevaluator.h"

#include "store/dimensionids.h"
#include "store/latencybuckets.h"
#include "store/storeschema.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace rl {

namespace {

template <typename Row, typename Read>
Result<std::vector<Row>> collect(SqliteStatement &query, Read read)
{
    std::vector<Row> rows;
    if (Result<void> rowsRead = query.forEachRow([&] { rows.push_back(read(query)); }); !rowsRead)
        return rowsRead.error();
    return rows;
}

} // namespace

Result<UsageQueries> UsageQueries::open(const std::string &path)
{
    UsageQueries queries;
    Result<SqliteDatabase> db = SqliteDatabase::open(path, SqliteDatabase::Mode::ReadOnly);
    if (!db)
        return db.error();
    queries.m_db = std::move(db).value();
    if (Result<void> latest = StoreSchema::requireLatest(queries.m_db); !latest)
        return latest.error();
    Result<SqliteStatement> settings = queries.m_db.prepare("SELECT value FROM settings WHERE key = 'demo'");
    if (!settings)
        return settings.error();
    if (Result<void> rowsRead = settings->forEachRow([&] { queries.m_demo = settings->text(0) == "1"; }); !rowsRead)
        return rowsRead.error();
    Result<OrgCalendar> calendar = OrgCalendar::fromStore(queries.m_db);
    if (!calendar)
        return calendar.error();
    queries.m_calendar = calendar.value();
    return queries;
}

Result<std::optional<std::pair<std::int64_t, std::int64_t>>> UsageQueries::dataRange()
{
    Result<SqliteStatement> query = m_db.prepare("SELECT min(day), max(day) FROM daily_rollups WHERE requests > 0");
    if (!query)
        return query.error();
    Result<bool> row = query->step();
    if (!row)
        return row.error();
    if (query->isNull(0))
        return std::optional<std::pair<std::int64_t, std::int64_t>>();
    return std::optional<std::pair<std::int64_t, std::int64_t>>(std::make_pair(query->int64(0), query->int64(1)));
}

Result<std::string> UsageQueries::where(const UsageFilter &filter, std::vector<std::int64_t> &binds,
                                        const std::string &alias, bool withTier)
{
    std::string sql = " " + alias + ".day >= ?1 AND " + alias + ".day < ?2";
    binds = {filter.fromDay, filter.toDay};
    struct Dimension {
        const std::string &value;
        const char *table;
        const char *column;
    };
    const Dimension dimensions[] = {{filter.team, "teams", "team_id"},
                                    {filter.app, "apps", "app_id"},
                                    {filter.source, "sources", "source_id"},
                                    {filter.tier, "tiers", "tier_id"},
                                    {filter.model, "models", "model_id"}};
    for (const Dimension &d : dimensions) {
        if (d.value.empty() || (!withTier && std::string_view(d.table) == "tiers"))
            continue;
        Result<std::int64_t> id = DimensionIds::find(m_db, d.table, d.value);
        if (!id)
            return id.error();
        binds.push_back(id.value());
        sql += " AND " + alias + "." + d.column + " = ?" + std::to_string(binds.size());
    }
    if (filter.source.empty()) // a source picked in the filter shows even when it is kept out of spend
        sql += " AND " + alias + ".source_id NOT IN (SELECT id FROM sources WHERE in_spend = 0)";
    return sql;
}

#define RL_PREPARE(query, sqlText)                                                                                     \
    std::vector<std::int64_t> binds;                                                                                   \
    Result<std::string> condition = where(filter, binds);                                                              \
    if (!condition)                                                                                                    \
        return condition.error();                                                                                      \
    Result<SqliteStatement> query = m_db.prepare(sqlText);                                                             \
    if (!query)                                                                                                        \
        return query.error();                                                                                          \
    for (std::size_t i = 0; i < binds.size(); ++i)                                                                     \
        query->bind(static_cast<int>(i + 1), binds[i]);

Result<UsageTotals> UsageQueries::totals(const UsageFilter &filter)
{
    RL_PREPARE(
        query,
        "SELECT total(requests), total(errors), total(blocked), total(fallbacks), total(unpriced), "
        "total(CASE WHEN t.rank = 0 THEN requests END), total(input_tokens + cached_input_tokens + "
        "cache_write_tokens), total(output_tokens), total(cost_micro), total(frontier_cost_micro), "
        "total(reported_cost_micro), total(unmetered) FROM daily_rollups r JOIN tiers t ON t.id = r.tier_id WHERE"
            + condition.value());
    Result<bool> row = query->step();
    if (!row)
        return row.error();
    UsageTotals totals;
    std::int64_t *fields[] = {&totals.requests,          &totals.errors,
                              &totals.blocked,           &totals.fallbacks,
                              &totals.unpriced,          &totals.frontierRequests,
                              &totals.inputTokens,       &totals.outputTokens,
                              &totals.costMicro,         &totals.frontierCostMicro,
                              &totals.reportedCostMicro, &totals.unmetered};
    for (int i = 0; i < 12; ++i)
        *fields[i] = static_cast<std::int64_t>(query->real(i)); // total() is a double; sums stay far below 2^53
    return totals;
}

Result<std::vector<DayTierSpend>> UsageQueries::spendByDayAndTier(const UsageFilter &filter)
{
    RL_PREPARE(query, "SELECT r.day, t.name, t.rank, sum(requests), sum(cost_micro) FROM daily_rollups r "
                      "JOIN tiers t ON t.id = r.tier_id WHERE"
                          + condition.value() + " GROUP BY r.day, r.tier_id ORDER BY r.day, t.rank");
    return collect<DayTierSpend>(query.value(), [](SqliteStatement &q) {
        return DayTierSpend{q.int64(0), q.text(1), static_cast<int>(q.int64(2)), q.int64(3), q.int64(4)};
    });
}

Result<std::vector<HourTierSpend>> UsageQueries::spendByHourAndTier(const UsageFilter &filter)
{
    constexpr std::int64_t kHourMs = 3'600'000;
    const std::int64_t startMs = m_calendar.dayStartMs(filter.fromDay);
    std::map<std::pair<std::int64_t, int>, HourTierSpend> hours; // (hour, rank) -> row
    auto add = [&](const HourTierSpend &row) {
        HourTierSpend &into = hours[{row.hourMs, row.tierRank}];
        if (into.requests == 0 && into.costMicro == 0) {
            into.hourMs = row.hourMs;
            into.tier = row.tier;
            into.tierRank = row.tierRank;
        }
        into.requests += row.requests;
        into.errors += row.errors;
        into.fallbacks += row.fallbacks;
        into.blocked += row.blocked;
        into.costMicro += row.costMicro;
    };
    {
        std::vector<std::int64_t> binds;
        Result<std::string> condition = where(filter, binds, "e");
        if (!condition)
            return condition.error();
        const std::string start = std::to_string(binds.size() + 1);
        Result<SqliteStatement> query =
            m_db.prepare("SELECT (e.time_ms - ?" + start
                         + ") / 3600000, t.name, t.rank, count(*), total(e.status = 1), "
                           "total(e.status = 3), total(e.status = 2), total(e.cost_micro) FROM usage_events e "
                           "JOIN tiers t ON t.id = e.tier_id WHERE"
                         + condition.value() + " GROUP BY 1, e.tier_id");
        if (!query)
            return query.error();
        for (std::size_t i = 0; i < binds.size(); ++i)
            query->bind(static_cast<int>(i + 1), binds[i]);
        query->bind(static_cast<int>(binds.size() + 1), startMs);
        if (Result<void> rowsRead = query->forEachRow([&] {
                add(HourTierSpend{startMs + query->int64(0) * kHourMs, query->text(1),
                                  static_cast<int>(query->int64(2)), query->int64(3),
                                  static_cast<std::int64_t>(query->real(4)), static_cast<std::int64_t>(query->real(5)),
                                  static_cast<std::int64_t>(query->real(6)),
                                  static_cast<std::int64_t>(query->real(7))});
            });
            !rowsRead)
            return rowsRead.error();
    }
    if (filter.tier.empty()) { // provider buckets have no tier: a tier filter leaves them out
        std::vector<std::int64_t> binds;
        Result<std::string> condition = where(filter, binds, "b", false);
        if (!condition)
            return condition.error();
        const std::string start = std::to_string(binds.size() + 1);
        Result<SqliteStatement> query = m_db.prepare(
            "SELECT (b.start_ms - ?" + start
            + ") / 3600000, COALESCE((SELECT name FROM tiers WHERE id = 0), ''), "
              "COALESCE((SELECT rank FROM tiers WHERE id = 0), -1), total(b.requests), total(b.cost_micro) "
              "FROM usage_buckets b WHERE"
            + condition.value() + " GROUP BY 1");
        if (!query)
            return query.error();
        for (std::size_t i = 0; i < binds.size(); ++i)
            query->bind(static_cast<int>(i + 1), binds[i]);
        query->bind(static_cast<int>(binds.size() + 1), startMs);
        if (Result<void> rowsRead = query->forEachRow([&] {
                HourTierSpend row;
                row.hourMs = startMs + query->int64(0) * kHourMs;
                row.tier = query->text(1);
                row.tierRank = static_cast<int>(query->int64(2));
                row.requests = static_cast<std::int64_t>(query->real(3));
                row.costMicro = static_cast<std::int64_t>(query->real(4));
                add(row);
            });
            !rowsRead)
            return rowsRead.error();
    }
    std::vector<HourTierSpend> out;
    out.reserve(hours.size());
    for (auto &[key, row] : hours)
        out.push_back(std::move(row));
    return out;
}

Result<std::vector<MixRow>> UsageQueries::routingMix(const UsageFilter &filter)
{
    RL_PREPARE(query, "SELECT t.name, t.rank, ru.name, sum(requests), sum(cost_micro) FROM daily_rollups r "
                      "JOIN tiers t ON t.id = r.tier_id JOIN rules ru ON ru.id = r.rule_id WHERE"
                          + condition.value() + " GROUP BY r.tier_id, r.rule_id ORDER BY t.rank, sum(requests) DESC");
    return collect<MixRow>(query.value(), [](SqliteStatement &q) {
        return MixRow{q.text(0), static_cast<int>(q.int64(1)), q.text(2), q.int64(3), q.int64(4)};
    });
}

Result<std::vector<TeamSpend>> UsageQueries::spendByTeam(const UsageFilter &filter)
{
    RL_PREPARE(query, "SELECT tm.name, sum(requests), sum(cost_micro), sum(frontier_cost_micro) FROM daily_rollups r "
                      "JOIN teams tm ON tm.id = r.team_id WHERE"
                          + condition.value() + " GROUP BY r.team_id ORDER BY sum(cost_micro) DESC");
    return collect<TeamSpend>(query.value(), [](SqliteStatement &q) {
        return TeamSpend{q.text(0), q.int64(1), q.int64(2), q.int64(3)};
    });
}

Result<std::vector<DayQuality>> UsageQueries::qualityByDay(const UsageFilter &filter)
{
    RL_PREPARE(query,
               "SELECT r.day, sum(requests), sum(errors), sum(fallbacks), sum(blocked) FROM daily_rollups r WHERE"
                   + condition.value() + " GROUP BY r.day ORDER BY r.day");
    return collect<DayQuality>(query.value(), [](SqliteStatement &q) {
        return DayQuality{q.int64(0), q.int64(1), q.int64(2), q.int64(3), q.int64(4)};
    });
}

Result<std::vector<TeamBreakdownRow>> UsageQueries::teamBreakdown(const UsageFilter &filter)
{
    std::vector<TeamBreakdownRow> out;
    const std::pair<const char *, const char *> dimensions[] = {{"model", "models"}, {"app", "apps"}};
    for (const auto &[dimension, table] : dimensions) {
        const std::string column = std::string(dimension) + "_id";
        RL_PREPARE(query, std::string("SELECT tm.name, d.name, sum(requests), sum(cost_micro) FROM daily_rollups r "
                                      "JOIN teams tm ON tm.id = r.team_id JOIN ")
                              + table + " d ON d.id = r." + column + " WHERE" + condition.value()
                              + " GROUP BY r.team_id, r." + column + " ORDER BY tm.name, sum(cost_micro) DESC");
        const std::string name = dimension;
        auto rows = collect<TeamBreakdownRow>(query.value(), [&](SqliteStatement &q) {
            return TeamBreakdownRow{q.text(0), name, q.text(1), q.int64(2), q.int64(3)};
        });
        if (!rows)
            return rows.error();
        out.insert(out.end(), rows->begin(), rows->end());
    }
    // Users come from their own rollup, which knows days and teams only.
    std::string sql =
        "SELECT tm.name, u.name, sum(r.requests), sum(r.cost_micro) FROM user_rollups r "
        "JOIN teams tm ON tm.id = r.team_id JOIN users u ON u.id = r.user_id WHERE r.day >= ?1 AND r.day < ?2";
    if (!filter.team.empty())
        sql += " AND tm.name = ?3";
    sql += " GROUP BY r.team_id, r.user_id ORDER BY tm.name, sum(r.cost_micro) DESC";
    Result<SqliteStatement> users = m_db.prepare(sql);
    if (!users)
        return users.error();
    users->bind(1, filter.fromDay).bind(2, filter.toDay);
    if (!filter.team.empty())
        users->bind(3, filter.team);
    auto rows = collect<TeamBreakdownRow>(users.value(), [](SqliteStatement &q) {
        return TeamBreakdownRow{q.text(0), "user", q.text(1), q.int64(2), q.int64(3)};
    });
    if (!rows)
        return rows.error();
    out.insert(out.end(), rows->begin(), rows->end());
    return out;
}

#undef RL_PREPARE

Result<std::vector<ModelLatency>> UsageQueries::latencyByModel(const UsageFilter &filter)
{
    Result<SqliteStatement> query = m_db.prepare(
        "SELECT m.name, l.bucket, sum(l.requests) FROM latency_rollups l JOIN models m ON m.id = l.model_id "
        "WHERE l.day >= ?1 AND l.day < ?2 AND l.model_id != 0 GROUP BY l.model_id, l.bucket ORDER BY m.name, l.bucket");
    Result<SqliteStatement> means = m_db.prepare(
        "SELECT m.name, total(latency_ms_sum) / max(total(requests - blocked), 1) FROM daily_rollups r "
        "JOIN models m ON m.id = r.model_id WHERE r.day >= ?1 AND r.day < ?2 AND r.model_id != 0 GROUP BY r.model_id");
    if (!query)
        return query.error();
    if (!means)
        return means.error();
    query->bind(1, filter.fromDay).bind(2, filter.toDay);
    means->bind(1, filter.fromDay).bind(2, filter.toDay);
    std::vector<ModelLatency> out;
    std::vector<std::pair<std::int64_t, std::int64_t>> histogram; // bucket, requests
    auto finish = [&]() {
        if (out.empty() || histogram.empty())
            return;
        ModelLatency &m = out.back();
        for (const auto &[bucket, requests] : histogram)
            m.requests += requests;
        auto percentile = [&](double p) {
            const double wanted = p * static_cast<double>(m.requests);
            double seen = 0;
            for (const auto &[bucket, requests] : histogram) {
                seen += static_cast<double>(requests);
                if (seen >= wanted)
                    return LatencyBuckets::valueOf(bucket);
            }
            return LatencyBuckets::valueOf(histogram.back().first);
        };
        m.p50Ms = percentile(0.5);
        m.p95Ms = percentile(0.95);
        histogram.clear();
    };
    if (Result<void> rowsRead = query->forEachRow([&] {
            const std::string model = query->text(0);
            if (out.empty() || out.back().model != model) {
                finish();
                out.push_back(ModelLatency{model, 0, 0, 0, 0});
            }
            histogram.emplace_back(query->int64(1), query->int64(2));
        });
        !rowsRead)
        return rowsRead.error();
    finish();
    if (Result<void> rowsRead = means->forEachRow([&] {
            for (ModelLatency &m : out)
                if (m.model == means->text(0))
                    m.meanMs = means->real(1);
        });
        !rowsRead)
        return rowsRead.error();
    std::sort(out.begin(), out.end(),
              [](const ModelLatency &a, const ModelLatency &b) { return a.requests > b.requests; });
    return out;
}

Result<std::vector<BudgetState>> UsageQueries::budgetStatus(std::int64_t nowMs)
{
    return BudgetEvaluator(m_db, m_calendar).evaluateStored(nowMs);
}

RangeBudget budgetForRange(const OrgCalendar &calendar, BudgetPeriod period, std::int64_t limitMicro,
                           std::int64_t fromDay, std::int64_t toDay, std::int64_t endOfToday, int rollingDays)
{
    RangeBudget out;
    if (limitMicro <= 0 || toDay <= fromDay)
        return out;
    if (period == BudgetPeriod::Rolling) {
        out.limitMicro = std::llround(static_cast<double>(limitMicro) * static_cast<double>(toDay - fromDay)
                                      / static_cast<double>(std::max(rollingDays, 1)));
        out.prorated = true;
        return out;
    }
    std::int64_t first = 0, end = 0;
    calendar.periodContaining(fromDay, period, first, end);
    std::int64_t lastFirst = 0, lastEnd = 0;
    calendar.periodContaining(toDay - 1, period, lastFirst, lastEnd);
    if (first == fromDay && (lastEnd == toDay || toDay == endOfToday)) {
        int periods = 0;
        for (std::int64_t day = fromDay; day < toDay; day = end) {
            calendar.periodContaining(day, period, first, end);
            ++periods;
        }
        out.limitMicro = limitMicro * periods;
        out.wholePeriods = periods;
        return out;
    }
    // Pro-rated: each day gets its period's budget divided by the period's days.
    double sum = 0;
    for (std::int64_t day = fromDay; day < toDay;) {
        calendar.periodContaining(day, period, first, end);
        const std::int64_t stop = std::min(end, toDay);
        sum += static_cast<double>(limitMicro) * static_cast<double>(stop - day) / static_cast<double>(end - first);
        day = stop;
    }
    out.limitMicro = std::llround(sum);
    out.prorated = true;
    return out;
}

Result<std::vector<PolicyVersionMark>> UsageQueries::policyVersions()
{
    Result<SqliteStatement> query = m_db.prepare(
        "SELECT s.name, p.version, p.first_seen_ms FROM policy_versions p JOIN sources s ON s.id = p.source_id "
        "ORDER BY p.first_seen_ms");
    if (!query)
        return query.error();
    return collect<PolicyVersionMark>(query.value(), [](SqliteStatement &q) {
        return PolicyVersionMark{q.text(0), q.int64(1), q.int64(2)};
    });
}

Result<std::vector<std::string>> UsageQueries::dimensionNames(std::string_view dimension)
{
    if (dimension != "teams" && dimension != "apps" && dimension != "users")
        return Error{"store.bad_query", "dimensionNames takes teams, apps or users, not " + std::string(dimension),
                     false};
    Result<SqliteStatement> query =
        m_db.prepare("SELECT name FROM " + std::string(dimension) + " WHERE name <> '' ORDER BY name");
    if (!query)
        return query.error();
    return collect<std::string>(query.value(), [](SqliteStatement &q) { return q.text(0); });
}

} // namespace rl
