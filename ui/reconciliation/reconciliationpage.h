#pragma once

#include "dashboardsnapshot.h"
#include "widgets/theme.h"

#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QTableView;
class ReconciliationModel;

// Reconciliation: for the filter's period and team, what gateways reported, what the price catalog
// says and what each provider billed, with the gaps highlighted and explained where the reason is known.
class ReconciliationPage : public QWidget {
    Q_OBJECT
public:
    explicit ReconciliationPage(const Theme &theme, QWidget *parent = nullptr);
    void setSnapshot(const DashboardSnapshot &snapshot);
    ReconciliationModel *model() const { return m_model; }
    QLabel *notesLabel() const { return m_notes; }

private:
    void showNotes();

    Theme m_theme;
    QLabel *m_title = nullptr;
    QLabel *m_empty = nullptr;
    QLabel *m_notes = nullptr;
    ReconciliationModel *m_model = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    QTableView *m_view = nullptr;
};
