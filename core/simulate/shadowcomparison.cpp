#include "simulate/shadowcomparison.h"

#include "store/orgcalendar.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

namespace rl {

namespace {

using MoveKey = std::tuple<std::string, std::string, std::string>;

void addMove(std::map<MoveKey, TierMove> &moves, const std::string &group, const std::string &from,
             const std::string &to, std::int64_t requests, std::int64_t delta)
{
    TierMove &move = moves[MoveKey{group, from, to}];
    move.group = group;
    move.from = from;
    move.to = to;
    move.requests += requests;
    move.costDeltaMicro += delta;
}

std::vector<TierMove> byRequests(const std::map<MoveKey, TierMove> &moves)
{
    std::vector<TierMove> list;
    for (const auto &[key, move] : moves)
        list.push_back(move);
    std::stable_sort(list.begin(), list.end(),
                     [](const TierMove &a, const TierMove &b) { return a.requests > b.requests; });
    return list;
}

std::string dollars(std::int64_t micro)
{
    char text[48];
    const std::int64_t cents = ((micro < 0 ? -micro : micro) + 5'000) / 10'000; // to the nearest cent
    std::snprintf(text, sizeof text, "%s$%lld.%02lld",
                  micro < 0   ? "−"
                  : micro > 0 ? "+"
                              : "",
                  static_cast<long long>(cents / 100), static_cast<long long>(cents % 100));
    return text;
}

} // namespace

Result<ShadowComparison> ShadowComparisons::read(HistoryReader &reader, const UsageFilter &filter)
{
    // Grouped in SQL: one row per day, team, live tier and shadow outcome. The + keeps SQLite on the day index.
    std::string sql =
        "SELECT e.day, coalesce(t.name, ''), coalesce(lt.name, ''), coalesce(e.shadow_tier, ''), "
        "coalesce(e.shadow_rule, ''), coalesce(e.shadow_blocked, 0), e.status, count(*), sum(e.cost_micro), "
        "sum(coalesce(e.shadow_cost_micro, 0)), min(e.time_ms), group_concat(DISTINCT e.shadow_policy_version) "
        "FROM usage_events e LEFT JOIN teams t ON t.id = e.team_id LEFT JOIN tiers lt ON lt.id = e.tier_id "
        "WHERE e.day >= ?1 AND e.day < ?2 AND e.shadow_policy_version IS NOT NULL";
    std::vector<std::pair<std::string, std::string>> named;
    if (!filter.team.empty())
        named.emplace_back("e.team_id = (SELECT id FROM teams WHERE name = ?", filter.team);
    if (!filter.app.empty())
        named.emplace_back("e.app_id = (SELECT id FROM apps WHERE name = ?", filter.app);
    if (!filter.source.empty())
        named.emplace_back("e.source_id = (SELECT id FROM sources WHERE name = ?", filter.source);
    for (std::size_t i = 0; i < named.size(); ++i)
        sql += " AND +" + named[i].first + std::to_string(i + 3) + ")";
    if (filter.source.empty())
        sql += " AND +e.source_id IN (SELECT id FROM sources WHERE in_spend = 1)";
    sql += " GROUP BY 1, 2, 3, 4, 5, 6, 7";
    Result<SqliteStatement> query = reader.database().prepare(sql);
    if (!query)
        return query.error();
    query->bind(1, filter.fromDay).bind(2, filter.toDay);
    for (std::size_t i = 0; i < named.size(); ++i)
        query->bind(static_cast<int>(i + 3), named[i].second);

    ShadowComparison out;
    std::map<MoveKey, TierMove> moves, byRule, byTeam;
    std::map<std::int64_t, ShadowDay> days;
    Result<void> read = query->forEachRow([&] {
        const std::int64_t day = query->int64(0);
        const std::string team = query->text(1);
        const bool liveBlocked = query->int64(6) == static_cast<std::int64_t>(UsageStatus::Blocked);
        const std::string live = liveBlocked ? std::string("blocked") : query->text(2);
        const bool shadowBlocked = query->int64(5) != 0;
        const std::string shadow = shadowBlocked ? std::string("blocked") : query->text(3);
        const std::string rule = query->text(4);
        const std::int64_t requests = query->int64(7), liveCost = query->int64(8), shadowCost = query->int64(9);
        const std::int64_t first = query->int64(10);
        for (std::string_view versions = query->textView(11); !versions.empty();) {
            const std::size_t comma = versions.find(',');
            const std::int64_t version = std::stoll(std::string(versions.substr(0, comma)));
            if (std::find(out.versions.begin(), out.versions.end(), version) == out.versions.end())
                out.versions.push_back(version);
            versions = comma == std::string_view::npos ? std::string_view() : versions.substr(comma + 1);
        }
        out.sinceMs = out.sinceMs == 0 ? first : std::min(out.sinceMs, first);
        out.requests += requests;
        out.liveCostMicro += liveCost;
        out.shadowCostMicro += shadowCost;
        out.blockedByShadow += shadowBlocked ? requests : 0;
        ShadowDay &d = days[day];
        d.day = day;
        d.requests += requests;
        d.liveCostMicro += liveCost;
        d.shadowCostMicro += shadowCost;
        if (live != shadow) {
            out.moved += requests;
            d.moved += requests;
            addMove(moves, {}, live, shadow, requests, shadowCost - liveCost);
            addMove(byRule, rule, live, shadow, requests, shadowCost - liveCost);
            addMove(byTeam, team, live, shadow, requests, shadowCost - liveCost);
        }
    });
    if (!read)
        return read.error();
    std::sort(out.versions.begin(), out.versions.end());
    out.moves = byRequests(moves);
    out.byRule = byRequests(byRule);
    out.byTeam = byRequests(byTeam);
    for (const auto &[day, figures] : days)
        out.days.push_back(figures);
    return out;
}

std::string ShadowComparison::summary() const
{
    if (requests == 0)
        return {};
    const auto calendarDays = static_cast<std::int64_t>(std::max<std::size_t>(days.size(), 1));
    char share[32];
    std::snprintf(share, sizeof share, "%.1f %%", 100.0 * static_cast<double>(moved) / static_cast<double>(requests));
    std::string text = "In shadow since " + OrgCalendar::dateText(days.front().day) + " (version";
    for (std::size_t i = 0; i < versions.size(); ++i)
        text += (i ? ", " : " ") + std::to_string(versions[i]);
    text += "): would move " + std::string(share) + " of " + std::to_string(requests) + " requests";
    if (!moves.empty())
        text += ", most from " + moves.front().from + " to " + moves.front().to;
    text += ", " + dollars((shadowCostMicro - liveCostMicro) / calendarDays) + " a day";
    std::vector<std::string> rules;
    for (const TierMove &move : byRule)
        if (std::find(rules.begin(), rules.end(), move.group) == rules.end() && rules.size() < 3)
            rules.push_back(move.group);
    if (!rules.empty()) {
        text += "; rules";
        for (std::size_t i = 0; i < rules.size(); ++i)
            text += (i ? ", " : " ") + rules[i];
    }
    return text + ".";
}

} // namespace rl
