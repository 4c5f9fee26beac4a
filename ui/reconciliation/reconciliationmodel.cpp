#include "reconciliation/reconciliationmodel.h"

#include "widgets/money.h"
#include "widgets/theme.h"

#include <QBrush>
#include <QLocale>

#include <cstdlib>

ReconciliationModel::ReconciliationModel(const Theme &theme, QObject *parent)
    : QAbstractTableModel(parent), m_theme(theme)
{}

void ReconciliationModel::setReport(const rl::ReconciliationReport &report)
{
    beginResetModel();
    m_rows = report.rows;
    endResetModel();
}

const rl::ReconciliationRow *ReconciliationModel::rowAt(int row) const
{
    return row >= 0 && row < static_cast<int>(m_rows.size()) ? &m_rows[static_cast<std::size_t>(row)] : nullptr;
}

int ReconciliationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ReconciliationModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool ReconciliationModel::flagged(const rl::ReconciliationRow &row, int column) const
{
    switch (column) {
    case ReportedColumn:
        return row.gatewayReports && rl::Reconciliation::differs(row.gatewayReportedMicro, row.gatewayCatalogMicro);
    case BilledColumn:
    case GapColumn: return row.billed && rl::Reconciliation::differs(row.billedMicro, row.catalogMicro());
    default: return false;
    }
}

QVariant ReconciliationModel::data(const QModelIndex &index, int role) const
{
    const rl::ReconciliationRow *row = rowAt(index.row());
    if (!row)
        return {};
    const int column = index.column();
    const std::int64_t gap = row->billedMicro - row->catalogMicro();
    QStringList notes;
    for (const rl::ReconciliationNote &note : row->notes)
        notes << QString::fromStdString(note.text);
    if (role == SortRole) {
        switch (column) {
        case ProviderColumn: return QString::fromStdString(row->provider);
        case RequestsColumn: return QVariant::fromValue<qint64>(row->gatewayRequests);
        case ReportedColumn: return QVariant::fromValue<qint64>(row->gatewayReportedMicro);
        case CatalogColumn: return QVariant::fromValue<qint64>(row->catalogMicro());
        case BilledColumn: return QVariant::fromValue<qint64>(row->billedMicro);
        case GapColumn: return QVariant::fromValue<qint64>(row->billed ? gap : 0);
        case NotesColumn: return static_cast<int>(notes.size());
        default: return {};
        }
    }
    if (role == FlaggedRole)
        return flagged(*row, column);
    if (role == Qt::BackgroundRole && flagged(*row, column)) {
        QColor tint = m_theme.warning();
        tint.setAlpha(48);
        return QBrush(tint);
    }
    if (role == Qt::ToolTipRole)
        return notes.isEmpty() ? QVariant() : QVariant(notes.join(QStringLiteral("\n\n")));
    if (role == Qt::TextAlignmentRole && column != ProviderColumn && column != NotesColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case ProviderColumn: return QString::fromStdString(row->provider);
    case RequestsColumn:
        return row->gatewayRequests > 0 ? QLocale(QLocale::English).toString(row->gatewayRequests)
                                        : QStringLiteral("—");
    case ReportedColumn: return row->gatewayReports ? money::full(row->gatewayReportedMicro) : QStringLiteral("—");
    case CatalogColumn: return money::full(row->catalogMicro());
    case BilledColumn: return row->billed ? money::full(row->billedMicro) : tr("no report");
    case GapColumn:
        if (!row->billed)
            return QStringLiteral("—");
        return (gap > 0   ? QStringLiteral("+")
                : gap < 0 ? QStringLiteral("−")
                          : QString())
               + money::full(std::llabs(gap));
    case NotesColumn: return notes.isEmpty() ? QString() : notes.first();
    default: return {};
    }
}

QVariant ReconciliationModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) { // the short headers in full
        switch (section) {
        case RequestsColumn: return tr("Requests seen via gateways");
        case ReportedColumn: return tr("Spend the gateways reported");
        case CatalogColumn: return tr("The same traffic at the price catalog's rates");
        case BilledColumn: return tr("What the provider billed");
        case GapColumn: return tr("The bill minus the catalog cost");
        default: return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ProviderColumn: return tr("Provider");
    case RequestsColumn: return tr("Requests");
    case ReportedColumn: return tr("Reported");
    case CatalogColumn: return tr("Catalog");
    case BilledColumn: return tr("Billed");
    case GapColumn: return tr("Bill − catalog");
    case NotesColumn: return tr("Why");
    default: return {};
    }
}
