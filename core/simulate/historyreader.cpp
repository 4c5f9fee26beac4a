#include "simulate/historyreader.h"

#include "routing/promptchecks.h"
#include "store/dimensionids.h"
#include "store/storeprices.h"
#include "store/storeschema.h"

namespace rl {

namespace {

// The columns of an event, in the order read; `replay` false: only Fields::All reads it.
struct EventColumn {
    const char *name;
    bool replay;
};
constexpr EventColumn kEventColumns[] = {{"request_id", false},
                                         {"time_ms", true},
                                         {"team_id", true},
                                         {"user_id", true},
                                         {"app_id", true},
                                         {"tags", true},
                                         {"requested_model", true},
                                         {"model_id", true},
                                         {"provider", false},
                                         {"tier_id", false},
                                         {"rule_id", false},
                                         {"policy_version", false},
                                         {"input_tokens", true},
                                         {"cached_input_tokens", true},
                                         {"cache_write_tokens", true},
                                         {"output_tokens", true},
                                         {"reasoning_tokens", true},
                                         {"cost_micro", true},
                                         {"frontier_cost_micro", false},
                                         {"unpriced", true},
                                         {"unmetered", false},
                                         {"latency_ms", false},
                                         {"status", true},
                                         {"complexity", true},
                                         {"task", true},
                                         {"has_tools", true},
                                         {"has_images", true},
                                         {"stream", true},
                                         {"routed_input_tokens", true},
                                         {"budget_used", true},
                                         {"prompt_checks", true},
                                         {"routed_model", true},
                                         {"source_id", true},
                                         {"day", true}};
constexpr int kColumnCount = static_cast<int>(std::size(kEventColumns));

// Indices into kEventColumns.
namespace column {
enum Index {
    RequestId,
    TimeMs,
    TeamId,
    UserId,
    AppId,
    Tags,
    RequestedModel,
    ModelId,
    Provider,
    TierId,
    RuleId,
    PolicyVersion,
    InputTokens,
    CachedInputTokens,
    CacheWriteTokens,
    OutputTokens,
    ReasoningTokens,
    CostMicro,
    FrontierCostMicro,
    Unpriced,
    Unmetered,
    LatencyMs,
    Status,
    Complexity,
    Task,
    HasTools,
    HasImages,
    Stream,
    RoutedInputTokens,
    BudgetUsed,
    PromptChecks,
    RoutedModel,
    SourceId,
    Day
};
} // namespace column
static_assert(column::Day + 1 == kColumnCount, "one index per column of kEventColumns");

// Where each column of kEventColumns is in a query's result; -1 when not read.
struct ColumnPlan {
    std::string select = "SELECT ";
    int at[kColumnCount];

    explicit ColumnPlan(HistoryReader::Fields fields)
    {
        int next = 0;
        for (int i = 0; i < kColumnCount; ++i) {
            if (fields == HistoryReader::Fields::Replay && !kEventColumns[i].replay) {
                at[i] = -1;
                continue;
            }
            select += (next ? ", e." : "e.") + std::string(kEventColumns[i].name);
            at[i] = next++;
        }
        select += " FROM usage_events e";
    }
};

std::optional<bool> flag(const SqliteStatement &row, int column)
{
    if (row.isNull(column))
        return std::nullopt;
    return row.int64(column) != 0;
}

const std::string &named(const std::vector<std::string> &names, std::int64_t id)
{
    static const std::string none;
    return id >= 0 && static_cast<std::size_t>(id) < names.size() ? names[static_cast<std::size_t>(id)] : none;
}

void splitTags(std::string_view text, std::vector<std::string> &tags)
{
    tags.clear();
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        if (comma != 0)
            tags.emplace_back(text.substr(0, comma));
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
    }
}

} // namespace

Result<HistoryReader> HistoryReader::open(const std::string &path)
{
    HistoryReader reader;
    Result<SqliteDatabase> db = SqliteDatabase::open(path, SqliteDatabase::Mode::ReadOnly);
    if (!db)
        return db.error();
    reader.m_db = std::move(db).value();
    reader.m_path = path;
    if (Result<void> ours = StoreSchema::recognise(reader.m_db); !ours)
        return ours.error();
    if (Result<void> latest = StoreSchema::requireLatest(reader.m_db); !latest)
        return latest.error();
    Result<OrgCalendar> calendar = OrgCalendar::fromStore(reader.m_db);
    if (!calendar)
        return calendar.error();
    reader.m_calendar = std::move(calendar).value();
    if (Result<void> names = reader.loadNames(); !names)
        return names.error();
    return reader;
}

