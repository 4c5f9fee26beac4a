#include "queryworker.h"

#include <set>

QueryWorker::QueryWorker(const QString &storePath, QObject *parent) : QObject(parent), m_path(storePath) {}
QueryWorker::~QueryWorker() = default;

void QueryWorker::load(quint64 requestId, const rl::UsageFilter &filter, qint64 nowMs)
{
    if (!m_queries) {
        auto opened = rl::UsageQueries::open(m_path.toStdString());
        if (!opened) {
            emit failed(requestId, QString::fromStdString(opened.error().message));
            return;
        }
        m_queries = std::make_unique<rl::UsageQueries>(std::move(opened).value());
    }
    DashboardSnapshot snapshot;
    snapshot.filter = filter;
    snapshot.nowMs = nowMs;
    snapshot.demo = m_queries->isDemo();
    snapshot.storePath = m_path;
    snapshot.calendar = m_queries->calendar();
    auto fail = [&](const rl::Error &error) { emit failed(requestId, QString::fromStdString(error.message)); };
    auto totals = m_queries->totals(filter);
    if (!totals)
        return fail(totals.error());
    snapshot.totals = totals.value();
    auto days = m_queries->spendByDayAndTier(filter);
    if (!days)
        return fail(days.error());
    snapshot.spendByDayAndTier = std::move(days).value();
    if (filter.toDay - filter.fromDay <= 2) { // a day or two is drawn by hour
        auto hours = m_queries->spendByHourAndTier(filter);
        if (!hours)
            return fail(hours.error());
        snapshot.spendByHourAndTier = std::move(hours).value();
    }
    auto mix = m_queries->routingMix(filter);
    if (!mix)
        return fail(mix.error());
    snapshot.mix = std::move(mix).value();
    auto teams = m_queries->spendByTeam(filter);
    if (!teams)
        return fail(teams.error());
    snapshot.teams = std::move(teams).value();
    rl::UsageFilter previous = filter;
    previous.toDay = filter.fromDay;
    previous.fromDay = filter.fromDay - (filter.toDay - filter.fromDay);
    auto previousTeams = m_queries->spendByTeam(previous);
    if (!previousTeams)
        return fail(previousTeams.error());
    snapshot.previousTeams = std::move(previousTeams).value();
    auto breakdown = m_queries->teamBreakdown(filter);
    if (!breakdown)
        return fail(breakdown.error());
    snapshot.breakdown = std::move(breakdown).value();
    auto budgets = m_queries->budgetStatus(nowMs);
    if (!budgets)
        return fail(budgets.error());
    snapshot.budgets = std::move(budgets).value();
    std::set<std::string> teamsWithBudget;
    for (const rl::BudgetState &b : snapshot.budgets)
        if (b.budget.scope.kind == rl::SpendScope::Kind::Team && !b.budget.eachUser
            && teamsWithBudget.insert(b.budget.scope.name).second)
            snapshot.teamBudgets.push_back(b);
    auto versions = m_queries->policyVersions();
    if (!versions)
        return fail(versions.error());
    snapshot.policyVersions = std::move(versions).value();
    auto quality = m_queries->qualityByDay(filter);
    if (!quality)
        return fail(quality.error());
    snapshot.quality = std::move(quality).value();
    if (m_qualityWanted.load()) {
        auto qualityReport = rl::QualityQueries(m_queries->database()).report(filter);
        if (!qualityReport)
            return fail(qualityReport.error());
        snapshot.qualityReport = std::move(qualityReport).value();
        snapshot.hasQualityReport = true;
    }
    auto latency = m_queries->latencyByModel(filter);
    if (!latency)
        return fail(latency.error());
    snapshot.latency = std::move(latency).value();
    auto reconciliation = rl::Reconciliation::run(m_queries->database(), filter.fromDay, filter.toDay, filter.team,
                                                  m_queries->calendar().dayOf(nowMs));
    if (!reconciliation)
        return fail(reconciliation.error());
    snapshot.reconciliation = std::move(reconciliation).value();
    for (const char *table : {"teams", "sources"}) {
        auto names =
            m_queries->database().prepare(std::string("SELECT name FROM ") + table + " WHERE name != '' ORDER BY name");
        if (!names)
            return fail(names.error());
        auto &target = std::string_view(table) == "teams" ? snapshot.teamNames : snapshot.sourceNames;
        if (auto read = names->forEachRow([&] { target.push_back(names->text(0)); }); !read)
            return fail(read.error());
    }
    emit loaded(requestId, snapshot);
}
