#include "policyproblemsmodel.h"

#include "policydraft.h"
#include "routing/policywording.h"

#include <QColor>

PolicyProblemsModel::PolicyProblemsModel(PolicyDraft &draft, QObject *parent)
    : QAbstractTableModel(parent), m_draft(draft)
{
    connect(&m_draft, &PolicyDraft::changed, this, &PolicyProblemsModel::reload);
    reload();
}

void PolicyProblemsModel::reload()
{
    beginResetModel();
    m_rows.clear();
    const rl::PolicyLoad &validation = m_draft.validation();
    auto add = [&](const std::vector<rl::PolicyIssue> &issues, bool error) {
        for (const rl::PolicyIssue &issue : issues)
            m_rows.push_back({error, QString::fromStdString(issue.path),
                              QString::fromStdString(rl::PolicyWording::path(issue.path, m_draft.document())),
                              QString::fromStdString(issue.message)});
    };
    add(validation.errors, true);
    m_errors = int(m_rows.size());
    add(validation.warnings, false);
    endResetModel();
}

int PolicyProblemsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int PolicyProblemsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PolicyProblemsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Severity: return row.error ? tr("Error") : tr("Warning");
        case Where: return row.where;
        case Problem: return row.message;
        }
        break;
    case Qt::ToolTipRole:
        return QStringLiteral("%1 (%2)").arg(row.message, row.path.isEmpty() ? QStringLiteral("/") : row.path);
    case Qt::ForegroundRole:
        if (index.column() == Severity)
            return row.error ? QColor(0xDC2626) : QColor(0xD97706);
        break;
    case PathRole: return row.path;
    case IsErrorRole: return row.error;
    case SortRole:
        switch (index.column()) {
        case Severity: return row.error ? 0 : 1;
        case Where: return row.path;
        case Problem: return row.message;
        }
        break;
    default: break;
    }
    return {};
}

QVariant PolicyProblemsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Severity: return tr("Severity");
    case Where: return tr("Where");
    case Problem: return tr("Problem");
    }
    return {};
}