Result<void> HistoryReader::loadNames()
{
    const std::pair<const char *, std::vector<std::string> *> tables[] = {
        {"teams", &m_teams}, {"users", &m_users}, {"apps", &m_apps},      {"models", &m_models},
        {"rules", &m_rules}, {"tiers", &m_tiers}, {"sources", &m_sources}};
    for (const auto &[table, names] : tables) {
        Result<SqliteStatement> rows = m_db.prepare(std::string("SELECT id, name FROM ") + table);
        if (!rows)
            return rows.error();
        if (Result<void> read = rows->forEachRow([&, names = names] {
                const std::int64_t id = rows->int64(0);
                if (id < 0 || id > 50'000'000)
                    return; // not a dense id: never written by the store
                if (static_cast<std::size_t>(id) >= names->size())
                    names->resize(static_cast<std::size_t>(id) + 1);
                (*names)[static_cast<std::size_t>(id)] = rows->text(1);
            });
            !read)
            return read.error();
    }
    Result<SqliteStatement> ranks = m_db.prepare("SELECT id, rank FROM tiers");
    if (!ranks)
        return ranks.error();
    m_tierRanks.assign(m_tiers.size(), -1);
    return ranks->forEachRow([&] {
        const std::int64_t id = ranks->int64(0);
        if (id >= 0 && static_cast<std::size_t>(id) < m_tierRanks.size())
            m_tierRanks[static_cast<std::size_t>(id)] = static_cast<int>(ranks->int64(1));
    });
}

Result<std::string> HistoryReader::where(const UsageFilter &filter, std::vector<std::int64_t> &binds)
{
    binds = {filter.fromDay, filter.toDay};
    std::string sql = " WHERE e.day >= ?1 AND e.day < ?2";
    const std::tuple<const char *, const char *, const std::string *> dimensions[] = {
        {"teams", "team_id", &filter.team}, {"apps", "app_id", &filter.app}, {"sources", "source_id", &filter.source}};
    for (const auto &[table, column, name] : dimensions) {
        if (name->empty())
            continue;
        Result<std::int64_t> id = DimensionIds::find(m_db, table, *name);
        if (!id)
            return id.error();
        binds.push_back(id.value()); // -1 when unknown: nothing matches, which the caller reports
        sql += " AND +e." + std::string(column) + " = ?" + std::to_string(binds.size());
    }
    // The unary + keeps SQLite on the day index: by source (the dedupe index) it would read every event of
    // the source, whatever the period.
    if (filter.source.empty())
        sql += " AND +e.source_id IN (SELECT id FROM sources WHERE in_spend = 1)";
    return sql;
}

Result<std::vector<HistoryReader::DayEstimate>> HistoryReader::estimateByDay(const UsageFilter &filter)
{
    std::vector<std::int64_t> binds;
    Result<std::string> condition = where(filter, binds);
    if (!condition)
        return condition.error();
    // The rollups carry the same columns under the same names as the events that `where` filters.
    Result<SqliteStatement> query =
        m_db.prepare("SELECT e.day, sum(e.requests) FROM daily_rollups e" + condition.value() + " GROUP BY e.day");
    if (!query)
        return query.error();
    for (std::size_t i = 0; i < binds.size(); ++i)
        query->bind(static_cast<int>(i + 1), binds[i]);
    std::vector<DayEstimate> days;
    Result<void> read = query->forEachRow([&] {
        if (query->int64(1) > 0)
            days.push_back({query->int64(0), query->int64(1)});
    });
    if (!read)
        return read.error();
    return days;
}

