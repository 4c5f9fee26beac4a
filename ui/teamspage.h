#pragma once

#include "dashboardsnapshot.h"

#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QTableView;
class TeamsModel;

// Teams: per-team spend, requests and savings in the period, budget, use and forecast; budgets are set
// here (the write happens on the store writer's thread).
class TeamsPage : public QWidget {
    Q_OBJECT
public:
    explicit TeamsPage(QWidget *parent = nullptr);
    void setSnapshot(const DashboardSnapshot &snapshot);
    TeamsModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }

signals:
    void budgetRequested(const QString &team, const QString &period, qint64 limitMicro);

private:
    void editBudget();

    QLabel *m_period = nullptr;
    TeamsModel *m_model = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    QTableView *m_view = nullptr;
};
