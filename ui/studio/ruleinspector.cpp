#include "ruleinspector.h"

#include "policydraft.h"
#include "routing/condition.h"
#include "routing/policywording.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <re2/re2.h>

#include <cmath>

namespace {

using Json = nlohmann::ordered_json;

struct FieldChoice {
    const char *name;
    const char *label;
};
constexpr FieldChoice kFieldChoices[] = {
    {"team", "Team"},
    {"app", "App"},
    {"user", "User"},
    {"tag", "Tag"},
    {"task", "Task"},
    {"requested_model", "Requested model"},
    {"input_tokens", "Input tokens"},
    {"complexity", "Complexity (0–1)"},
    {"prompt", "Prompt text"},
    {"has_tools", "Has tools"},
    {"has_images", "Has images"},
    {"stream", "Streaming"},
    {"hour_utc", "Hour (UTC)"},
    {"weekday", "Weekday (1 = Monday)"},
};

enum ValuePage { TextPage, ListPage, PatternPage, NumberPage, BoolPage };

// The one key of a condition object, or "" when it has none or several.
std::string onlyKey(const Json &node)
{
    return node.is_object() && node.size() == 1 ? node.begin().key() : std::string();
}

Json::json_pointer pointerOf(const QString &pointer)
{
    return Json::json_pointer(pointer.toStdString());
}

QString parentPointer(const QString &pointer)
{
    // "/all/2" → "" ; "/all/2/any/0" → "/all/2"
    const int last = int(pointer.lastIndexOf(QLatin1Char('/')));
    if (last <= 0)
        return QString();
    const int groupKey = int(pointer.lastIndexOf(QLatin1Char('/'), last - 1));
    return groupKey <= 0 ? QString() : pointer.left(groupKey);
}

Json defaultLeaf()
{
    return Json{{"complexity", Json{{"lt", 0.5}}}};
}

std::string fieldKindOf(const std::string &field)
{
    rl::Field f;
    if (!rl::fieldFromName(field, f))
        return "text";
    switch (rl::fieldKind(f)) {
    case rl::FieldKind::Text: return "text";
    case rl::FieldKind::TextSet: return "set";
    case rl::FieldKind::Number: return "number";
    case rl::FieldKind::Boolean: return "bool";
    case rl::FieldKind::Prompt: return "prompt";
    }
    return "text";
}

Json defaultValueFor(const std::string &field, const std::string &op)
{
    const std::string kind = fieldKindOf(field);
    if (op == "in" || op == "not_in")
        return Json::array();
    if (op == "between")
        return field == "hour_utc" ? Json::array({9, 17}) : Json::array({0, 1});
    if (op == "matches" || op == "contains")
        return "";
    if (kind == "number")
        return field == "complexity" ? Json(0.5) : Json(0);
    if (kind == "bool")
        return true;
    return "";
}

} // namespace

