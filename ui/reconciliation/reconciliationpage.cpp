#include "reconciliation/reconciliationpage.h"

#include "reconciliation/reconciliationmodel.h"
#include "widgets/theme.h"

#include <QDate>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

ReconciliationPage::ReconciliationPage(const Theme &theme, QWidget *parent) : QWidget(parent), m_theme(theme)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 16, 24, 24);
    layout->setSpacing(10);
    m_title = new QLabel(this);
    QFont font = m_theme.bodyFont();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.15);
    m_title->setFont(font);
    layout->addWidget(m_title);
    auto *intro = new QLabel(tr("Per provider: the requests seen via gateways, the spend they reported, what the price "
                                "catalog says the same traffic cost, and what the provider billed. Highlighted figures "
                                "differ by more than 1 %; select a row for the reasons RouteLedger knows."),
                             this);
    intro->setWordWrap(true);
    intro->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.mutedText().name()));
    layout->addWidget(intro);
    m_model = new ReconciliationModel(m_theme, this);
    m_sorted = new QSortFilterProxyModel(this);
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(ReconciliationModel::SortRole);
    m_view = new QTableView(this);
    m_view->setModel(m_sorted);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ReconciliationModel::CatalogColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    // Figures as wide as they need; the reasons take the rest of the width and wrap there.
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(ReconciliationModel::NotesColumn, QHeaderView::Stretch);
    m_view->setWordWrap(true); // the reasons wrap in their column rather than end in "…"
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_view, 3);
    m_empty =
        new QLabel(tr("Nothing to reconcile in this period: add sources on the Sources page (a gateway or router, "
                      "and the provider organizations whose bills you want to compare)."),
                   this);
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setStyleSheet(QStringLiteral("color: %1; padding: 24px;").arg(m_theme.mutedText().name()));
    layout->addWidget(m_empty);
    m_notes = new QLabel(this);
    m_notes->setWordWrap(true);
    m_notes->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_notes->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    layout->addWidget(m_notes, 1);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ReconciliationPage::showNotes);
}

void ReconciliationPage::setSnapshot(const DashboardSnapshot &snapshot)
{
    const rl::ReconciliationReport &report = snapshot.reconciliation;
    auto dayText = [](std::int64_t day) {
        return QDate(1970, 1, 1).addDays(day).toString(QStringLiteral("d MMM yyyy"));
    };
    const QString days = snapshot.filter.toDay - snapshot.filter.fromDay == 1
                             ? dayText(snapshot.filter.fromDay)
                             : tr("%1 to %2").arg(dayText(snapshot.filter.fromDay), dayText(snapshot.filter.toDay - 1));
    m_title->setText(
        tr("Reconciliation — %1 — %2")
            .arg(days, snapshot.filter.team.empty() ? tr("all teams") : QString::fromStdString(snapshot.filter.team)));
    m_model->setReport(report);
    m_view->setVisible(!report.rows.empty());
    m_empty->setVisible(report.rows.empty());
    if (!report.rows.empty() && !m_view->currentIndex().isValid())
        m_view->setCurrentIndex(m_sorted->index(0, 0));
    showNotes();
}

void ReconciliationPage::showNotes()
{
    const rl::ReconciliationRow *row = m_model->rowAt(m_sorted->mapToSource(m_view->currentIndex()).row());
    if (!row) {
        m_notes->clear();
        return;
    }
    QStringList lines;
    lines << tr("<b>%1</b>").arg(QString::fromStdString(row->provider).toHtmlEscaped());
    if (row->notes.empty())
        lines << tr("The figures agree within 1 %.");
    for (const rl::ReconciliationNote &note : row->notes)
        lines << QStringLiteral("• ") + QString::fromStdString(note.text).toHtmlEscaped();
    m_notes->setText(lines.join(QStringLiteral("<br>")));
}
