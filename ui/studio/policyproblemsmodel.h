#pragma once

#include <QAbstractTableModel>

class PolicyDraft;

// The validator's errors and warnings for the draft, with their places in words ("rule `easy-to-light` ›
// condition 1 › complexity <"); the JSON pointer is in PathRole so a click can select the card and field.
class PolicyProblemsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Severity, Where, Problem, ColumnCount };
    enum Role { PathRole = Qt::UserRole + 1, IsErrorRole, SortRole };

    explicit PolicyProblemsModel(PolicyDraft &draft, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int errorCount() const { return m_errors; }
    int warningCount() const { return int(m_rows.size()) - m_errors; }

private:
    void reload();

    struct Row {
        bool error = true;
        QString path, where, message;
    };
    PolicyDraft &m_draft;
    QVector<Row> m_rows;
    int m_errors = 0;
};
