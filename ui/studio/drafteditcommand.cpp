#include "drafteditcommand.h"

#include "policydraft.h"

DraftEditCommand::DraftEditCommand(PolicyDraft &draft, const QString &text, nlohmann::ordered_json before,
                                   nlohmann::ordered_json after, const QString &mergeKey)
    : QUndoCommand(text), m_draft(draft), m_before(std::move(before)), m_after(std::move(after)), m_mergeKey(mergeKey)
{}

void DraftEditCommand::undo()
{
    m_draft.apply(m_before);
}

void DraftEditCommand::redo()
{
    m_draft.apply(m_after);
}

bool DraftEditCommand::mergeWith(const QUndoCommand *other)
{
    const auto *next = dynamic_cast<const DraftEditCommand *>(other);
    if (next == nullptr || next->m_mergeKey != m_mergeKey || &next->m_draft != &m_draft)
        return false;
    m_after = next->m_after;
    setText(next->text());
    return true;
}
