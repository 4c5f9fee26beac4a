#pragma once

#include "error.h"
#include "store/sqlitedatabase.h"

#include <cstdint>
#include <string>
#include <vector>

namespace rl {

// Why two of a row's figures differ, when RouteLedger can tell.
struct ReconciliationNote {
    enum class Kind {
        Unpriced,
        Unmetered,
        CachedTokens,
        LateBuckets,
        NoBill,
        NoCostReported,
        NoGateway,
        Discount,
        Unexplained
    };
    Kind kind = Kind::Unexplained;
    std::string text;
};

// One provider's spend in a period, three ways: what the gateways and routers that carried the traffic
// reported, what the price catalog says that traffic cost, and what the provider billed. The catalog
// figure of the provider's own usage report is beside them, for providers RouteLedger reads directly.
struct ReconciliationRow {
    std::string provider;
    std::int64_t gatewayRequests = 0;
    std::int64_t gatewayReportedMicro = 0;      // LiteLLM's spend, OpenRouter's usage; 0 for sources that report none
    std::int64_t gatewayCatalogMicro = 0;       // the same records priced by the catalog
    bool gatewayReports = false;                // some gateway record came with its own cost
    std::int64_t providerUsageCatalogMicro = 0; // the provider's usage report priced by the catalog
    std::int64_t billedMicro = 0;               // the provider's cost report
    bool billed = false;                        // a cost report covers this provider
    std::int64_t unreportedBillLines = 0;       // lines of the bill that came without an amount
    std::int64_t unpricedRequests = 0;
    std::int64_t unmeteredRequests = 0; // answered without usable token counts
    std::int64_t cachedInputTokens = 0, cacheWriteTokens = 0;
    std::vector<ReconciliationNote> notes;

    // The catalog figure the bill is compared with: the provider's own usage when read, else the gateways'.
    std::int64_t catalogMicro() const
    {
        return providerUsageCatalogMicro != 0 ? providerUsageCatalogMicro : gatewayCatalogMicro;
    }
};

struct ReconciliationReport {
    std::int64_t fromDay = 0, toDay = 0; // [from, to) in the organisation's days
    std::string team;                    // empty: every team
    std::vector<ReconciliationRow> rows; // by provider
};

// Compares reported, catalog and billed cost for one period and team (the Reconciliation page).
// Differences smaller than `tolerance` (a share of the larger figure, or one cent) are not flagged.
class Reconciliation {
public:
    static constexpr double kTolerance = 0.01;
    static constexpr int kLateDays = 2; // provider reports of the last two days are still revised

    static Result<ReconciliationReport> run(SqliteDatabase &db, std::int64_t fromDay, std::int64_t toDay,
                                            const std::string &team, std::int64_t today);
    static bool differs(std::int64_t a, std::int64_t b);
};

} // namespace rl
