#pragma once

#include "widgets/theme.h"
#include <QAbstractTableModel>
#include <QVector>

namespace rl {
struct Decision;
struct RouteRequest;
} // namespace rl

// The rules a decision tried, one row each: rule, outcome, first failing condition, and why it failed.
// Display text in Qt::DisplayRole; raw values (rule position, outcome code) in SortRole.
class DecisionTrailModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { RuleColumn, OutcomeColumn, WhyColumn, ConditionColumn, ColumnCount };
    enum Outcome { Matched, Failed, Disabled };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit DecisionTrailModel(const Theme &theme, QObject *parent = nullptr);

    void setDecision(const rl::Decision &decision, const rl::RouteRequest &request);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    Theme m_theme;
    struct Row {
        int position = 0;
        QString rule;
        Outcome outcome = Failed;
        QString condition;
        QString why;
    };
    QVector<Row> m_rows;
};
