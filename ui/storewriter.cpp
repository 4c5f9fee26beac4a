#include "storewriter.h"

StoreWriter::StoreWriter(QObject *parent) : QObject(parent) {}
StoreWriter::~StoreWriter() = default;

bool StoreWriter::openStore(const QString &storePath)
{
    if (m_store && m_path == storePath)
        return true;
    auto opened = rl::UsageStore::open(storePath.toStdString());
    if (!opened) {
        emit failed(QString::fromStdString(opened.error().message));
        return false;
    }
    m_store = std::make_unique<rl::UsageStore>(std::move(opened).value());
    m_path = storePath;
    return true;
}

void StoreWriter::setBudget(const QString &storePath, const QString &team, const QString &period, qint64 limitMicro)
{
    if (!openStore(storePath))
        return;
    rl::TeamBudget budget;
    budget.team = team.toStdString();
    budget.limitMicro = limitMicro;
    if (!rl::budgetPeriodFromName(period.toStdString(), budget.period)) {
        emit failed(tr("unknown budget period \"%1\"").arg(period));
        return;
    }
    auto saved = m_store->setBudget(budget);
    if (!saved) {
        emit failed(QString::fromStdString(saved.error().message));
        return;
    }
    emit written();
}
