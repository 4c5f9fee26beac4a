#include "modelcatalogmodel.h"

#include "widgets/money.h"

ModelCatalogModel::ModelCatalogModel(QObject *parent) : QAbstractTableModel(parent) {}

void ModelCatalogModel::setPricing(const rl::Pricing &pricing, qint64 atMs)
{
    beginResetModel();
    m_rows.clear();
    if (pricing.catalog()) {
        for (const std::string &id : pricing.catalog()->modelIds()) {
            const auto prices = pricing.pricesAt(id, atMs);
            if (!prices)
                continue;
            Row row;
            row.id = QString::fromStdString(id);
            row.provider = row.id.section(QLatin1Char('/'), 0, 0);
            row.input = prices->input; // pico-USD per token = micro-USD per million tokens
            row.output = prices->output;
            m_rows.push_back(row);
        }
    }
    endResetModel();
}

QStringList ModelCatalogModel::modelIds() const
{
    QStringList ids;
    for (const Row &row : m_rows)
        ids << row.id;
    return ids;
}

int ModelCatalogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ModelCatalogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ModelCatalogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Model: return row.id;
        case Provider: return row.provider;
        case InputPrice: return money::full(row.input);
        case OutputPrice: return money::full(row.output);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case Model: return row.id;
        case Provider: return row.provider;
        case InputPrice: return row.input;
        case OutputPrice: return row.output;
        }
        break;
    case ModelIdRole: return row.id;
    case Qt::TextAlignmentRole:
        if (index.column() >= InputPrice)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    default: break;
    }
    return {};
}

QVariant ModelCatalogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Model: return tr("Model");
    case Provider: return tr("Provider");
    case InputPrice: return tr("Input, $ per 1M tokens");
    case OutputPrice: return tr("Output, $ per 1M tokens");
    }
    return {};
}

ModelCatalogFilter::ModelCatalogFilter(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(ModelCatalogModel::SortRole);
}

void ModelCatalogFilter::setSearch(const QString &text)
{
    m_words = text.toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    invalidateFilter();
}

void ModelCatalogFilter::setMaxInputMicro(std::optional<qint64> micro)
{
    m_maxInput = micro;
    invalidateFilter();
}

bool ModelCatalogFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *model = sourceModel();
    const QString id = model->index(sourceRow, ModelCatalogModel::Model, sourceParent).data().toString().toLower();
    for (const QString &word : m_words)
        if (!id.contains(word))
            return false;
    if (m_maxInput) {
        const qint64 input = model->index(sourceRow, ModelCatalogModel::InputPrice, sourceParent)
                                 .data(ModelCatalogModel::SortRole)
                                 .toLongLong();
        if (input > *m_maxInput)
            return false;
    }
    return true;
}
