#include "studio/decisiontrailmodel.h"

#include "widgets/theme.h"

#include "routing/decision.h"
#include "routing/routerequest.h"

#include <QBrush>

DecisionTrailModel::DecisionTrailModel(const Theme &theme, QObject *parent)
    : QAbstractTableModel(parent), m_theme(theme)
{}

void DecisionTrailModel::setDecision(const rl::Decision &decision, const rl::RouteRequest &request)
{
    beginResetModel();
    m_rows.clear();
    const rl::EvalContext context{request,          decision.complexity, decision.task, decision.inputTokens,
                                  decision.hourUtc, decision.weekday};
    for (const rl::TrailStep &step : decision.trail) {
        Row row;
        row.position = static_cast<int>(step.rule);
        row.rule = QString::fromStdString(decision.policy->rules[step.rule].id);
        switch (step.outcome) {
        case rl::TrailStep::Outcome::Matched: row.outcome = Matched; break;
        case rl::TrailStep::Outcome::Disabled: row.outcome = Disabled; break;
        case rl::TrailStep::Outcome::Failed:
            row.outcome = Failed;
            row.condition = QString::fromStdString(step.failed->path);
            row.why = QString::fromStdString(step.failed->describeFailure(context));
            break;
        }
        if (row.outcome == Disabled)
            row.why = tr("rule is disabled");
        else if (row.outcome == Matched)
            row.why = tr("every condition held");
        m_rows.push_back(row);
    }
    endResetModel();
}

void DecisionTrailModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int DecisionTrailModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}
int DecisionTrailModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DecisionTrailModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const Theme &theme = m_theme;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case RuleColumn: return row.rule;
        case OutcomeColumn:
            return row.outcome == Matched ? tr("matched") : row.outcome == Failed ? tr("no match") : tr("skipped");
        case ConditionColumn: return row.condition;
        case WhyColumn: return row.why;
        default: return {};
        }
    case SortRole:
        switch (index.column()) {
        case RuleColumn: return row.position;
        case OutcomeColumn: return int(row.outcome);
        case ConditionColumn: return row.condition;
        case WhyColumn: return row.why;
        default: return {};
        }
    case Qt::ForegroundRole:
        if (index.column() == OutcomeColumn)
            return QBrush(row.outcome == Matched ? theme.good() : theme.mutedText());
        return {};
    case Qt::ToolTipRole:
        if (index.column() == ConditionColumn)
            return row.condition;
        return index.column() == WhyColumn ? QVariant(row.why) : QVariant();
    default: return {};
    }
}

QVariant DecisionTrailModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case RuleColumn: return tr("Rule");
    case OutcomeColumn: return tr("Outcome");
    case ConditionColumn: return tr("First failing condition");
    case WhyColumn: return tr("Why");
    default: return {};
    }
}
