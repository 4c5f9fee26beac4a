#pragma once

#include <QAbstractListModel>

class PolicyDraft;

// The draft's rules in order, one row each, for the flow's rule cards. Rows move by drag and drop (or
// Ctrl+Up/Down): the move is an undoable edit of the draft, and the model follows the draft.
class RuleListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        ConditionTextRole, // "team is legal"
        ActionTextRole,    // "→ tier frontier"
        EnabledRole,
        TierRole,      // index of the tier the rule sends to; -2 block; -1 a model outside every tier
        HighlightRole, // the rule that decided the request tried in the studio
        ProblemRole,   // the first validation error or warning under this rule, or empty
        ProblemIsErrorRole,
        SortRole // the rule's position
    };

    explicit RuleListModel(PolicyDraft &draft, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    Qt::DropActions supportedDropActions() const override { return Qt::MoveAction; }
    Qt::DropActions supportedDragActions() const override { return Qt::MoveAction; }
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    bool canDropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                         const QModelIndex &parent) const override;
    bool dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                      const QModelIndex &parent) override;
    bool moveRows(const QModelIndex &sourceParent, int sourceRow, int count, const QModelIndex &destinationParent,
                  int destinationChild) override;

    void setHighlightedRule(int row);
    int highlightedRule() const { return m_highlighted; }

private:
    void reload();

    PolicyDraft &m_draft;
    struct Row {
        QString id, condition, action, problem;
        bool enabled = true, problemIsError = false;
        int tier = -1;
    };
    QVector<Row> m_rows;
    int m_highlighted = -1;
};
