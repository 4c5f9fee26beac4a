#include "auditlogmodel.h"

#include <QBrush>
#include <QDateTime>

#include <algorithm>

AuditLogModel::AuditLogModel(const Theme &theme, QObject *parent) : QAbstractTableModel(parent), m_theme(theme) {}

void AuditLogModel::setEntries(std::vector<rl::AuditEntry> entries)
{
    beginResetModel();
    m_entries = std::move(entries);
    std::sort(m_entries.begin(), m_entries.end(),
              [](const rl::AuditEntry &a, const rl::AuditEntry &b) { return a.seq > b.seq; });
    endResetModel();
}

void AuditLogModel::setFirstBroken(std::optional<qint64> seq)
{
    m_firstBroken = seq;
    if (!m_entries.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int AuditLogModel::rowOf(qint64 seq) const
{
    for (std::size_t row = 0; row < m_entries.size(); ++row)
        if (m_entries[row].seq == seq)
            return int(row);
    return -1;
}

int AuditLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int AuditLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const rl::AuditEntry &entry = m_entries[std::size_t(index.row())];
    const bool broken = m_firstBroken && entry.seq == *m_firstBroken;
    const bool untrusted = m_firstBroken && entry.seq > *m_firstBroken;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Seq: return qint64(entry.seq);
        case Time:
            return QDateTime::fromMSecsSinceEpoch(entry.timeMs, Qt::UTC)
                .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
        case Actor: return QString::fromStdString(entry.actor);
        case Action: return QString::fromStdString(entry.action);
        case Object: return QString::fromStdString(entry.object);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case Seq: return qint64(entry.seq);
        case Time: return qint64(entry.timeMs);
        case Actor: return QString::fromStdString(entry.actor);
        case Action: return QString::fromStdString(entry.action);
        case Object: return QString::fromStdString(entry.object);
        }
        break;
    case SeqRole: return qint64(entry.seq);
    case BeforeRole: return QString::fromStdString(entry.before);
    case AfterRole: return QString::fromStdString(entry.after);
    case BrokenRole: return broken;
    case Qt::ForegroundRole:
        if (broken)
            return m_theme.blocked();
        if (untrusted)
            return m_theme.mutedText();
        break;
    case Qt::BackgroundRole:
        if (broken) {
            QColor tint = m_theme.blocked();
            tint.setAlpha(40);
            return QBrush(tint);
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Seq)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    default: break;
    }
    return {};
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Seq: return tr("#");
    case Time: return tr("When");
    case Actor: return tr("Who");
    case Action: return tr("Action");
    case Object: return tr("Object");
    }
    return {};
}