RuleInspector::RuleInspector(const Theme &theme, PolicyDraft &draft, QWidget *parent)
    : QWidget(parent), m_theme(theme), m_draft(draft)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    m_title = new QLabel(this);
    QFont titleFont = m_theme.bodyFont();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    layout->addWidget(m_title);
    m_empty = new QLabel(tr("Select a rule card to edit it, or add a rule."), this);
    m_empty->setWordWrap(true);
    m_empty->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.mutedText().name()));
    layout->addWidget(m_empty);

    m_body = new QWidget(this);
    auto *body = new QVBoxLayout(m_body);
    body->setContentsMargins(0, 0, 0, 0);
    body->setSpacing(8);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_id = new QLineEdit(m_body);
    m_id->setObjectName(QStringLiteral("ruleId"));
    m_description = new QLineEdit(m_body);
    m_description->setObjectName(QStringLiteral("ruleDescription"));
    m_description->setPlaceholderText(tr("Why this rule exists (optional)"));
    m_enabled = new QCheckBox(tr("Enabled"), m_body);
    m_enabled->setObjectName(QStringLiteral("ruleEnabled"));
    form->addRow(tr("&Id"), m_id);
    form->addRow(tr("&Description"), m_description);
    form->addRow(QString(), m_enabled);
    body->addLayout(form);

    auto *conditionTitle = new QLabel(tr("Conditions"), m_body);
    conditionTitle->setFont(titleFont);
    body->addWidget(conditionTitle);
    m_tree = new QTreeWidget(m_body);
    m_tree->setObjectName(QStringLiteral("conditionTree"));
    m_tree->setHeaderHidden(true);
    m_tree->setAccessibleName(tr("Condition tree"));
    m_tree->setMinimumHeight(110);
    body->addWidget(m_tree, 1);
    auto *buttons = new QHBoxLayout;
    m_addCondition = new QPushButton(tr("+ &Condition"), m_body);
    m_addCondition->setObjectName(QStringLiteral("addCondition"));
    m_addGroup = new QPushButton(tr("+ &Group"), m_body);
    m_addGroup->setObjectName(QStringLiteral("addGroup"));
    m_negate = new QPushButton(tr("&Not"), m_body);
    m_negate->setObjectName(QStringLiteral("negateCondition"));
    m_negate->setToolTip(tr("Wrap the selected condition in not (…)"));
    m_delete = new QPushButton(tr("Remo&ve"), m_body);
    m_delete->setObjectName(QStringLiteral("deleteCondition"));
    for (QPushButton *button : {m_addCondition, m_addGroup, m_negate, m_delete})
        buttons->addWidget(button);
    buttons->addStretch(1);
    body->addLayout(buttons);

    m_nodeEditor = new QStackedWidget(m_body);
    auto *groupPage = new QWidget(m_nodeEditor);
    auto *groupForm = new QFormLayout(groupPage);
    groupForm->setContentsMargins(0, 0, 0, 0);
    m_groupKind = new QComboBox(groupPage);
    m_groupKind->setObjectName(QStringLiteral("groupKind"));
    m_groupKind->addItem(tr("All of these hold (and)"), QStringLiteral("all"));
    m_groupKind->addItem(tr("Any of these holds (or)"), QStringLiteral("any"));
    groupForm->addRow(tr("G&roup"), m_groupKind);
    m_nodeEditor->addWidget(groupPage);

    auto *leafPage = new QWidget(m_nodeEditor);
    auto *leafForm = new QFormLayout(leafPage);
    leafForm->setContentsMargins(0, 0, 0, 0);
    leafForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_field = new QComboBox(leafPage);
    m_field->setObjectName(QStringLiteral("conditionField"));
    for (const FieldChoice &choice : kFieldChoices)
        m_field->addItem(tr(choice.label), QString::fromLatin1(choice.name));
    m_op = new QComboBox(leafPage);
    m_op->setObjectName(QStringLiteral("conditionOp"));
    m_valueStack = new QStackedWidget(leafPage);
    m_textValue = new QComboBox(m_valueStack);
    m_textValue->setObjectName(QStringLiteral("conditionText"));
    m_textValue->setEditable(true);
    m_textValue->setInsertPolicy(QComboBox::NoInsert);
    m_listValue = new QLineEdit(m_valueStack);
    m_listValue->setObjectName(QStringLiteral("conditionList"));
    m_listValue->setPlaceholderText(tr("values, separated by commas"));
    auto *patternPage = new QWidget(m_valueStack);
    auto *patternLayout = new QVBoxLayout(patternPage);
    patternLayout->setContentsMargins(0, 0, 0, 0);
    m_patternValue = new QLineEdit(patternPage);
    m_patternValue->setObjectName(QStringLiteral("conditionPattern"));
    m_regexStatus = new QLabel(patternPage);
    m_regexStatus->setObjectName(QStringLiteral("regexStatus"));
    m_regexStatus->setWordWrap(true);
    patternLayout->addWidget(m_patternValue);
    patternLayout->addWidget(m_regexStatus);
    auto *numberPage = new QWidget(m_valueStack);
    auto *numberLayout = new QHBoxLayout(numberPage);
    numberLayout->setContentsMargins(0, 0, 0, 0);
    m_number = new QDoubleSpinBox(numberPage);
    m_number->setObjectName(QStringLiteral("conditionNumber"));
    m_numberAnd = new QLabel(tr("and"), numberPage);
    m_number2 = new QDoubleSpinBox(numberPage);
    m_number2->setObjectName(QStringLiteral("conditionNumber2"));
    numberLayout->addWidget(m_number, 1);
    numberLayout->addWidget(m_numberAnd);
    numberLayout->addWidget(m_number2, 1);
    m_boolValue = new QCheckBox(tr("yes"), m_valueStack);
    m_boolValue->setObjectName(QStringLiteral("conditionBool"));
    m_valueStack->insertWidget(TextPage, m_textValue);
    m_valueStack->insertWidget(ListPage, m_listValue);
    m_valueStack->insertWidget(PatternPage, patternPage);
    m_valueStack->insertWidget(NumberPage, numberPage);
    m_valueStack->insertWidget(BoolPage, m_boolValue);
    leafForm->addRow(tr("&Field"), m_field);
    leafForm->addRow(tr("&Operator"), m_op);
    leafForm->addRow(tr("V&alue"), m_valueStack);
    m_nodeEditor->addWidget(leafPage);
    m_nodeEditor->addWidget(new QWidget(m_nodeEditor)); // `not` and "always": nothing to edit
    body->addWidget(m_nodeEditor);

    auto *thenTitle = new QLabel(tr("Then"), m_body);
    thenTitle->setFont(titleFont);
    body->addWidget(thenTitle);
    auto *thenRow = new QHBoxLayout;
    m_thenKind = new QComboBox(m_body);
    m_thenKind->setObjectName(QStringLiteral("thenKind"));
    m_thenKind->addItem(tr("Send to tier"), QStringLiteral("tier"));
    m_thenKind->addItem(tr("Pin the model"), QStringLiteral("model"));
    m_thenKind->addItem(tr("Block, saying"), QStringLiteral("block"));
    m_thenValue = new QComboBox(m_body);
    m_thenValue->setObjectName(QStringLiteral("thenValue"));
    m_thenValue->setEditable(true);
    m_thenValue->setInsertPolicy(QComboBox::NoInsert);
    thenRow->addWidget(m_thenKind);
    thenRow->addWidget(m_thenValue, 1);
    body->addLayout(thenRow);
    layout->addWidget(m_body, 1);
    layout->addStretch(0); // with no rule selected, the hint stays at the top

    connect(&m_draft, &PolicyDraft::changed, this, [this] {
        if (!m_applying)
            rebuild();
    });
    connect(m_id, &QLineEdit::textEdited, this, [this](const QString &text) {
        m_applying = true;
        m_draft.setRuleField(m_rule, "id", text.toStdString(), tr("Rename rule to %1").arg(text),
                             QStringLiteral("rule/%1/id").arg(m_rule));
        m_applying = false;
    });
    connect(m_description, &QLineEdit::textEdited, this, [this](const QString &text) {
        m_applying = true;
        m_draft.setRuleField(m_rule, "description", text.isEmpty() ? Json() : Json(text.toStdString()),
                             tr("Describe rule %1").arg(m_draft.ruleId(m_rule)),
                             QStringLiteral("rule/%1/description").arg(m_rule));
        m_applying = false;
    });
    connect(m_enabled, &QCheckBox::toggled, this, [this](bool on) {
        m_applying = true;
        m_draft.setRuleEnabled(m_rule, on);
        m_applying = false;
    });
    connect(m_tree, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (item == nullptr)
            return;
        m_selected = item->data(0, Qt::UserRole).toString();
        showNodeEditor();
    });
    connect(m_groupKind, &QComboBox::activated, this, [this] {
        Json node = selectedJson();
        const std::string key = onlyKey(node);
        const std::string kind = m_groupKind->currentData().toString().toStdString();
        if ((key != "all" && key != "any") || key == kind)
            return;
        Json changed = Json{{kind, node[key]}};
        replaceSelected(std::move(changed),
                        tr("Group of rule %1: %2").arg(m_draft.ruleId(m_rule), QString::fromStdString(kind)));
    });
    connect(m_field, &QComboBox::activated, this, [this] {
        const std::string field = m_field->currentData().toString().toStdString();
        fillOps(field, std::string());
        const std::string op = m_op->currentData().toString().toStdString();
        Json leaf = Json{{field, Json{{op, defaultValueFor(field, op)}}}};
        replaceSelected(
            std::move(leaf),
            tr("Condition of rule %1: field %2").arg(m_draft.ruleId(m_rule), QString::fromStdString(field)));
        showNodeEditor();
    });
    connect(m_op, &QComboBox::activated, this, [this] {
        const std::string field = m_field->currentData().toString().toStdString();
        const std::string op = m_op->currentData().toString().toStdString();
        Json previous = selectedJson();
        Json value = defaultValueFor(field, op);
        // Keep what was typed when it still fits (a team list going from in to not_in).
        if (previous.is_object() && previous.contains(field) && previous[field].is_object()
            && !previous[field].empty()) {
            const Json &old = previous[field].begin().value();
            if (old.type() == value.type() && !(old.is_array() && op == "between"))
                value = old;
        }
        replaceSelected(
            Json{{field, Json{{op, value}}}},
            tr("Condition of rule %1: operator %2").arg(m_draft.ruleId(m_rule), QString::fromStdString(op)));
        showNodeEditor();
    });
    connect(m_textValue, &QComboBox::currentTextChanged, this, [this] { leafEdited(QStringLiteral("text")); });
    connect(m_listValue, &QLineEdit::textEdited, this, [this] { leafEdited(QStringLiteral("list")); });
    connect(m_patternValue, &QLineEdit::textEdited, this, [this] {
        checkRegex();
        leafEdited(QStringLiteral("pattern"));
    });
    connect(m_number, &QDoubleSpinBox::valueChanged, this, [this] { leafEdited(QStringLiteral("number")); });
    connect(m_number2, &QDoubleSpinBox::valueChanged, this, [this] { leafEdited(QStringLiteral("number2")); });
    connect(m_boolValue, &QCheckBox::toggled, this, [this] { leafEdited(QStringLiteral("bool")); });
    connect(m_addCondition, &QPushButton::clicked, this, [this] { addNode(defaultLeaf(), tr("Add a condition")); });
    connect(m_addGroup, &QPushButton::clicked, this, [this] {
        addNode(Json{{"any", Json::array({defaultLeaf()})}}, tr("Add an any-of group"));
    });
    connect(m_negate, &QPushButton::clicked, this, &RuleInspector::negateNode);
    connect(m_delete, &QPushButton::clicked, this, &RuleInspector::deleteNode);
    connect(m_thenKind, &QComboBox::activated, this, [this] {
        m_thenValue->setCurrentText(QString());
        showThen();
        thenEdited();
    });
    connect(m_thenValue, &QComboBox::currentTextChanged, this, [this] { thenEdited(); });
    rebuild();
}

