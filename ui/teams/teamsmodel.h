#pragma once

#include "dashboardsnapshot.h"
#include "widgets/theme.h"

#include <QAbstractTableModel>
#include <QVector>

// One row per team: spend, requests and savings in the period; the team's budget; Used: the period's spend
// against the budget for the same period (rl::budgetForRange: this month's budget on "This month", pro-rated
// to the days of other periods); Forecast: at the end of the budget period in progress (from the last days'
// rate early in a period). Display text in DisplayRole; raw numbers in SortRole.
class TeamsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        TeamColumn,
        SpendColumn,
        TrendColumn,
        RequestsColumn,
        SavedColumn,
        BudgetColumn,
        UsedColumn,
        ForecastColumn,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit TeamsModel(const Theme &theme, QObject *parent = nullptr);
    void setSnapshot(const DashboardSnapshot &snapshot);
    QString teamAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row {
        QString team;
        qint64 spent = 0, requests = 0, saved = 0;
        qint64 previous = -1; // spend in the span before; -1: none
        qint64 limit = 0;     // 0: no budget
        QString period;
        qint64 rangeLimit = 0; // the budget for the period shown
        qint64 forecast = 0;
        QString rangeNote, forecastNote;
    };
    Theme m_theme;
    QVector<Row> m_rows;
};
