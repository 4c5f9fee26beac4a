#pragma once

#include "simulate/simulationresult.h"
#include "widgets/theme.h"

#include <QAbstractTableModel>

#include <vector>

// The requests a simulation moves between tiers, by the draft's deciding rule or by team: one row per group and
// move, with the requests and the change in cost. Raw values in SortRole (the view sorts through a proxy).
class SimulationGroupsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Group, Move, Requests, CostDelta, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1 };
    enum class By { Rule, Team };

    explicit SimulationGroupsModel(const Theme &theme, QObject *parent = nullptr);

    void setResult(const rl::SimulationResult &result);
    void setGrouping(By by);
    By grouping() const { return m_by; }
    void clear();

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    Theme m_theme;
    By m_by = By::Rule;
    std::vector<rl::TierMove> m_byRule, m_byTeam;
    const std::vector<rl::TierMove> &rows() const { return m_by == By::Rule ? m_byRule : m_byTeam; }
};
