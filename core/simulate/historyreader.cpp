#include "simulate/historyreader.h"

#include "routing/promptchecks.h"
#include "store/dimensionids.h"
#include "store/storeprices.h"
#include "store/storeschema.h"

namespace rl {

namespace {

constexpr const char *kEventColumns =
    "SELECT e.request_id, e.time_ms, e.team_id, e.user_id, e.app_id, e.tags, e.requested_model, e.model_id, "
    "e.provider, e.tier_id, e.rule_id, e.policy_version, e.input_tokens, e.cached_input_tokens, "
    "e.cache_write_tokens, e.output_tokens, e.reasoning_tokens, e.cost_micro, e.frontier_cost_micro, e.unpriced, "
    "e.unmetered, e.latency_ms, e.status, e.complexity, e.task, e.has_tools, e.has_images, e.stream, "
    "e.routed_input_tokens, e.budget_used, e.prompt_checks, e.routed_model, e.source_id, e.day FROM usage_events e";

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
    std::string zone = "UTC";
    Result<SqliteStatement> settings = reader.m_db.prepare("SELECT value FROM settings WHERE key = 'time_zone'");
    if (!settings)
        return settings.error();
    if (Result<void> read = settings->forEachRow([&] { zone = settings->text(0); }); !read)
        return read.error();
    Result<OrgCalendar> calendar = OrgCalendar::forZone(zone);
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

Result<std::int64_t> HistoryReader::count(const UsageFilter &filter)
{
    std::vector<std::int64_t> binds;
    Result<std::string> condition = where(filter, binds);
    if (!condition)
        return condition.error();
    Result<SqliteStatement> query = m_db.prepare("SELECT count(*) FROM usage_events e" + condition.value());
    if (!query)
        return query.error();
    for (std::size_t i = 0; i < binds.size(); ++i)
        query->bind(static_cast<int>(i + 1), binds[i]);
    Result<bool> row = query->step();
    if (!row)
        return row.error();
    return query->int64(0);
}

Result<void> HistoryReader::forEach(const UsageFilter &filter, const std::function<bool(const StoredEvent &)> &onEvent)
{
    std::vector<std::int64_t> binds;
    Result<std::string> condition = where(filter, binds);
    if (!condition)
        return condition.error();
    Result<SqliteStatement> query = m_db.prepare(kEventColumns + condition.value());
    if (!query)
        return query.error();
    for (std::size_t i = 0; i < binds.size(); ++i)
        query->bind(static_cast<int>(i + 1), binds[i]);

    StoredEvent stored;
    UsageEvent &e = stored.event;
    SqliteStatement &row = query.value();
    return row.forEachRow([&]() -> Result<void> {
        e.requestId.assign(row.textView(0));
        e.timeMs = row.int64(1);
        e.team = named(m_teams, row.int64(2));
        e.user = named(m_users, row.int64(3));
        e.app = named(m_apps, row.int64(4));
        splitTags(row.textView(5), e.tags);
        e.requestedModel.assign(row.textView(6));
        e.model = named(m_models, row.int64(7));
        e.provider.assign(row.textView(8));
        const std::int64_t tier = row.int64(9);
        e.tier = named(m_tiers, tier);
        e.tierRank = tier >= 0 && static_cast<std::size_t>(tier) < m_tierRanks.size()
                         ? m_tierRanks[static_cast<std::size_t>(tier)]
                         : -1;
        e.rule = named(m_rules, row.int64(10));
        e.policyVersion = row.int64(11);
        e.tokens.input = row.int64(12);
        e.tokens.cachedInput = row.int64(13);
        e.tokens.cacheWrite = row.int64(14);
        e.tokens.output = row.int64(15);
        e.tokens.reasoning = row.int64(16);
        e.costMicro = row.int64(17);
        e.frontierCostMicro = row.int64(18);
        e.unpriced = row.int64(19) != 0;
        e.unmetered = row.int64(20) != 0;
        e.latencyMs = row.int64(21);
        e.status = static_cast<UsageStatus>(row.int64(22));
        e.complexity = row.isNull(23) ? std::nullopt : std::optional<double>(row.real(23));
        e.task.assign(row.textView(24));
        RoutingFeatures &f = e.features;
        f.hasTools = flag(row, 25);
        f.hasImages = flag(row, 26);
        f.stream = flag(row, 27);
        f.inputTokens = row.isNull(28) ? std::nullopt : std::optional<std::int64_t>(row.int64(28));
        f.budgetUsed = row.isNull(29) ? std::nullopt : std::optional<double>(row.real(29));
        if (row.isNull(30)) {
            f.promptChecks.reset();
        } else {
            if (!f.promptChecks)
                f.promptChecks.emplace();
            if (!PromptChecks::decode(row.textView(30), *f.promptChecks))
                return Error{"store.damaged",
                             "event " + e.requestId
                                 + " has prompt checks in a form this RouteLedger does not know; the store may have "
                                   "been written by a newer version or edited by hand",
                             false};
        }
        e.routedModel.assign(row.textView(31));
        stored.source = named(m_sources, row.int64(32));
        stored.day = row.int64(33);
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
