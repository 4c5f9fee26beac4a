#include "store/reconciliation.h"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace rl {

namespace {

std::string money(std::int64_t micro)
{
    const bool negative = micro < 0;
    const std::int64_t cents = (std::llabs(micro) + 5'000) / 10'000;
    std::string text =
        "$" + std::to_string(cents / 100) + "." + (cents % 100 < 10 ? "0" : "") + std::to_string(cents % 100);
    return negative ? "-" + text : text;
}

// Gateways and routers carry traffic and may report its cost; providers' admin APIs report their own
// usage (priced by the catalog) and their bill.
bool isProviderKind(const std::string &kind)
{
    return kind == "openai" || kind == "anthropic";
}

} // namespace

bool Reconciliation::differs(std::int64_t a, std::int64_t b)
{
    const std::int64_t gap = std::llabs(a - b);
    const std::int64_t scale = std::max(std::llabs(a), std::llabs(b));
    return gap > 10'000 && static_cast<double>(gap) > kTolerance * static_cast<double>(scale);
}

Result<ReconciliationReport> Reconciliation::run(SqliteDatabase &db, std::int64_t fromDay, std::int64_t toDay,
                                                 const std::string &team, std::int64_t today)
{
    ReconciliationReport report;
    report.fromDay = fromDay;
    report.toDay = toDay;
    report.team = team;
    std::map<std::string, ReconciliationRow> rows;
    auto rowFor = [&](const std::string &provider) -> ReconciliationRow & {
        ReconciliationRow &row = rows[provider];
        row.provider = provider;
        return row;
    };

    // Usage: per provider (the served model's prefix) and kind of source.
    Result<SqliteStatement> usage = db.prepare(
        "SELECT CASE WHEN instr(m.name, '/') > 0 THEN substr(m.name, 1, instr(m.name, '/') - 1) ELSE '' END, s.kind, "
        "sum(r.requests), sum(r.cost_micro), sum(r.reported_cost_micro), sum(r.unpriced), sum(r.cached_input_tokens), "
        "sum(r.cache_write_tokens), sum(r.unmetered) "
        "FROM daily_rollups r JOIN models m ON m.id = r.model_id JOIN sources s ON s.id = r.source_id "
        "WHERE r.day >= ?1 AND r.day < ?2 AND (?3 = '' OR r.team_id = (SELECT id FROM teams WHERE name = ?3)) "
        "GROUP BY 1, 2");
    if (!usage)
        return usage.error();
    usage->bind(1, fromDay).bind(2, toDay).bind(3, team);
    if (Result<void> rowsRead = usage->forEachRow([&] {
            const std::string provider = usage->text(0).empty() ? std::string("unknown") : usage->text(0);
            ReconciliationRow &row = rowFor(provider);
            if (isProviderKind(usage->text(1))) {
                row.providerUsageCatalogMicro += usage->int64(3);
            } else {
                row.gatewayRequests += usage->int64(2);
                row.gatewayCatalogMicro += usage->int64(3);
                row.gatewayReportedMicro += usage->int64(4);
                row.gatewayReports = row.gatewayReports || usage->int64(4) != 0;
            }
            row.unpricedRequests += usage->int64(5);
            row.cachedInputTokens += usage->int64(6);
            row.cacheWriteTokens += usage->int64(7);
            row.unmeteredRequests += usage->int64(8);
        });
        !rowsRead)
        return rowsRead.error();

    // Bills.
    Result<SqliteStatement> bills =
        db.prepare("SELECT provider, COALESCE(sum(amount_micro), 0), sum(amount_micro IS NULL) FROM cost_lines WHERE "
                   "day >= ?1 AND day < ?2 AND "
                   "(?3 = '' OR team_id = (SELECT id FROM teams WHERE name = ?3)) GROUP BY 1");
    if (!bills)
        return bills.error();
    bills->bind(1, fromDay).bind(2, toDay).bind(3, team);
    if (Result<void> rowsRead = bills->forEachRow([&] {
            ReconciliationRow &row = rowFor(bills->text(0).empty() ? std::string("unknown") : bills->text(0));
            row.billed = true;
            row.billedMicro += bills->int64(1);
            row.unreportedBillLines += bills->int64(2);
        });
        !rowsRead)
        return rowsRead.error();

    // Discounts in force (the catalog figures include them).
    std::map<std::string, std::int64_t> discounts;
    Result<SqliteStatement> d =
        db.prepare("SELECT provider, basis_points FROM provider_discounts ORDER BY effective_from_ms");
    if (!d)
        return d.error();
    if (Result<void> rowsRead = d->forEachRow([&] { discounts[d->text(0)] = d->int64(1); }); !rowsRead)
        return rowsRead.error();

    for (auto &entry : rows) {
        const std::string &provider = entry.first;
        ReconciliationRow &row = entry.second; // a named reference: clang 14 cannot capture a structured binding
        if (provider == "unknown" && row.gatewayCatalogMicro == 0 && row.billedMicro == 0
            && row.providerUsageCatalogMicro == 0)
            continue; // blocked requests: no model, nothing spent
        auto note = [&row](ReconciliationNote::Kind kind, std::string text) {
            row.notes.push_back({kind, std::move(text)});
        };
        const std::int64_t catalog = row.catalogMicro();
        const bool reportedGap = row.gatewayReports && differs(row.gatewayReportedMicro, row.gatewayCatalogMicro);
        const bool billGap = row.billed && differs(row.billedMicro, catalog);
        if (row.unpricedRequests > 0)
            note(ReconciliationNote::Kind::Unpriced,
                 std::to_string(row.unpricedRequests)
                     + " requests used models the price catalog does not know, so the catalog figure leaves them out. "
                       "Add a price override for them.");
        if (row.unmeteredRequests > 0)
            note(ReconciliationNote::Kind::Unmetered,
                 std::to_string(row.unmeteredRequests)
                     + " requests were answered without token counts (the upstream sent no usable `usage`), so "
                       "neither the catalog nor the gateway figure includes them; the bill does. Check that "
                       "upstream's answers.");
        if (reportedGap && row.cachedInputTokens > 0 && row.gatewayReportedMicro > row.gatewayCatalogMicro)
            note(ReconciliationNote::Kind::CachedTokens,
                 std::to_string(row.cachedInputTokens)
                     + " input tokens were cache reads, which providers charge at a fraction of the input price; a "
                       "gateway that prices them as full input reports more than the catalog ("
                     + money(row.gatewayReportedMicro - row.gatewayCatalogMicro) + " here).");
        if (row.billed && toDay > today - kLateDays)
            note(ReconciliationNote::Kind::LateBuckets,
                 "The period includes the last " + std::to_string(kLateDays)
                     + " days, which the provider still revises: its report can rise as late usage arrives.");
        if (!row.billed && (row.gatewayCatalogMicro != 0 || row.providerUsageCatalogMicro != 0)
            && provider != "unknown")
            note(ReconciliationNote::Kind::NoBill,
                 "No cost report from " + provider
                     + " for this period: add its organization as a source to compare with the bill.");
        if (row.unreportedBillLines > 0)
            note(ReconciliationNote::Kind::NoCostReported,
                 std::to_string(row.unreportedBillLines) + " line" + (row.unreportedBillLines == 1 ? "" : "s") + " of "
                     + provider
                     + "'s cost report came without an amount (no cost reported), so the billed figure leaves "
                       "them out; the provider may fill them in later.");
        if (billGap && row.billedMicro > catalog && row.providerUsageCatalogMicro == 0)
            note(ReconciliationNote::Kind::NoGateway,
                 "The bill is " + money(row.billedMicro - catalog)
                     + " above the traffic RouteLedger saw: some usage did not pass through a connected gateway "
                       "(other keys or projects), or includes non-token items (tools, storage, fine-tuning).");
        if (auto it = discounts.find(provider); it != discounts.end() && it->second != 0)
            note(ReconciliationNote::Kind::Discount,
                 "The catalog figures include your " + std::to_string(it->second / 100) + "."
                     + std::to_string((it->second % 100) / 10) + " % discount with " + provider + ".");
        // The note that explains the most first; the late-report caveat last.
        std::stable_sort(row.notes.begin(), row.notes.end(),
                         [](const ReconciliationNote &a, const ReconciliationNote &b) {
                             return (a.kind == ReconciliationNote::Kind::LateBuckets)
                                    < (b.kind == ReconciliationNote::Kind::LateBuckets);
                         });
        if ((reportedGap || billGap) && row.notes.empty())
            note(ReconciliationNote::Kind::Unexplained,
                 "RouteLedger cannot tell why these figures differ: check the provider's price changes and "
                 "the period's boundaries (providers bill in UTC days).");
        report.rows.push_back(std::move(row));
    }
    return report;
}

} // namespace rl
