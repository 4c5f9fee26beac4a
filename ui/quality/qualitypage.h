#pragma once

#include "dashboardsnapshot.h"
#include "widgets/theme.h"

#include <QWidget>

#include <vector>

class QComboBox;
class QFrame;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QualityModel;
class StatTile;

// Quality: what clients said of the answers (feedback) and how often a request was asked again at a more
// capable tier (escalations), by tier, rule, team or complexity band, for the shared filter's period, team and
// source. Each rate comes with its count and 95 % interval, greyed on small samples.
class QualityPage : public QWidget {
    Q_OBJECT
public:
    explicit QualityPage(const Theme &theme, QWidget *parent = nullptr);
    void setSnapshot(const DashboardSnapshot &snapshot);
    void setGrouping(rl::QualityGrouping grouping);

    QualityModel *model() const { return m_model; }
    QComboBox *groupingBox() const { return m_grouping; }
    // The empty state's text, or empty when the table shows.
    QString emptyText() const;
    QString tileFigure(int index) const;

signals:
    void sourcesRequested(); // the empty state's call to action

private:
    void showRows();

    Theme m_theme;
    QLabel *m_period = nullptr;
    QComboBox *m_grouping = nullptr;
    std::vector<StatTile *> m_tiles;
    QFrame *m_tableCard = nullptr;
    QFrame *m_emptyCard = nullptr;
    QLabel *m_empty = nullptr;
    QPushButton *m_emptyAction = nullptr;
    QualityModel *m_model = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    QTableView *m_view = nullptr;
    rl::QualityReport m_report;
};
