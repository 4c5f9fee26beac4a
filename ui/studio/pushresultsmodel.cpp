#include "pushresultsmodel.h"

PushResultsModel::PushResultsModel(const Theme &theme, QObject *parent) : QAbstractTableModel(parent), m_theme(theme) {}

QString PushResultsModel::outcomeText(rl::PushOutcome outcome)
{
    switch (outcome) {
    case rl::PushOutcome::Applied: return tr("Applied");
    case rl::PushOutcome::Rejected: return tr("Rejected");
    case rl::PushOutcome::Stale: return tr("Stale");
    case rl::PushOutcome::Unreachable: return tr("Unreachable");
    case rl::PushOutcome::ReadbackDiffers: return tr("Readback differs");
    }
    return {};
}

void PushResultsModel::merge(const std::vector<rl::PushResult> &results)
{
    beginResetModel();
    for (const rl::PushResult &result : results) {
        auto it = std::find_if(m_results.begin(), m_results.end(),
                               [&](const rl::PushResult &r) { return r.target == result.target; });
        if (it != m_results.end())
            *it = result;
        else
            m_results.push_back(result);
    }
    endResetModel();
}

void PushResultsModel::clear()
{
    beginResetModel();
    m_results.clear();
    endResetModel();
}

const rl::PushResult *PushResultsModel::result(const QString &router) const
{
    for (const rl::PushResult &r : m_results)
        if (QString::fromStdString(r.target) == router)
            return &r;
    return nullptr;
}

QStringList PushResultsModel::failedRouters() const
{
    QStringList failed;
    for (const rl::PushResult &r : m_results)
        if (r.outcome != rl::PushOutcome::Applied)
            failed << QString::fromStdString(r.target);
    return failed;
}

int PushResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_results.size());
}

int PushResultsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PushResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const rl::PushResult &r = m_results[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Router: return QString::fromStdString(r.target);
        case Outcome: return outcomeText(r.outcome);
        case Summary: return QString::fromStdString(r.summary);
        }
        break;
    case Qt::ToolTipRole: {
        QStringList lines{QString::fromStdString(r.baseUrl), QString::fromStdString(r.summary)};
        for (const std::string &detail : r.details)
            lines << QString::fromStdString(detail);
        return lines.join(QLatin1Char('\n'));
    }
    case Qt::ForegroundRole:
        if (index.column() == Outcome)
            return r.outcome == rl::PushOutcome::Applied ? m_theme.good()
                   : r.outcome == rl::PushOutcome::Stale ? m_theme.warning()
                                                         : m_theme.blocked();
        break;
    case SortRole:
        switch (index.column()) {
        case Router: return QString::fromStdString(r.target);
        case Outcome: return int(r.outcome);
        case Summary: return QString::fromStdString(r.summary);
        }
        break;
    case OutcomeRole: return int(r.outcome);
    case DetailsRole: {
        QStringList lines;
        for (const std::string &detail : r.details)
            lines << QString::fromStdString(detail);
        return lines;
    }
    default: break;
    }
    return {};
}

QVariant PushResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Router: return tr("Router");
    case Outcome: return tr("Result");
    case Summary: return tr("What happened");
    }
    return {};
}
