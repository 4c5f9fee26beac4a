#pragma once

#include "sources/sourceview.h"
#include "widgets/theme.h"

#include <QAbstractTableModel>
#include <QHash>

// The configured sources with their status. Display text in DisplayRole; raw values (ms, counts) in
// SortRole; the full error text in ToolTipRole.
class SourcesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        TypeColumn,
        StateColumn,
        LastSuccessColumn,
        RecordsColumn,
        LagColumn,
        IntervalColumn,
        PolicyColumn, // routers: the policy version they run, and whether it is the published one
        ErrorColumn,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit SourcesModel(const Theme &theme, QObject *parent = nullptr);
    void setSources(const QVector<SourceView> &sources, qint64 nowMs);
    const SourceView *sourceAt(int row) const;
    // Router name → "runs v3, the published version" / "runs v4, not the published v3 (drift)" (the studio
    // reads them from each router's GET /admin/policy).
    void setRouterPolicies(const QHash<QString, QString> &policies);
    int rowOf(const QString &name) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // "just now", "4 min ago", "3 h ago", "2 d ago"
    static QString ago(qint64 ms);
    static QString stateText(const SourceView &source);

private:
    Theme m_theme;
    QVector<SourceView> m_sources;
    qint64 m_now = 0;
    QHash<QString, QString> m_routerPolicies;
};
