#include "policyversionsmodel.h"

#include <QDateTime>

#include <algorithm>

PolicyVersionsModel::PolicyVersionsModel(QObject *parent) : QAbstractTableModel(parent) {}

void PolicyVersionsModel::setVersions(std::vector<rl::PolicyVersionRecord> versions)
{
    beginResetModel();
    m_versions = std::move(versions);
    std::sort(m_versions.begin(), m_versions.end(),
              [](const rl::PolicyVersionRecord &a, const rl::PolicyVersionRecord &b) { return a.version > b.version; });
    endResetModel();
}

const rl::PolicyVersionRecord *PolicyVersionsModel::find(qint64 version) const
{
    for (const rl::PolicyVersionRecord &record : m_versions)
        if (record.version == version)
            return &record;
    return nullptr;
}

int PolicyVersionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_versions.size());
}

int PolicyVersionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PolicyVersionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const rl::PolicyVersionRecord &record = m_versions[std::size_t(index.row())];
    if (role == VersionRole)
        return qint64(record.version);
    if (role == SortRole) {
        switch (index.column()) {
        case Version: return qint64(record.version);
        case Published: return qint64(record.publishedMs);
        case By: return QString::fromStdString(record.publishedBy);
        case Note: return QString::fromStdString(record.note);
        }
    }
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Version: return tr("v%1").arg(record.version);
        case Published:
            return QDateTime::fromMSecsSinceEpoch(record.publishedMs, Qt::UTC)
                .toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
        case By: return QString::fromStdString(record.publishedBy);
        case Note:
            return record.rollbackOf
                       ? tr("%1 (rollback to v%2)").arg(QString::fromStdString(record.note)).arg(*record.rollbackOf)
                       : QString::fromStdString(record.note);
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() == Version)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant PolicyVersionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Version: return tr("Version");
    case Published: return tr("Published");
    case By: return tr("By");
    case Note: return tr("Note");
    }
    return {};
}
