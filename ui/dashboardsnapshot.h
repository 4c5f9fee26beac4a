#pragma once

#include "store/qualityqueries.h"
#include "store/reconciliation.h"
#include "store/usagequeries.h"

#include <QMetaType>
#include <QString>

#include <vector>

// Everything the dashboard pages show for one filter, loaded together off the GUI thread.
struct DashboardSnapshot {
    rl::UsageFilter filter;
    std::int64_t nowMs = 0;
    bool demo = false;
    QString storePath;
    rl::UsageTotals totals;
    std::vector<rl::DayTierSpend> spendByDayAndTier;
    // By hour, for a period of two days or less (filter.toDay - filter.fromDay <= 2); empty otherwise.
    std::vector<rl::HourTierSpend> spendByHourAndTier;
    std::vector<rl::MixRow> mix;
    std::vector<rl::TeamSpend> teams;
    std::vector<rl::TeamSpend> previousTeams; // the same span just before, for trends
    std::vector<rl::TeamBreakdownRow> breakdown;
    std::vector<rl::BudgetState> budgets; // every budget
    // One budget per team (its own total, not per user; the first by period when it has several): what the
    // Overview and Teams pages set against each team's spend.
    std::vector<rl::BudgetState> teamBudgets;
    std::vector<rl::PolicyVersionMark> policyVersions;
    std::vector<rl::DayQuality> quality;
    rl::QualityReport qualityReport; // feedback and escalation rates by tier, rule, team and complexity band
    bool hasQualityReport = false;   // computed only while the Quality page is shown (QueryWorker)
    std::vector<rl::ModelLatency> latency;
    rl::ReconciliationReport reconciliation;
    std::vector<std::string> teamNames; // for the filter bar
    std::vector<std::string> sourceNames;
    rl::OrgCalendar calendar; // the store's: days and periods are cut in its time zone (no zone before a load)
};

Q_DECLARE_METATYPE(DashboardSnapshot)
Q_DECLARE_METATYPE(rl::UsageFilter)
