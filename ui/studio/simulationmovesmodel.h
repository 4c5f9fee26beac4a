#pragma once

#include "simulate/simulationresult.h"
#include "widgets/theme.h"

#include <QAbstractTableModel>
#include <QStringList>

// The "from tier → to tier" matrix of a simulation: a row per tier under the baseline, a column per tier under
// the draft (each policy's tiers in order, then "none" and "blocked" where they occur), each cell the requests
// that go that way and what that changes in cost. The diagonal is the requests that stay. Raw counts in SortRole,
// the cost change in CostDeltaRole.
class SimulationMovesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role { SortRole = Qt::UserRole + 1, CostDeltaRole };

    explicit SimulationMovesModel(const Theme &theme, QObject *parent = nullptr);

    void setResult(const rl::SimulationResult &result);
    void clear();

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Cell {
        qint64 requests = 0;
        qint64 costDeltaMicro = 0;
    };

    Theme m_theme;
    QStringList m_from, m_to;
    std::vector<std::vector<Cell>> m_cells; // [from][to]
};
