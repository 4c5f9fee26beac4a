#pragma once

#include "routing/policyparser.h"

#include <QObject>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>

class QUndoStack;

// The policy being edited in the studio: a JSON document (a draft may be invalid, so it is kept as JSON and
// not as a Policy), the validator's verdict on it, and its undo history. Every change is one undoable
// command (QUndoStack) with a readable text; the flow, the inspector, the JSON tab and the problems list all
// show this one document and change it only through the methods below.
class PolicyDraft : public QObject {
    Q_OBJECT
public:
    using Json = nlohmann::ordered_json;

    explicit PolicyDraft(QObject *parent = nullptr);

    // A new draft: the tiers, budget guard and fallback of `templateDocument`, and no rules.
    static Json emptyFrom(const Json &templateDocument);

    // Replaces the document without undo history (opening a draft or a version).
    void load(Json document, const QString &draftName, std::optional<qint64> baseVersion);

    const Json &document() const { return m_document; }
    QString draftName() const { return m_draftName; }
    void setDraftName(const QString &name) { m_draftName = name; }
    std::optional<qint64> baseVersion() const { return m_baseVersion; }

    // Canonical JSON (PolicyWriter) when the draft is valid, otherwise the document as it stands.
    QString canonicalText() const;
    const rl::PolicyLoad &validation() const { return m_validation; }
    bool isValid() const { return m_validation.ok(); }
    QUndoStack *undoStack() const { return m_undo; }

    // One undoable edit to `after`. Consecutive edits with the same non-empty `mergeKey` (typing into one
    // field) are one command.
    void edit(const QString &text, Json after, const QString &mergeKey = QString());

    int ruleCount() const;
    const Json &rule(int index) const;
    QString ruleId(int index) const;
    void addRule(int index, Json rule);
    void duplicateRule(int index);
    void removeRule(int index);
    void setRuleEnabled(int index, bool enabled);
    void moveRule(int from, int to);
    void setRuleField(int index, const char *key, Json value, const QString &text, const QString &mergeKey = QString());

    void setTierModels(int tier, const std::vector<std::string> &models, const QString &text);
    void addTier(const QString &name);
    void removeTier(int tier);
    void setDefaultTier(const QString &name);

    // From the JSON tab: false (nothing changes) when the text is not JSON; `error` says where.
    bool setText(const QString &text, QString *error);

    // A rule id not used yet: "rule-3", "easy-to-light-copy".
    QString unusedRuleId(const QString &base) const;

signals:
    // After every edit, undo, redo and load.
    void changed();

private:
    friend class DraftEditCommand;
    void apply(const Json &document);

    Json m_document;
    rl::PolicyLoad m_validation;
    QString m_draftName;
    std::optional<qint64> m_baseVersion;
    QUndoStack *m_undo = nullptr;
};
