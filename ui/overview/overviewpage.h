#pragma once

#include "dashboardsnapshot.h"

#include <QWidget>

class QChart;
class QChartView;
class QLabel;
class QListWidget;
class StatTile;
class TeamBudgetBars;

// Overview: spend this period against budget, forecast, saved by routing, requests and frontier share;
// spend over time stacked by tier; the routing mix; top teams with budget markers; open alerts.
class OverviewPage : public QWidget {
    Q_OBJECT
public:
    explicit OverviewPage(QWidget *parent = nullptr);

    void setSnapshot(const DashboardSnapshot &snapshot);

    // What the page shows, for tests.
    QString tileFigure(int index) const;
    int alertCount() const;
    const TeamBudgetBars *teamBars() const { return m_teamBars; }

private:
    void showSpendOverTime(const DashboardSnapshot &snapshot);
    void showRoutingMix(const DashboardSnapshot &snapshot);

    QLabel *m_period = nullptr;
    QLabel *m_empty = nullptr;
    QWidget *m_content = nullptr;
    std::vector<StatTile *> m_tiles;
    QChartView *m_spendView = nullptr;
    QChartView *m_mixView = nullptr;
    TeamBudgetBars *m_teamBars = nullptr;
    QListWidget *m_alerts = nullptr;
};
