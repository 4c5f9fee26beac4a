#include "teams/teamsmodel.h"

#include "widgets/money.h"
#include "widgets/periodview.h"

#include <QBrush>

#include <map>

TeamsModel::TeamsModel(const Theme &theme, QObject *parent) : QAbstractTableModel(parent), m_theme(theme) {}

void TeamsModel::setSnapshot(const DashboardSnapshot &snapshot)
{
    beginResetModel();
    m_rows.clear();
    std::map<std::string, const rl::BudgetState *> budgets;
    for (const rl::BudgetState &b : snapshot.teamBudgets)
        budgets[b.budget.scope.name] = &b;
    auto budgetInto = [&](Row &row, const rl::BudgetState &budget) {
        row.limit = budget.limitMicro;
        row.period = QString::fromStdString(budget.budget.periodText());
        const rl::RangeBudget range = periodview::rangeBudget(snapshot, budget);
        row.rangeLimit = range.limitMicro;
        row.rangeNote = periodview::rangeBudgetNote(snapshot, range, budget.budget.period);
        row.forecast = budget.forecastMicro;
        row.forecastNote = periodview::forecastBasisText(budget);
    };
    for (const rl::TeamSpend &team : snapshot.teams) {
        Row row;
        row.team = QString::fromStdString(team.team);
        row.spent = team.costMicro;
        row.requests = team.requests;
        row.saved = team.frontierCostMicro - team.costMicro;
        if (auto it = budgets.find(team.team); it != budgets.end()) {
            budgetInto(row, *it->second);
            budgets.erase(it);
        }
        m_rows.push_back(row);
    }
    std::map<std::string, std::int64_t> previous;
    for (const rl::TeamSpend &team : snapshot.previousTeams)
        previous[team.team] = team.costMicro;
    for (Row &row : m_rows)
        if (auto it = previous.find(row.team.toStdString()); it != previous.end())
            row.previous = it->second;
    for (const auto &[name, budget] : budgets) { // teams with a budget and no spend in the period
        Row row;
        row.team = QString::fromStdString(name);
        budgetInto(row, *budget);
        m_rows.push_back(row);
    }
    endResetModel();
}

QString TeamsModel::teamAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).team : QString();
}
int TeamsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}
int TeamsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TeamsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    const double used = r.rangeLimit > 0 ? double(r.spent) / double(r.rangeLimit) : -1.0;
    const double forecastUsed = r.limit > 0 ? double(r.forecast) / double(r.limit) : -1.0;
    const bool hasTrend = r.previous > 0;
    const double trend = hasTrend ? double(r.spent - r.previous) / double(r.previous) : 0.0;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TeamColumn: return r.team.isEmpty() ? tr("unassigned") : r.team;
        case SpendColumn: return money::full(r.spent);
        case TrendColumn:
            return hasTrend ? QStringLiteral("%1%2 %")
                                  .arg(trend >= 0 ? QStringLiteral("+") : QString())
                                  .arg(trend * 100.0, 0, 'f', 0)
                            : tr("new");
        case RequestsColumn: return QLocale(QLocale::English).toString(r.requests);
        case SavedColumn: return money::full(r.saved);
        case BudgetColumn: return r.limit > 0 ? tr("%1 / %2").arg(money::compact(r.limit), r.period) : tr("none");
        case UsedColumn: return used >= 0 ? money::usedPercent(used) : QString();
        case ForecastColumn:
            return r.limit > 0 ? tr("%1 (%2)").arg(money::compact(r.forecast), money::percent(forecastUsed))
                               : QString();
        default: return {};
        }
    case SortRole:
        switch (index.column()) {
        case TeamColumn: return r.team;
        case SpendColumn: return r.spent;
        case TrendColumn: return hasTrend ? trend : 1e9;
        case RequestsColumn: return r.requests;
        case SavedColumn: return r.saved;
        case BudgetColumn: return r.limit;
        case UsedColumn: return used;
        case ForecastColumn: return forecastUsed;
        default: return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == UsedColumn && used >= 0)
            return tr("%1 of %2 (%3)").arg(money::full(r.spent), money::full(r.rangeLimit), r.rangeNote);
        if (index.column() == ForecastColumn && r.limit > 0)
            return tr("At the end of the %1 in progress, %2").arg(r.period, r.forecastNote);
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == TeamColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                            : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole: {
        const Theme &theme = m_theme;
        if (index.column() == UsedColumn && used >= 0)
            return QBrush(used >= 1.0 ? theme.blocked() : used >= 0.8 ? theme.warning() : theme.text());
        if (index.column() == ForecastColumn && forecastUsed >= 1.0)
            return QBrush(theme.warning());
        if (index.column() == TrendColumn && hasTrend)
            return QBrush(trend > 0.2 ? theme.warning() : theme.mutedText());
        return {};
    }
    default: return {};
    }
}

QVariant TeamsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        if (section == UsedColumn)
            return tr("The period's spend against the budget for the same period: the month's budget on This month, "
                      "pro-rated to the days of other periods");
        if (section == ForecastColumn)
            return tr("Spend at the end of the budget period in progress: each remaining day as the same weekday of "
                      "the last 7 days");
        return {};
    }
    if (role == Qt::TextAlignmentRole)
        return section == TeamColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                     : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TeamColumn: return tr("Team");
    case SpendColumn: return tr("Spend");
    case TrendColumn: return tr("vs. before");
    case RequestsColumn: return tr("Requests");
    case SavedColumn: return tr("Saved by routing");
    case BudgetColumn: return tr("Budget");
    case UsedColumn: return tr("Used");
    case ForecastColumn: return tr("Forecast");
    default: return {};
    }
}
