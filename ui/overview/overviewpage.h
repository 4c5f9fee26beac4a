#pragma once

#include "dashboardsnapshot.h"
#include "widgets/theme.h"

#include <QWidget>

class QChart;
class QChartView;
class QLabel;
class QListWidget;
class QPushButton;
class QStackedWidget;
class StatTile;
class TeamBudgetBars;

// Overview: spend this period against budget, forecast, saved by routing, requests and frontier share;
// spend over time stacked by tier; the routing mix; top teams with budget markers; open alerts. With no data
// for the period the layout stays: the title at the top, every tile and card in place with its own empty
// text, and one call to action above them.
class OverviewPage : public QWidget {
    Q_OBJECT
public:
    // The call to action an empty period offers.
    enum class Action { None, AddSource, LongerPeriod };

    explicit OverviewPage(const Theme &theme, QWidget *parent = nullptr);

    void setSnapshot(const DashboardSnapshot &snapshot);

    // What the page shows, for tests.
    QString tileFigure(int index) const;
    QString tileDetail(int index) const;
    int alertCount() const;
    QString alertText(int row) const;
    const TeamBudgetBars *teamBars() const { return m_teamBars; }
    QLabel *titleLabel() const { return m_title; }
    Action action() const { return m_actionKind; }
    QPushButton *actionButton() const { return m_actionButton; }
    QString actionText() const;
    bool spendChartEmpty() const;
    bool spendChartByHour() const { return m_byHour; }
    QChartView *spendView() const { return m_spendView; }
    QString alertsTitle() const;
    QString teamsTitle() const;

signals:
    // The call to action: open the Sources page to add one, or widen the period.
    void addSourceRequested();
    void longerPeriodRequested();

private:
    void showSpendOverTime(const DashboardSnapshot &snapshot);
    void showRoutingMix(const DashboardSnapshot &snapshot);
    void showTeamsAndAlerts(const DashboardSnapshot &snapshot);
    void showEmpty(const DashboardSnapshot &snapshot);

    Theme m_theme;
    QLabel *m_title = nullptr;
    QLabel *m_period = nullptr;
    QWidget *m_action = nullptr;
    QLabel *m_actionLabel = nullptr;
    QPushButton *m_actionButton = nullptr;
    Action m_actionKind = Action::None;
    std::vector<StatTile *> m_tiles;
    QStackedWidget *m_spendStack = nullptr;
    QLabel *m_spendEmpty = nullptr;
    QChartView *m_spendView = nullptr;
    QStackedWidget *m_mixStack = nullptr;
    QLabel *m_mixEmpty = nullptr;
    QChartView *m_mixView = nullptr;
    QLabel *m_spendTitle = nullptr;
    QLabel *m_teamsTitle = nullptr;
    QLabel *m_alertsTitle = nullptr;
    TeamBudgetBars *m_teamBars = nullptr;
    QListWidget *m_alerts = nullptr;
    bool m_byHour = false;
};