void RuleInspector::setNames(const QStringList &teams, const QStringList &apps, const QStringList &users)
{
    m_teams = teams;
    m_apps = apps;
    m_users = users;
    if (!m_applying)
        showNodeEditor();
}

void RuleInspector::setCatalogModels(const QStringList &models)
{
    m_models = models;
}

void RuleInspector::setRule(int index)
{
    if (index == m_rule)
        return;
    m_rule = index;
    m_selected.clear();
    rebuild();
}

QString RuleInspector::selectedNode() const
{
    return m_selected;
}

void RuleInspector::selectNode(const QString &pointer)
{
    QTreeWidgetItemIterator it(m_tree);
    for (; *it != nullptr; ++it) {
        if ((*it)->data(0, Qt::UserRole).toString() == pointer) {
            m_tree->setCurrentItem(*it);
            return;
        }
    }
}

void RuleInspector::rebuild()
{
    const bool has = m_rule >= 0 && m_rule < m_draft.ruleCount();
    m_body->setVisible(has);
    m_empty->setVisible(!has);
    if (!has) {
        m_title->setText(tr("Rule"));
        return;
    }
    const Json &rule = m_draft.rule(m_rule);
    m_title->setText(tr("Rule %1 of %2").arg(m_rule + 1).arg(m_draft.ruleCount()));
    const QSignalBlocker b1(m_id), b2(m_description), b3(m_enabled);
    if (m_id->text() != m_draft.ruleId(m_rule))
        m_id->setText(rule.contains("id") && rule["id"].is_string()
                          ? QString::fromStdString(rule["id"].get<std::string>())
                          : QString());
    const QString description = rule.contains("description") && rule["description"].is_string()
                                    ? QString::fromStdString(rule["description"].get<std::string>())
                                    : QString();
    if (m_description->text() != description)
        m_description->setText(description);
    m_enabled->setChecked(!(rule.contains("enabled") && rule["enabled"] == false));
    rebuildTree();
    showThen();
}

