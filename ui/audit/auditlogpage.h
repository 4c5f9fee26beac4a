#pragma once

#include "clock.h"
#include "widgets/theme.h"

#include <QWidget>

class AuditLogModel;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;
class StoreService;

// The Audit log page: every change an admin made (policy drafts, publishes, pushes, rollbacks, budgets, prices,
// sources, identity mappings), filtered by action, object, actor and period, with the object before and
// after; and a check of the hash chain that points at the first entry that was edited, deleted or moved.
class AuditLogPage : public QWidget {
    Q_OBJECT
public:
    AuditLogPage(const Theme &theme, StoreService *store, QWidget *parent = nullptr);

    void setClock(rl::Clock clock) { m_clock = std::move(clock); }
    AuditLogModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QString verdict() const;
    QString detailsText() const;

public slots:
    void reload();
    void verify();

signals:
    void loaded();
    void verified(bool ok);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void showDetails();

    Theme m_theme;
    StoreService *m_store = nullptr;
    rl::Clock m_clock;
    AuditLogModel *m_model = nullptr;
    QComboBox *m_action = nullptr;
    QLineEdit *m_object = nullptr;
    QComboBox *m_actor = nullptr;
    QDateEdit *m_from = nullptr;
    QDateEdit *m_to = nullptr;
    QLabel *m_verdict = nullptr;
    QTableView *m_table = nullptr;
    QPlainTextEdit *m_before = nullptr;
    QPlainTextEdit *m_after = nullptr;
    bool m_verifiedOnce = false;
};
