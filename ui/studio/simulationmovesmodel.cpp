#include "simulationmovesmodel.h"

#include "widgets/money.h"

#include <QLocale>

namespace {

QStringList orderedTiers(const rl::PolicyFigures &figures, const std::vector<rl::TierMove> &moves, bool from)
{
    QStringList names;
    for (const std::string &tier : figures.tierNames)
        names << QString::fromStdString(tier);
    for (const char *extra : {"none", "blocked"}) {
        bool used = figures.tierRequests.count(extra) > 0;
        for (const rl::TierMove &move : moves)
            used = used || (from ? move.from : move.to) == extra;
        if (used)
            names << QString::fromLatin1(extra);
    }
    return names;
}

} // namespace

SimulationMovesModel::SimulationMovesModel(const Theme &theme, QObject *parent)
    : QAbstractTableModel(parent), m_theme(theme)
{}

void SimulationMovesModel::setResult(const rl::SimulationResult &result)
{
    beginResetModel();
    m_from = orderedTiers(result.baseline, result.moved, true);
    m_to = orderedTiers(result.draft, result.moved, false);
    m_cells.assign(static_cast<std::size_t>(m_from.size()), std::vector<Cell>(static_cast<std::size_t>(m_to.size())));
    // The requests that stay: what the baseline sent to a tier, less what moves away from it.
    for (const auto &[tier, requests] : result.baseline.tierRequests) {
        const auto row = m_from.indexOf(QString::fromStdString(tier));
        const auto column = m_to.indexOf(QString::fromStdString(tier));
        if (row < 0 || column < 0)
            continue;
        qint64 staying = requests;
        for (const rl::TierMove &move : result.moved)
            if (move.from == tier)
                staying -= move.requests;
        m_cells[static_cast<std::size_t>(row)][static_cast<std::size_t>(column)].requests = staying;
    }
    for (const rl::TierMove &move : result.moved) {
        const auto row = m_from.indexOf(QString::fromStdString(move.from));
        const auto column = m_to.indexOf(QString::fromStdString(move.to));
        if (row < 0 || column < 0)
            continue;
        Cell &cell = m_cells[static_cast<std::size_t>(row)][static_cast<std::size_t>(column)];
        cell.requests += move.requests;
        cell.costDeltaMicro += move.costDeltaMicro;
    }
    endResetModel();
}

void SimulationMovesModel::clear()
{
    beginResetModel();
    m_from.clear();
    m_to.clear();
    m_cells.clear();
    endResetModel();
}

int SimulationMovesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_from.size());
}

int SimulationMovesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_to.size());
}

QVariant SimulationMovesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Cell &cell = m_cells[static_cast<std::size_t>(index.row())][static_cast<std::size_t>(index.column())];
    const bool stays = m_from[index.row()] == m_to[index.column()];
    switch (role) {
    case Qt::DisplayRole: {
        if (cell.requests == 0)
            return QStringLiteral("–");
        const QString count = QLocale(QLocale::English).toString(cell.requests);
        if (stays || cell.costDeltaMicro == 0)
            return count;
        return QStringLiteral("%1\n%2").arg(count, money::signedFull(cell.costDeltaMicro));
    }
    case Qt::ToolTipRole:
        if (stays)
            return tr("%n request(s) stay on %1", nullptr, static_cast<int>(cell.requests)).arg(m_from[index.row()]);
        return tr("%n request(s) move from %1 to %2, changing their cost by %3", nullptr,
                  static_cast<int>(cell.requests))
            .arg(m_from[index.row()], m_to[index.column()], money::signedFull(cell.costDeltaMicro));
    case Qt::TextAlignmentRole: return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (cell.requests == 0 || stays)
            return m_theme.mutedText();
        return cell.costDeltaMicro > 0 ? m_theme.blocked() : m_theme.good();
    case SortRole: return cell.requests;
    case CostDeltaRole: return cell.costDeltaMicro;
    default: return {};
    }
}

QVariant SimulationMovesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    const QStringList &names = orientation == Qt::Horizontal ? m_to : m_from;
    if (section < 0 || section >= names.size())
        return {};
    if (role == Qt::DisplayRole)
        return names[section];
    if (role == Qt::ForegroundRole) {
        const QString &name = names[section];
        if (name == QStringLiteral("blocked"))
            return m_theme.blocked();
        if (name == QStringLiteral("none"))
            return m_theme.mutedText();
        return m_theme.tierColor(section);
    }
    return {};
}
