#pragma once

#include "store/reconciliation.h"
#include "widgets/theme.h"

#include <QAbstractTableModel>

// One row per provider: gateway-reported, catalog and billed cost and their gaps. Display text in
// DisplayRole, raw micro-USD in SortRole, a tint on figures that differ, the explanations in ToolTipRole.
class ReconciliationModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        ProviderColumn,
        RequestsColumn,
        ReportedColumn,
        CatalogColumn,
        BilledColumn,
        GapColumn,
        NotesColumn,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int FlaggedRole = Qt::UserRole + 2; // true where the figure differs from its pair

    explicit ReconciliationModel(const Theme &theme, QObject *parent = nullptr);
    void setReport(const rl::ReconciliationReport &report);
    const rl::ReconciliationRow *rowAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    bool flagged(const rl::ReconciliationRow &row, int column) const;
    Theme m_theme;
    std::vector<rl::ReconciliationRow> m_rows;
};
