#pragma once

#include "widgets/theme.h"

#include <QAbstractTableModel>

#include <nlohmann/json.hpp>

// The draft's decision for the request being tried beside a router's (its POST /admin/route), one row per
// part of the decision (tier, model, rule, budget action, blocked, complexity, task, policy version); rows
// that differ are marked (DifferentRole) and tinted.
class DecisionComparisonModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { What, Draft, Router, ColumnCount };
    enum Role { DifferentRole = Qt::UserRole + 1, SortRole };

    explicit DecisionComparisonModel(const Theme &theme, QObject *parent = nullptr);

    // Both in DecisionWriter's JSON form.
    void setDraft(const nlohmann::json &decision);
    void setRouter(const QString &routerName, const nlohmann::json &decision);
    void setRouterError(const QString &routerName, const QString &error);
    int differenceCount() const;
    QString routerError() const { return m_routerError; }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString cell(const nlohmann::json &decision, int row) const;
    bool different(int row) const;

    Theme m_theme;
    nlohmann::json m_draft, m_router;
    QString m_routerName, m_routerError;
};
