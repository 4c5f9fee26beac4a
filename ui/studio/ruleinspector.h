#pragma once

#include "widgets/theme.h"

#include <QWidget>

#include <nlohmann/json.hpp>

class PolicyDraft;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;
class QTreeWidget;
class QTreeWidgetItem;

// Edits one rule of the draft: its id, description and whether it is enabled; its condition as a tree of
// `all` / `any` / `not` groups and field tests, the selected test edited with a value editor that fits its
// field (team, app and user pickers fed by the store's names, number spinners with units, tag lists, a regex
// field checked as you type with RE2's own message); and its outcome. Every change is one undoable edit.
class RuleInspector : public QWidget {
    Q_OBJECT
public:
    RuleInspector(const Theme &theme, PolicyDraft &draft, QWidget *parent = nullptr);

    void setRule(int index); // -1: nothing selected
    int rule() const { return m_rule; }
    // The names the pickers offer (from the store's teams, apps and users).
    void setNames(const QStringList &teams, const QStringList &apps, const QStringList &users);
    void setCatalogModels(const QStringList &models);
    // Selects the condition node and focuses the field a validation problem points at ("/rules/2/when/all/0/
    // prompt/matches").
    void focusPath(const QString &jsonPointer);
    // The JSON pointer (inside `when`) of the selected condition node; "" is the root.
    QString selectedNode() const;
    void selectNode(const QString &pointer);

private:
    using Json = nlohmann::ordered_json;
    void rebuild();
    void rebuildTree();
    void addTreeNode(QTreeWidgetItem *parent, const Json &node, const QString &pointer);
    void showNodeEditor();
    void showLeafValue(const std::string &field, const std::string &op, const Json &value);
    Json currentWhen() const;
    Json selectedJson() const;
    void replaceSelected(Json node, const QString &text, const QString &mergeKey = QString());
    void setWhen(Json when, const QString &text, const QString &mergeKey, const QString &select);
    Json leafFromEditors() const;
    void leafEdited(const QString &what);
    void addNode(Json node, const QString &text);
    void deleteNode();
    void negateNode();
    void fillOps(const std::string &field, const std::string &op);
    void thenEdited();
    void showThen();
    void checkRegex();

    Theme m_theme;
    PolicyDraft &m_draft;
    int m_rule = -1;
    bool m_applying = false; // an edit from this inspector is landing: do not rebuild under the user's cursor
    QString m_selected;      // pointer of the selected node inside `when`
    QStringList m_teams, m_apps, m_users, m_models;

    QLabel *m_title = nullptr;
    QLabel *m_empty = nullptr;
    QWidget *m_body = nullptr;
    QLineEdit *m_id = nullptr;
    QLineEdit *m_description = nullptr;
    QCheckBox *m_enabled = nullptr;
    QTreeWidget *m_tree = nullptr;
    QPushButton *m_addCondition = nullptr;
    QPushButton *m_addGroup = nullptr;
    QPushButton *m_negate = nullptr;
    QPushButton *m_delete = nullptr;
    QStackedWidget *m_nodeEditor = nullptr;
    QComboBox *m_groupKind = nullptr;
    QComboBox *m_field = nullptr;
    QComboBox *m_op = nullptr;
    QStackedWidget *m_valueStack = nullptr;
    QComboBox *m_textValue = nullptr;    // eq/ne on team, app, user, task, requested model
    QLineEdit *m_listValue = nullptr;    // in/not_in: a comma-separated list
    QLineEdit *m_patternValue = nullptr; // matches/contains
    QLabel *m_regexStatus = nullptr;
    QDoubleSpinBox *m_number = nullptr;
    QDoubleSpinBox *m_number2 = nullptr;
    QLabel *m_numberAnd = nullptr;
    QCheckBox *m_boolValue = nullptr;
    QComboBox *m_thenKind = nullptr;
    QComboBox *m_thenValue = nullptr;
};
