#pragma once

#include "dashboardsnapshot.h"
#include "widgets/theme.h"

#include <QWidget>

class QLabel;
class QStandardItemModel;
class QTabWidget;
class QSortFilterProxyModel;
class QTableView;
class TeamsModel;

// Teams: per-team spend, requests and savings in the period, budget, use and forecast; budgets are set
// here (the write happens on the store writer's thread).
class TeamsPage : public QWidget {
    Q_OBJECT
public:
    explicit TeamsPage(const Theme &theme, QWidget *parent = nullptr);
    QLabel *captionLabel() const { return m_period; }
    void setSnapshot(const DashboardSnapshot &snapshot);
    TeamsModel *model() const { return m_model; }
    // The drill-down of the selected team: 0 by model, 1 by app, 2 by user.
    QStandardItemModel *breakdownModel(int dimension) const { return m_breakdown[dimension]; }
    void selectTeam(const QString &team);
    QTableView *view() const { return m_view; }

signals:
    void budgetRequested(const QString &team, const QString &period, qint64 limitMicro);

private:
    void editBudget();
    void showBreakdown();

    Theme m_theme;
    QLabel *m_period = nullptr;
    QLabel *m_empty = nullptr;
    TeamsModel *m_model = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_drillTitle = nullptr;
    QStandardItemModel *m_breakdown[3] = {nullptr, nullptr, nullptr};
    std::vector<rl::TeamBreakdownRow> m_rows;
};
