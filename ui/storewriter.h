#pragma once

#include "store/usagestore.h"

#include <QObject>

#include <memory>

// The app's writes to the store (budgets, for now), on its own thread like the queries: the GUI thread
// never waits on SQLite.
class StoreWriter : public QObject {
    Q_OBJECT
public:
    explicit StoreWriter(QObject *parent = nullptr);
    ~StoreWriter() override;

public slots:
    void setBudget(const QString &storePath, const QString &team, const QString &period, qint64 limitMicro);

signals:
    void written();
    void failed(const QString &message);

private:
    bool openStore(const QString &storePath);

    std::unique_ptr<rl::UsageStore> m_store;
    QString m_path;
};
