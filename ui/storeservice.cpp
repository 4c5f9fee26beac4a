#include "storeservice.h"

StoreService::StoreService(rl::UsageStore store, QObject *parent) : QObject(parent), m_store(std::move(store)) {}

StoreService::~StoreService() = default;

rl::Result<rl::IngestResult> StoreService::ingest(const rl::IngestBatch &batch)
{
    return call([&batch](rl::UsageStore &store) { return store.ingest(batch); });
}

rl::Result<std::optional<std::string>> StoreService::cursor(const std::string &source)
{
    return call([&source](rl::UsageStore &store) { return store.cursor(source); });
}

void StoreService::setBudget(const QString &team, const QString &period, qint64 limitMicro)
{
    // The Teams page edits a team's own budget: the first one of the team's total, keeping its thresholds and
    // action (the Budgets page edits the rest).
    rl::SpendBudget budget;
    budget.scope = {rl::SpendScope::Kind::Team, team.toStdString()};
    auto all = m_store.budgets();
    if (!all) {
        emit failed(QString::fromStdString(all.error().message));
        return;
    }
    for (const rl::SpendBudget &existing : all.value())
        if (existing.scope == budget.scope && !existing.eachUser) {
            budget = existing;
            break;
        }
    std::string problem;
    if (!rl::SpendBudget::parsePeriod(period.toStdString(), budget.period, budget.rollingDays, problem)) {
        emit failed(QString::fromStdString(problem));
        return;
    }
    if (budget.period == rl::BudgetPeriod::Rolling)
        budget.rollover = false;
    budget.limitMicro = limitMicro;
    if (auto saved = m_store.saveBudget(budget); !saved) {
        emit failed(QString::fromStdString(saved.error().message));
        return;
    }
    emit written();
}
