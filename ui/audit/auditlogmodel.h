#pragma once

#include "store/auditentry.h"
#include "widgets/theme.h"

#include <QAbstractTableModel>

#include <optional>
#include <vector>

// The audit log's entries, newest first: when (UTC), who, what, on which object; the before/after JSON in
// BeforeRole/AfterRole. The first entry the chain check could not trust is marked (and every later one
// greyed, since the chain cannot vouch for them).
class AuditLogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Seq, Time, Actor, Action, Object, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, SeqRole, BeforeRole, AfterRole, BrokenRole };

    explicit AuditLogModel(const Theme &theme, QObject *parent = nullptr);

    void setEntries(std::vector<rl::AuditEntry> entries);
    void setFirstBroken(std::optional<qint64> seq);
    const std::vector<rl::AuditEntry> &entries() const { return m_entries; }
    int rowOf(qint64 seq) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    Theme m_theme;
    std::vector<rl::AuditEntry> m_entries; // newest first
    std::optional<qint64> m_firstBroken;
};