RuleInspector::Json RuleInspector::currentWhen() const
{
    const Json &rule = m_draft.rule(m_rule);
    return rule.contains("when") ? rule["when"] : Json::object();
}

RuleInspector::Json RuleInspector::selectedJson() const
{
    const Json when = currentWhen();
    try {
        return when.at(pointerOf(m_selected));
    } catch (const Json::exception &) {
        return Json();
    }
}

void RuleInspector::rebuildTree()
{
    const QString keep = m_selected;
    const QSignalBlocker blocker(m_tree);
    m_tree->clear();
    const Json when = currentWhen();
    if (when.is_object() && when.empty()) {
        auto *item = new QTreeWidgetItem(m_tree, {tr("Always (no condition)")});
        item->setData(0, Qt::UserRole, QString());
    } else {
        addTreeNode(nullptr, when, QString());
    }
    m_tree->expandAll();
    m_selected = keep;
    QTreeWidgetItem *current = nullptr;
    QTreeWidgetItemIterator it(m_tree);
    for (; *it != nullptr; ++it)
        if ((*it)->data(0, Qt::UserRole).toString() == keep)
            current = *it;
    if (current == nullptr && m_tree->topLevelItemCount() > 0) {
        current = m_tree->topLevelItem(0);
        m_selected = current->data(0, Qt::UserRole).toString();
    }
    m_tree->setCurrentItem(current);
    showNodeEditor();
}

