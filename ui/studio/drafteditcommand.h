#pragma once

#include <QString>
#include <QUndoCommand>

#include <nlohmann/json.hpp>

class PolicyDraft;

// One edit of a policy draft: the document before and after, so undo and redo are exact. Edits that share
// a merge key (keystrokes into one field) merge into one command.
class DraftEditCommand : public QUndoCommand {
public:
    DraftEditCommand(PolicyDraft &draft, const QString &text, nlohmann::ordered_json before,
                     nlohmann::ordered_json after, const QString &mergeKey);

    void undo() override;
    void redo() override;
    int id() const override { return m_mergeKey.isEmpty() ? -1 : 1; }
    bool mergeWith(const QUndoCommand *other) override;

private:
    PolicyDraft &m_draft;
    nlohmann::ordered_json m_before;
    nlohmann::ordered_json m_after;
    QString m_mergeKey;
};
