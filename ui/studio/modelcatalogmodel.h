#pragma once

#include "pricing/pricing.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <optional>

// The models the store's prices know, with their price per million input and output tokens, for picking a
// tier's models. Raw micro-USD in SortRole.
class ModelCatalogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Model, Provider, InputPrice, OutputPrice, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, ModelIdRole };

    explicit ModelCatalogModel(QObject *parent = nullptr);
    void setPricing(const rl::Pricing &pricing, qint64 atMs);
    QStringList modelIds() const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        QString id, provider;
        qint64 input = 0, output = 0; // micro-USD per million tokens
    };
    QVector<Row> m_rows;
};

// Filters the catalog by words in the model id or provider and by a highest input price.
class ModelCatalogFilter : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit ModelCatalogFilter(QObject *parent = nullptr);
    void setSearch(const QString &text);
    void setMaxInputMicro(std::optional<qint64> micro);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QStringList m_words;
    std::optional<qint64> m_maxInput;
};