void RuleInspector::addTreeNode(QTreeWidgetItem *parent, const Json &node, const QString &pointer)
{
    const std::string key = onlyKey(node);
    QString text;
    if (key == "all")
        text = tr("All of");
    else if (key == "any")
        text = tr("Any of");
    else if (key == "not")
        text = tr("Not");
    else
        text = QString::fromStdString(rl::PolicyWording::condition(node));
    auto *item = parent ? new QTreeWidgetItem(parent, {text}) : new QTreeWidgetItem(m_tree, {text});
    item->setData(0, Qt::UserRole, pointer);
    if ((key == "all" || key == "any") && node[key].is_array()) {
        for (std::size_t i = 0; i < node[key].size(); ++i)
            addTreeNode(item, node[key][i], pointer + QStringLiteral("/%1/%2").arg(QString::fromStdString(key)).arg(i));
    } else if (key == "not") {
        addTreeNode(item, node[key], pointer + QStringLiteral("/not"));
    }
}

void RuleInspector::fillOps(const std::string &field, const std::string &op)
{
    const QSignalBlocker blocker(m_op);
    m_op->clear();
    rl::Field f;
    if (!rl::fieldFromName(field, f))
        return;
    for (int i = 0; i <= int(rl::Op::Contains); ++i) {
        const auto candidate = static_cast<rl::Op>(i);
        if (!rl::opAllowed(f, candidate))
            continue;
        const QString name = QString::fromUtf8(rl::opName(candidate).data(), int(rl::opName(candidate).size()));
        m_op->addItem(name, name);
    }
    const int found = m_op->findData(QString::fromStdString(op));
    m_op->setCurrentIndex(found >= 0 ? found : 0);
}

void RuleInspector::showNodeEditor()
{
    const Json node = selectedJson();
    const std::string key = onlyKey(node);
    m_negate->setEnabled(!(node.is_object() && node.empty()));
    m_delete->setEnabled(!(node.is_object() && node.empty()));
    if (key == "all" || key == "any") {
        m_nodeEditor->setCurrentIndex(0);
        const QSignalBlocker blocker(m_groupKind);
        m_groupKind->setCurrentIndex(key == "all" ? 0 : 1);
        return;
    }
    if (key.empty() || key == "not" || !node[key].is_object() || node[key].size() != 1) {
        m_nodeEditor->setCurrentIndex(2);
        return;
    }
    m_nodeEditor->setCurrentIndex(1);
    const std::string op = node[key].begin().key();
    {
        const QSignalBlocker blocker(m_field);
        m_field->setCurrentIndex(std::max(0, m_field->findData(QString::fromStdString(key))));
    }
    fillOps(key, op);
    showLeafValue(key, op, node[key].begin().value());
}

