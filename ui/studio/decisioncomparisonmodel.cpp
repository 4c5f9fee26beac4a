#include "decisioncomparisonmodel.h"

#include <QBrush>

namespace {

struct Part {
    const char *key;
    const char *label;
};
constexpr Part kParts[] = {{"tier", "Tier"},          {"model", "Model"},
                           {"rule", "Deciding rule"}, {"budget_action", "Budget action"},
                           {"blocked", "Blocked"},    {"complexity", "Complexity"},
                           {"task", "Task"},          {"policy_version", "Policy version"}};
constexpr int kPartCount = int(sizeof(kParts) / sizeof(kParts[0]));

} // namespace

DecisionComparisonModel::DecisionComparisonModel(const Theme &theme, QObject *parent)
    : QAbstractTableModel(parent), m_theme(theme)
{}

void DecisionComparisonModel::setDraft(const nlohmann::json &decision)
{
    m_draft = decision;
    emit dataChanged(index(0, 0), index(kPartCount - 1, ColumnCount - 1));
}

void DecisionComparisonModel::setRouter(const QString &routerName, const nlohmann::json &decision)
{
    m_routerName = routerName;
    m_router = decision;
    m_routerError.clear();
    emit headerDataChanged(Qt::Horizontal, Router, Router);
    emit dataChanged(index(0, 0), index(kPartCount - 1, ColumnCount - 1));
}

void DecisionComparisonModel::setRouterError(const QString &routerName, const QString &error)
{
    m_routerName = routerName;
    m_router = nullptr;
    m_routerError = error;
    emit headerDataChanged(Qt::Horizontal, Router, Router);
    emit dataChanged(index(0, 0), index(kPartCount - 1, ColumnCount - 1));
}

QString DecisionComparisonModel::cell(const nlohmann::json &decision, int row) const
{
    if (!decision.is_object() || !decision.contains(kParts[row].key))
        return QString();
    const nlohmann::json &value = decision[kParts[row].key];
    if (value.is_null())
        return tr("—");
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    if (value.is_boolean())
        return value.get<bool>() ? tr("yes") : tr("no");
    return QString::fromStdString(value.dump());
}

bool DecisionComparisonModel::different(int row) const
{
    if (!m_router.is_object() || !m_draft.is_object())
        return false;
    // The draft is not published yet, so its version says nothing about the decision.
    if (QLatin1String(kParts[row].key) == QLatin1String("policy_version"))
        return false;
    return cell(m_draft, row) != cell(m_router, row);
}

int DecisionComparisonModel::differenceCount() const
{
    int count = 0;
    for (int row = 0; row < kPartCount; ++row)
        count += different(row) ? 1 : 0;
    return count;
}

int DecisionComparisonModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : kPartCount;
}

int DecisionComparisonModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DecisionComparisonModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    switch (role) {
    case Qt::DisplayRole:
    case SortRole:
        switch (index.column()) {
        case What: return tr(kParts[row].label);
        case Draft: return cell(m_draft, row);
        case Router: return m_router.is_object() ? cell(m_router, row) : QString();
        }
        break;
    case DifferentRole: return different(row);
    case Qt::BackgroundRole:
        if (different(row) && index.column() != What) {
            QColor tint = m_theme.warning();
            tint.setAlpha(60);
            return QBrush(tint);
        }
        break;
    case Qt::FontRole:
        if (different(row)) {
            QFont font = m_theme.bodyFont();
            font.setBold(true);
            return font;
        }
        break;
    default: break;
    }
    return {};
}

QVariant DecisionComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case What: return QString();
    case Draft: return tr("Draft");
    case Router: return m_routerName.isEmpty() ? tr("Router") : m_routerName;
    }
    return {};
}
