#include "rulelistmodel.h"

#include "policydraft.h"
#include "routing/policywording.h"

#include <QMimeData>

namespace {

constexpr const char *kRowsMime = "application/x-routeledger-rule-rows";

int tierIndexOf(const PolicyDraft::Json &document, const PolicyDraft::Json &then)
{
    if (!then.is_object())
        return -1;
    if (then.contains("block"))
        return -2;
    auto tiers = document.find("tiers");
    if (tiers == document.end() || !tiers->is_array())
        return -1;
    for (std::size_t t = 0; t < tiers->size(); ++t) {
        const PolicyDraft::Json &tier = (*tiers)[t];
        if (then.contains("tier") && tier.is_object() && tier.contains("name") && tier["name"] == then["tier"])
            return int(t);
        if (then.contains("model") && tier.contains("models") && tier["models"].is_array())
            for (const auto &model : tier["models"])
                if (model == then["model"])
                    return int(t);
    }
    return -1;
}

// "/rules/3/when/…" → 3, else -1.
int ruleOfPath(const std::string &path)
{
    static const std::string prefix = "/rules/";
    if (path.rfind(prefix, 0) != 0)
        return -1;
    std::size_t end = path.find('/', prefix.size());
    try {
        return std::stoi(
            path.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size()));
    } catch (...) {
        return -1;
    }
}

} // namespace

RuleListModel::RuleListModel(PolicyDraft &draft, QObject *parent) : QAbstractListModel(parent), m_draft(draft)
{
    connect(&m_draft, &PolicyDraft::changed, this, &RuleListModel::reload);
    reload();
}

void RuleListModel::reload()
{
    beginResetModel();
    m_rows.clear();
    const PolicyDraft::Json &document = m_draft.document();
    for (int i = 0; i < m_draft.ruleCount(); ++i) {
        const PolicyDraft::Json &rule = m_draft.rule(i);
        Row row;
        row.id = m_draft.ruleId(i);
        row.condition = QString::fromStdString(
            rl::PolicyWording::condition(rule.contains("when") ? rule["when"] : PolicyDraft::Json()));
        row.action = QString::fromStdString(
            rl::PolicyWording::action(rule.contains("then") ? rule["then"] : PolicyDraft::Json()));
        row.enabled = !(rule.contains("enabled") && rule["enabled"] == false);
        row.tier = tierIndexOf(document, rule.contains("then") ? rule["then"] : PolicyDraft::Json());
        m_rows.push_back(row);
    }
    auto note = [&](const std::vector<rl::PolicyIssue> &issues, bool isError) {
        for (const rl::PolicyIssue &issue : issues) {
            const int r = ruleOfPath(issue.path);
            if (r >= 0 && r < m_rows.size()
                && (m_rows[r].problem.isEmpty() || (isError && !m_rows[r].problemIsError))) {
                m_rows[r].problem = QString::fromStdString(issue.message);
                m_rows[r].problemIsError = isError;
            }
        }
    };
    note(m_draft.validation().errors, true);
    note(m_draft.validation().warnings, false);
    if (m_highlighted >= m_rows.size())
        m_highlighted = -1;
    endResetModel();
}

int RuleListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant RuleListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
    case IdRole: return row.id;
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole:
        return tr("Rule %1 (%2): when %3 %4%5")
            .arg(index.row() + 1)
            .arg(row.id, row.condition, row.action, row.enabled ? QString() : tr(" — disabled"));
    case ConditionTextRole: return row.condition;
    case ActionTextRole: return row.action;
    case EnabledRole: return row.enabled;
    case TierRole: return row.tier;
    case HighlightRole: return index.row() == m_highlighted;
    case ProblemRole: return row.problem;
    case ProblemIsErrorRole: return row.problemIsError;
    case SortRole: return index.row();
    default: return {};
    }
}

Qt::ItemFlags RuleListModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::ItemIsDropEnabled;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled;
}

QStringList RuleListModel::mimeTypes() const
{
    return {QString::fromLatin1(kRowsMime)};
}

QMimeData *RuleListModel::mimeData(const QModelIndexList &indexes) const
{
    if (indexes.isEmpty())
        return nullptr;
    auto *data = new QMimeData;
    data->setData(QString::fromLatin1(kRowsMime), QByteArray::number(indexes.first().row()));
    return data;
}

bool RuleListModel::canDropMimeData(const QMimeData *data, Qt::DropAction action, int, int, const QModelIndex &) const
{
    return data != nullptr && action == Qt::MoveAction && data->hasFormat(QString::fromLatin1(kRowsMime));
}

bool RuleListModel::dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int, const QModelIndex &parent)
{
    if (!canDropMimeData(data, action, row, 0, parent))
        return false;
    bool ok = false;
    const int from = data->data(QString::fromLatin1(kRowsMime)).toInt(&ok);
    if (!ok)
        return false;
    // Dropped on a card: before it; below the last card: at the end.
    int destination = row >= 0 ? row : (parent.isValid() ? parent.row() : rowCount());
    return moveRows(QModelIndex(), from, 1, QModelIndex(), destination);
}

bool RuleListModel::moveRows(const QModelIndex &sourceParent, int sourceRow, int count,
                             const QModelIndex &destinationParent, int destinationChild)
{
    if (sourceParent.isValid() || destinationParent.isValid() || count != 1 || sourceRow < 0 || sourceRow >= rowCount()
        || destinationChild < 0 || destinationChild > rowCount())
        return false;
    // destinationChild is the row the moved one goes before, counted before the move.
    const int to = destinationChild > sourceRow ? destinationChild - 1 : destinationChild;
    if (to == sourceRow)
        return false;
    m_draft.moveRule(sourceRow, to); // the draft's change resets this model
    return true;
}

void RuleListModel::setHighlightedRule(int row)
{
    if (row == m_highlighted)
        return;
    const int previous = m_highlighted;
    m_highlighted = row;
    for (int r : {previous, row})
        if (r >= 0 && r < rowCount())
            emit dataChanged(index(r), index(r), {HighlightRole});
}