void RuleInspector::showLeafValue(const std::string &field, const std::string &op, const Json &value)
{
    const QSignalBlocker b1(m_textValue), b2(m_listValue), b3(m_patternValue), b4(m_number), b5(m_number2),
        b6(m_boolValue);
    const std::string kind = fieldKindOf(field);
    auto text = [](const Json &v) {
        return v.is_string() ? QString::fromStdString(v.get<std::string>()) : QString::fromStdString(v.dump());
    };
    if (op == "matches" || op == "contains") {
        m_valueStack->setCurrentIndex(PatternPage);
        m_patternValue->setText(text(value));
        m_patternValue->setPlaceholderText(op == "matches" ? tr("an RE2 regular expression") : tr("text to look for"));
        checkRegex();
    } else if (op == "in" || op == "not_in") {
        m_valueStack->setCurrentIndex(ListPage);
        QStringList items;
        if (value.is_array())
            for (const auto &v : value)
                items << text(v);
        m_listValue->setText(items.join(QStringLiteral(", ")));
        QStringList names = field == "team"   ? m_teams
                            : field == "app"  ? m_apps
                            : field == "user" ? m_users
                                              : QStringList();
        m_listValue->setCompleter(names.isEmpty() ? nullptr : new QCompleter(names, m_listValue));
    } else if (kind == "number") {
        m_valueStack->setCurrentIndex(NumberPage);
        const bool between = op == "between";
        m_numberAnd->setVisible(between);
        m_number2->setVisible(between);
        for (QDoubleSpinBox *box : {m_number, m_number2}) {
            if (field == "complexity") {
                box->setRange(0, 1);
                box->setDecimals(2);
                box->setSingleStep(0.05);
                box->setSuffix(QString());
            } else if (field == "input_tokens") {
                box->setRange(0, 10'000'000);
                box->setDecimals(0);
                box->setSingleStep(500);
                box->setSuffix(tr(" tokens"));
            } else if (field == "hour_utc") {
                box->setRange(0, 23);
                box->setDecimals(0);
                box->setSingleStep(1);
                box->setSuffix(tr(" h UTC"));
            } else {
                box->setRange(1, 7);
                box->setDecimals(0);
                box->setSingleStep(1);
                box->setSuffix(QString());
            }
            box->setGroupSeparatorShown(true);
        }
        if (between && value.is_array() && value.size() == 2) {
            m_number->setValue(value[0].is_number() ? value[0].get<double>() : 0);
            m_number2->setValue(value[1].is_number() ? value[1].get<double>() : 0);
        } else {
            m_number->setValue(value.is_number() ? value.get<double>() : 0);
        }
    } else if (kind == "bool") {
        m_valueStack->setCurrentIndex(BoolPage);
        m_boolValue->setChecked(value.is_boolean() ? value.get<bool>() : true);
    } else {
        m_valueStack->setCurrentIndex(TextPage);
        m_textValue->clear();
        const QStringList names =
            field == "team"   ? m_teams
            : field == "app"  ? m_apps
            : field == "user" ? m_users
            : field == "task"
                ? QStringList{QStringLiteral("code"),      QStringLiteral("math"),      QStringLiteral("extraction"),
                              QStringLiteral("summarize"), QStringLiteral("translate"), QStringLiteral("creative"),
                              QStringLiteral("chat"),      QStringLiteral("reasoning")}
                : QStringList();
        m_textValue->addItems(names);
        m_textValue->setCurrentText(text(value));
    }
}

RuleInspector::Json RuleInspector::leafFromEditors() const
{
    const std::string field = m_field->currentData().toString().toStdString();
    const std::string op = m_op->currentData().toString().toStdString();
    const std::string kind = fieldKindOf(field);
    Json value;
    if (op == "matches" || op == "contains") {
        value = m_patternValue->text().toStdString();
    } else if (op == "in" || op == "not_in") {
        value = Json::array();
        for (const QString &part : m_listValue->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString item = part.trimmed();
            if (item.isEmpty())
                continue;
            bool isNumber = false;
            const double number = item.toDouble(&isNumber);
            if (kind == "number" && isNumber)
                value.push_back(number == std::floor(number) ? Json(std::int64_t(number)) : Json(number));
            else
                value.push_back(item.toStdString());
        }
    } else if (kind == "number") {
        auto number = [&](const QDoubleSpinBox *box) {
            const double v = box->value();
            return field == "complexity" ? Json(v) : Json(std::int64_t(std::llround(v)));
        };
        value = op == "between" ? Json::array({number(m_number), number(m_number2)}) : number(m_number);
    } else if (kind == "bool") {
        value = m_boolValue->isChecked();
    } else {
        value = m_textValue->currentText().toStdString();
    }
    return Json{{field, Json{{op, value}}}};
}

void RuleInspector::leafEdited(const QString &what)
{
    if (m_rule < 0 || m_nodeEditor->currentIndex() != 1)
        return;
    Json leaf = leafFromEditors();
    m_applying = true;
    replaceSelected(std::move(leaf), tr("Condition of rule %1: %2").arg(m_draft.ruleId(m_rule), what),
                    QStringLiteral("rule/%1/when%2/%3").arg(m_rule).arg(m_selected, what));
    m_applying = false;
    // The tree's text follows without rebuilding under the cursor.
    if (QTreeWidgetItem *item = m_tree->currentItem())
        item->setText(0, QString::fromStdString(rl::PolicyWording::condition(selectedJson())));
}

