#pragma once

#include "store/storepolicies.h"

#include <QAbstractTableModel>

#include <vector>

// The store's published policy versions, newest first: number, when (UTC), who, the required note, and
// which version a rollback brought back.
class PolicyVersionsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Version, Published, By, Note, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, VersionRole };

    explicit PolicyVersionsModel(QObject *parent = nullptr);

    void setVersions(std::vector<rl::PolicyVersionRecord> versions); // any order
    const std::vector<rl::PolicyVersionRecord> &versions() const { return m_versions; }
    const rl::PolicyVersionRecord *find(qint64 version) const;
    const rl::PolicyVersionRecord *latest() const { return m_versions.empty() ? nullptr : &m_versions.front(); }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<rl::PolicyVersionRecord> m_versions; // newest first
};