Result<void> HistoryReader::forEach(const UsageFilter &filter, const std::function<bool(const StoredEvent &)> &onEvent,
                                    Fields fields)
{
    std::vector<std::int64_t> binds;
    Result<std::string> condition = where(filter, binds);
    if (!condition)
        return condition.error();
    const ColumnPlan plan(fields);
    Result<SqliteStatement> query = m_db.prepare(plan.select + condition.value());
    if (!query)
        return query.error();
    for (std::size_t i = 0; i < binds.size(); ++i)
        query->bind(static_cast<int>(i + 1), binds[i]);

    StoredEvent stored;
    UsageEvent &e = stored.event;
    SqliteStatement &row = query.value();
    const int *at = plan.at;
    const bool all = fields == Fields::All;
    return row.forEachRow([&]() -> Result<void> {
        e.timeMs = row.int64(at[column::TimeMs]);
        e.team = named(m_teams, row.int64(at[column::TeamId]));
        e.user = named(m_users, row.int64(at[column::UserId]));
        e.app = named(m_apps, row.int64(at[column::AppId]));
        splitTags(row.textView(at[column::Tags]), e.tags);
        e.requestedModel.assign(row.textView(at[column::RequestedModel]));
        e.model = named(m_models, row.int64(at[column::ModelId]));
        if (all) {
            e.requestId.assign(row.textView(at[column::RequestId]));
            e.provider.assign(row.textView(at[column::Provider]));
            const std::int64_t tier = row.int64(at[column::TierId]);
            e.tier = named(m_tiers, tier);
            e.tierRank = tier >= 0 && static_cast<std::size_t>(tier) < m_tierRanks.size()
                             ? m_tierRanks[static_cast<std::size_t>(tier)]
                             : -1;
            e.rule = named(m_rules, row.int64(at[column::RuleId]));
            e.policyVersion = row.int64(at[column::PolicyVersion]);
            e.frontierCostMicro = row.int64(at[column::FrontierCostMicro]);
            e.unmetered = row.int64(at[column::Unmetered]) != 0;
            e.latencyMs = row.int64(at[column::LatencyMs]);
        }
        e.tokens.input = row.int64(at[column::InputTokens]);
        e.tokens.cachedInput = row.int64(at[column::CachedInputTokens]);
        e.tokens.cacheWrite = row.int64(at[column::CacheWriteTokens]);
        e.tokens.output = row.int64(at[column::OutputTokens]);
        e.tokens.reasoning = row.int64(at[column::ReasoningTokens]);
        e.costMicro = row.int64(at[column::CostMicro]);
        e.unpriced = row.int64(at[column::Unpriced]) != 0;
        e.status = static_cast<UsageStatus>(row.int64(at[column::Status]));
        e.complexity =
            row.isNull(at[column::Complexity]) ? std::nullopt : std::optional<double>(row.real(at[column::Complexity]));
        e.task.assign(row.textView(at[column::Task]));
        RoutingFeatures &f = e.features;
        f.hasTools = flag(row, at[column::HasTools]);
        f.hasImages = flag(row, at[column::HasImages]);
        f.stream = flag(row, at[column::Stream]);
        f.inputTokens = row.isNull(at[column::RoutedInputTokens])
                            ? std::nullopt
                            : std::optional<std::int64_t>(row.int64(at[column::RoutedInputTokens]));
        f.budgetUsed =
            row.isNull(at[column::BudgetUsed]) ? std::nullopt : std::optional<double>(row.real(at[column::BudgetUsed]));
        const int checks = at[column::PromptChecks];
        if (row.isNull(checks)) {
            f.promptChecks.reset();
        } else {
            if (!f.promptChecks)
                f.promptChecks.emplace();
            if (!PromptChecks::decode(row.textView(checks), *f.promptChecks))
                return Error{
                    "store.damaged",
                    "event " + std::string(all ? e.requestId : "on day " + std::to_string(row.int64(at[column::Day])))
                        + " has prompt checks in a form this RouteLedger does not know; the store may have "
                          "been written by a newer version or edited by hand",
                    false};
        }
        e.routedModel.assign(row.textView(at[column::RoutedModel]));
        stored.source = named(m_sources, row.int64(at[column::SourceId]));
        stored.day = row.int64(at[column::Day]);
        if (!onEvent(stored))
            return Error{"simulate.cancelled", "the simulation was cancelled", false};
        return {};
    });
}

Result<Pricing> HistoryReader::pricing()
{
    return StorePrices(m_db).load();
}

Result<std::optional<std::string>> HistoryReader::publishedPolicy(std::optional<std::int64_t> version)
{
    Result<SqliteStatement> query =
        m_db.prepare(version ? "SELECT document FROM published_policies WHERE version = ?1"
                             : "SELECT document FROM published_policies ORDER BY version DESC LIMIT 1");
    if (!query)
        return query.error();
    if (version)
        query->bind(1, *version);
    Result<bool> row = query->step();
    if (!row)
        return row.error();
    if (!row.value())
        return std::optional<std::string>();
    return std::optional<std::string>(query->text(0));
}

} // namespace rl