void RuleInspector::checkRegex()
{
    if (m_op->currentData().toString() != QStringLiteral("matches")) {
        m_regexStatus->clear();
        m_regexStatus->hide();
        return;
    }
    const std::string pattern = m_patternValue->text().toStdString();
    RE2::Options options;
    options.set_log_errors(false);
    const RE2 regex(pattern, options);
    m_regexStatus->show();
    if (pattern.empty()) {
        m_regexStatus->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.warning().name()));
        m_regexStatus->setText(tr("An empty pattern matches every prompt."));
    } else if (!regex.ok()) {
        m_regexStatus->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.blocked().name()));
        m_regexStatus->setText(tr("Not a valid RE2 pattern: %1").arg(QString::fromStdString(regex.error())));
    } else {
        m_regexStatus->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.good().name()));
        m_regexStatus->setText(tr("Valid RE2 pattern."));
    }
}

void RuleInspector::replaceSelected(Json node, const QString &text, const QString &mergeKey)
{
    Json when = currentWhen();
    try {
        if (m_selected.isEmpty())
            when = std::move(node);
        else
            when.at(pointerOf(m_selected)) = std::move(node);
    } catch (const Json::exception &) {
        return;
    }
    setWhen(std::move(when), text, mergeKey, m_selected);
}

void RuleInspector::setWhen(Json when, const QString &text, const QString &mergeKey, const QString &select)
{
    const bool wasApplying = m_applying;
    m_applying = true;
    m_draft.setRuleField(m_rule, "when", std::move(when), text, mergeKey);
    m_applying = wasApplying;
    if (!wasApplying) {
        m_selected = select;
        rebuildTree();
    }
}

void RuleInspector::addNode(Json node, const QString &text)
{
    if (m_rule < 0)
        return;
    Json when = currentWhen();
    const Json selected = selectedJson();
    const std::string key = onlyKey(selected);
    QString select;
    if (when.is_object() && when.empty()) {
        when = std::move(node);
        select = QString();
    } else if (key == "all" || key == "any") {
        Json &group = m_selected.isEmpty() ? when[key] : when.at(pointerOf(m_selected))[key];
        group.push_back(std::move(node));
        select = m_selected + QStringLiteral("/%1/%2").arg(QString::fromStdString(key)).arg(group.size() - 1);
    } else {
        const QString parent = parentPointer(m_selected);
        const Json parentNode = m_selected.isEmpty() ? Json() : when.at(pointerOf(parent));
        const std::string parentKey = onlyKey(parentNode);
        if (!m_selected.isEmpty() && (parentKey == "all" || parentKey == "any")) {
            Json &group = parent.isEmpty() ? when[parentKey] : when.at(pointerOf(parent))[parentKey];
            const int at = m_selected.mid(m_selected.lastIndexOf(QLatin1Char('/')) + 1).toInt() + 1;
            group.insert(group.begin() + at, std::move(node));
            select = parent + QStringLiteral("/%1/%2").arg(QString::fromStdString(parentKey)).arg(at);
        } else {
            // A single test (or a not): both go under a new all-of group.
            Json &target = m_selected.isEmpty() ? when : when.at(pointerOf(m_selected));
            target = Json{{"all", Json::array({target, std::move(node)})}};
            select = m_selected + QStringLiteral("/all/1");
        }
    }
    setWhen(std::move(when), tr("%1 to rule %2").arg(text, m_draft.ruleId(m_rule)), QString(), select);
}

void RuleInspector::deleteNode()
{
    if (m_rule < 0)
        return;
    Json when = currentWhen();
    if (m_selected.isEmpty()) {
        setWhen(Json::object(), tr("Remove the conditions of rule %1").arg(m_draft.ruleId(m_rule)), QString(),
                QString());
        return;
    }
    const QString parent = parentPointer(m_selected);
    Json &parentNode = parent.isEmpty() ? when : when.at(pointerOf(parent));
    const std::string parentKey = onlyKey(parentNode);
    if (parentKey == "not") {
        parentNode = parentNode["not"]; // removing the operand of a not removes the not
    } else if (parentKey == "all" || parentKey == "any") {
        const int at = m_selected.mid(m_selected.lastIndexOf(QLatin1Char('/')) + 1).toInt();
        parentNode[parentKey].erase(parentNode[parentKey].begin() + at);
        if (parentNode[parentKey].size() == 1) // a group of one is just that condition
            parentNode = Json(parentNode[parentKey][0]);
        else if (parentNode[parentKey].empty())
            parentNode = Json::object();
    }
    setWhen(std::move(when), tr("Remove a condition of rule %1").arg(m_draft.ruleId(m_rule)), QString(), parent);
}

