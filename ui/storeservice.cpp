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
    rl::TeamBudget budget;
    budget.team = team.toStdString();
    budget.limitMicro = limitMicro;
    if (!rl::budgetPeriodFromName(period.toStdString(), budget.period)) {
        emit failed(tr("unknown budget period \"%1\"; use day, week, month, quarter or year").arg(period));
        return;
    }
    if (auto saved = m_store.setBudget(budget); !saved) {
        emit failed(QString::fromStdString(saved.error().message));
        return;
    }
    emit written();
}
