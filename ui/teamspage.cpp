#include "teamspage.h"

#include "teamsmodel.h"
#include "theme.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

TeamsPage::TeamsPage(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("page"));
    auto *title = new QLabel(tr("Teams"), this);
    title->setFont(Theme::current().titleFont());
    m_period = new QLabel(tr("Spend, requests and savings are for the period chosen above; budget use and forecast "
                             "are for each team's current budget period. Double-click a team to set its budget."),
                          this);
    m_period->setObjectName(QStringLiteral("caption"));
    m_period->setFont(Theme::current().captionFont());
    m_period->setWordWrap(true);

    m_model = new TeamsModel(this);
    m_sorted = new QSortFilterProxyModel(this);
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(TeamsModel::SortRole);
    m_view = new QTableView(this);
    m_view->setModel(m_sorted);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(TeamsModel::SpendColumn, Qt::DescendingOrder);
    m_view->verticalHeader()->hide();
    m_view->setShowGrid(false);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_view->horizontalHeader()->setSectionResizeMode(TeamsModel::TeamColumn, QHeaderView::ResizeToContents);
    connect(m_view, &QTableView::doubleClicked, this, &TeamsPage::editBudget);

    auto *setBudget = new QPushButton(tr("Set budget…"), this);
    connect(setBudget, &QPushButton::clicked, this, &TeamsPage::editBudget);

    auto *card = new QFrame(this);
    card->setObjectName(QStringLiteral("card"));
    auto *cardLayout = new QVBoxLayout(card);
    cardLayout->setContentsMargins(16, 12, 16, 12);
    cardLayout->addWidget(m_view);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(setBudget);
    cardLayout->addLayout(buttons);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 16, 24, 24);
    layout->setSpacing(8);
    layout->addWidget(title);
    layout->addWidget(m_period);
    layout->addSpacing(8);
    layout->addWidget(card, 1);
}

void TeamsPage::setSnapshot(const DashboardSnapshot &snapshot)
{
    m_model->setSnapshot(snapshot);
}

void TeamsPage::editBudget()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return;
    const QString team = m_model->teamAt(m_sorted->mapToSource(current).row());
    if (team.isEmpty())
        return; // unassigned usage has no team to budget
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Budget for %1").arg(team));
    auto *period = new QComboBox(&dialog);
    period->addItems({QStringLiteral("day"), QStringLiteral("week"), QStringLiteral("month"), QStringLiteral("quarter"),
                      QStringLiteral("year")});
    period->setCurrentText(QStringLiteral("month"));
    auto *amount = new QDoubleSpinBox(&dialog);
    amount->setRange(1, 1e9);
    amount->setDecimals(2);
    amount->setPrefix(QStringLiteral("$ "));
    amount->setValue(1000);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *form = new QFormLayout(&dialog);
    form->addRow(tr("Period"), period);
    form->addRow(tr("Amount (USD)"), amount);
    form->addRow(buttons);
    if (dialog.exec() == QDialog::Accepted)
        emit budgetRequested(team, period->currentText(), qint64(amount->value() * 1e6));
}