void RuleInspector::negateNode()
{
    const Json node = selectedJson();
    if (node.is_null())
        return;
    const std::string key = onlyKey(node);
    if (key == "not")
        replaceSelected(Json(node["not"]), tr("Drop the not in rule %1").arg(m_draft.ruleId(m_rule)));
    else
        replaceSelected(Json{{"not", node}}, tr("Negate a condition of rule %1").arg(m_draft.ruleId(m_rule)));
}

void RuleInspector::showThen()
{
    const Json &rule = m_draft.rule(m_rule);
    const Json then = rule.contains("then") ? rule["then"] : Json::object();
    const std::string kind = onlyKey(then).empty() ? std::string("tier") : onlyKey(then);
    const QSignalBlocker b1(m_thenKind), b2(m_thenValue);
    m_thenKind->setCurrentIndex(std::max(0, m_thenKind->findData(QString::fromStdString(kind))));
    m_thenValue->clear();
    const Json &document = m_draft.document();
    if (kind == "tier" && document.contains("tiers") && document["tiers"].is_array()) {
        for (const auto &tier : document["tiers"])
            if (tier.is_object() && tier.contains("name") && tier["name"].is_string())
                m_thenValue->addItem(QString::fromStdString(tier["name"].get<std::string>()));
    } else if (kind == "model") {
        QStringList models;
        if (document.contains("tiers") && document["tiers"].is_array())
            for (const auto &tier : document["tiers"])
                if (tier.is_object() && tier.contains("models") && tier["models"].is_array())
                    for (const auto &model : tier["models"])
                        if (model.is_string())
                            models << QString::fromStdString(model.get<std::string>());
        models << m_models;
        models.removeDuplicates();
        m_thenValue->addItems(models);
    }
    const QString value = then.contains(kind) && then[kind].is_string()
                              ? QString::fromStdString(then[kind].get<std::string>())
                              : QString();
    m_thenValue->setCurrentText(value);
}

void RuleInspector::thenEdited()
{
    if (m_rule < 0)
        return;
    const std::string kind = m_thenKind->currentData().toString().toStdString();
    const QString value = m_thenValue->currentText();
    m_applying = true;
    m_draft.setRuleField(
        m_rule, "then", Json{{kind, value.toStdString()}},
        tr("Outcome of rule %1: %2 %3").arg(m_draft.ruleId(m_rule), QString::fromStdString(kind), value),
        QStringLiteral("rule/%1/then").arg(m_rule));
    m_applying = false;
}

void RuleInspector::focusPath(const QString &jsonPointer)
{
    // "/rules/N/<rest>"
    const QStringList parts = jsonPointer.split(QLatin1Char('/'));
    if (parts.size() < 3 || parts[1] != QStringLiteral("rules"))
        return;
    setRule(parts[2].toInt());
    const QString rest = parts.mid(3).join(QLatin1Char('/'));
    if (rest.startsWith(QStringLiteral("id"))) {
        m_id->setFocus();
        return;
    }
    if (rest.startsWith(QStringLiteral("then"))) {
        m_thenValue->setFocus();
        return;
    }
    if (!rest.startsWith(QStringLiteral("when"))) {
        m_id->setFocus();
        return;
    }
    // Walk down the groups as far as the pointer names them; what remains is the field and operator.
    QStringList inside = parts.mid(4);
    QString node;
    while (inside.size() >= 2 && (inside[0] == QStringLiteral("all") || inside[0] == QStringLiteral("any"))) {
        node += QStringLiteral("/%1/%2").arg(inside[0], inside[1]);
        inside = inside.mid(2);
    }
    while (!inside.isEmpty() && inside[0] == QStringLiteral("not")) {
        node += QStringLiteral("/not");
        inside = inside.mid(1);
    }
    selectNode(node);
    m_selected = node;
    showNodeEditor();
    switch (m_valueStack->currentIndex()) {
    case PatternPage: m_patternValue->setFocus(); break;
    case ListPage: m_listValue->setFocus(); break;
    case NumberPage: m_number->setFocus(); break;
    case BoolPage: m_boolValue->setFocus(); break;
    default: m_textValue->setFocus(); break;
    }
}
