#include "simulationgroupsmodel.h"

#include "widgets/money.h"

#include <QLocale>

SimulationGroupsModel::SimulationGroupsModel(const Theme &theme, QObject *parent)
    : QAbstractTableModel(parent), m_theme(theme)
{}

void SimulationGroupsModel::setResult(const rl::SimulationResult &result)
{
    beginResetModel();
    m_byRule = result.movedByRule;
    m_byTeam = result.movedByTeam;
    endResetModel();
}

void SimulationGroupsModel::setGrouping(By by)
{
    if (by == m_by)
        return;
    beginResetModel();
    m_by = by;
    endResetModel();
}

void SimulationGroupsModel::clear()
{
    beginResetModel();
    m_byRule.clear();
    m_byTeam.clear();
    endResetModel();
}

int SimulationGroupsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(rows().size());
}

int SimulationGroupsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SimulationGroupsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const rl::TierMove &move = rows()[static_cast<std::size_t>(index.row())];
    const QString group = move.group.empty() ? tr("(unassigned)") : QString::fromStdString(move.group);
    const QString way =
        QStringLiteral("%1 → %2").arg(QString::fromStdString(move.from), QString::fromStdString(move.to));
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Group: return group;
        case Move: return way;
        case Requests: return QLocale(QLocale::English).toString(move.requests);
        case CostDelta: return money::signedFull(move.costDeltaMicro);
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case Group: return group;
        case Move: return way;
        case Requests: return qint64(move.requests);
        case CostDelta: return qint64(move.costDeltaMicro);
        }
        return {};
    case Qt::TextAlignmentRole:
        return index.column() >= Requests ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                          : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (index.column() == CostDelta && move.costDeltaMicro != 0)
            return move.costDeltaMicro > 0 ? m_theme.blocked() : m_theme.good();
        return {};
    default: return {};
    }
}

QVariant SimulationGroupsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Group: return m_by == By::Rule ? tr("Rule (draft)") : tr("Team");
    case Move: return tr("Tier");
    case Requests: return tr("Requests");
    case CostDelta: return tr("Cost change");
    }
    return {};
}
