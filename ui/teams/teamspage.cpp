#include "teams/teamspage.h"

#include "teams/teamsmodel.h"
#include "widgets/money.h"
#include "widgets/periodview.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

TeamsPage::TeamsPage(const Theme &theme, QWidget *parent) : QWidget(parent), m_theme(theme)
{
    setObjectName(QStringLiteral("page"));
    auto *title = new QLabel(tr("Teams"), this);
    title->setObjectName(QStringLiteral("pageTitle"));
    title->setFont(m_theme.titleFont());
    m_period = new QLabel(this);
    m_period->setObjectName(QStringLiteral("caption"));
    m_period->setFont(m_theme.captionFont());
    m_period->setWordWrap(true);

    m_model = new TeamsModel(m_theme, this);
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
    // Figures as wide as they and their headers need (none cut off); the team column takes what is left.
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(TeamsModel::TeamColumn, QHeaderView::Stretch);
    connect(m_view, &QTableView::doubleClicked, this, &TeamsPage::editBudget);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TeamsPage::showBreakdown);

    auto *setBudget = new QPushButton(tr("Set budget…"), this);
    connect(setBudget, &QPushButton::clicked, this, &TeamsPage::editBudget);

    auto *card = new QFrame(this);
    card->setObjectName(QStringLiteral("card"));
    auto *cardLayout = new QVBoxLayout(card);
    cardLayout->setContentsMargins(16, 12, 16, 12);
    cardLayout->addWidget(m_view);
    m_empty = new QLabel(card);
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.mutedText().name()));
    m_empty->hide();
    cardLayout->addWidget(m_empty);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(setBudget);
    cardLayout->addLayout(buttons);

    // Drill-down of the selected team.
    auto *drill = new QFrame(this);
    drill->setObjectName(QStringLiteral("card"));
    auto *drillLayout = new QVBoxLayout(drill);
    drillLayout->setContentsMargins(16, 12, 16, 12);
    m_drillTitle = new QLabel(tr("Select a team to see its spend by model, app and user."), drill);
    QFont font = m_theme.bodyFont();
    font.setWeight(QFont::DemiBold);
    m_drillTitle->setFont(font);
    auto *tabs = new QTabWidget(drill);
    const QStringList tabNames{tr("By model"), tr("By app"), tr("By user")};
    const QStringList firstColumn{tr("Model"), tr("App"), tr("User")};
    for (int d = 0; d < 3; ++d) {
        m_breakdown[d] = new QStandardItemModel(0, 4, this);
        m_breakdown[d]->setHorizontalHeaderLabels({firstColumn[d], tr("Requests"), tr("Spend"), tr("Share of team")});
        m_breakdown[d]->setSortRole(TeamsModel::SortRole);
        auto *table = new QTableView(tabs);
        table->setModel(m_breakdown[d]);
        table->verticalHeader()->hide();
        table->setShowGrid(false);
        table->setAlternatingRowColors(true);
        table->setSortingEnabled(true);
        table->horizontalHeader()->setSortIndicator(2, Qt::DescendingOrder);
        table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
        tabs->addTab(table, tabNames[d]);
    }
    drillLayout->addWidget(m_drillTitle);
    drillLayout->addWidget(tabs, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 16, 24, 24);
    layout->setSpacing(8);
    layout->addWidget(title);
    layout->addWidget(m_period);
    layout->addSpacing(8);
    layout->addWidget(card, 3);
    layout->addWidget(drill, 2);
}

void TeamsPage::selectTeam(const QString &team)
{
    for (int row = 0; row < m_sorted->rowCount(); ++row)
        if (m_model->teamAt(m_sorted->mapToSource(m_sorted->index(row, 0)).row()) == team) {
            m_view->setCurrentIndex(m_sorted->index(row, 0));
            return;
        }
}

void TeamsPage::showBreakdown()
{
    const QModelIndex current = m_view->currentIndex();
    const QString team = current.isValid() ? m_model->teamAt(m_sorted->mapToSource(current).row()) : QString();
    const std::string wanted = team.toStdString();
    static const char *kDimensions[] = {"model", "app", "user"};
    std::int64_t teamTotal = 0;
    for (const rl::TeamBreakdownRow &row : m_rows)
        if (row.team == wanted && row.dimension == kDimensions[0])
            teamTotal += row.costMicro;
    for (int d = 0; d < 3; ++d) {
        QStandardItemModel *model = m_breakdown[d];
        model->removeRows(0, model->rowCount());
        for (const rl::TeamBreakdownRow &row : m_rows) {
            if (row.team != wanted || row.dimension != kDimensions[d])
                continue;
            auto item = [](const QString &text, const QVariant &raw, bool number) {
                auto *cell = new QStandardItem(text);
                cell->setData(raw, TeamsModel::SortRole);
                cell->setEditable(false);
                cell->setTextAlignment(number ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignLeft | Qt::AlignVCenter);
                return cell;
            };
            const double share = teamTotal > 0 ? double(row.costMicro) / double(teamTotal) : 0.0;
            model->appendRow(
                {item(row.name.empty() ? tr("(none)") : QString::fromStdString(row.name),
                      QString::fromStdString(row.name), false),
                 item(QLocale(QLocale::English).toString(qlonglong(row.requests)), qlonglong(row.requests), true),
                 item(money::full(row.costMicro), qlonglong(row.costMicro), true),
                 item(money::percent(share), share, true)});
        }
        model->sort(2, Qt::DescendingOrder); // biggest spend first, as the header's indicator says
    }
    m_drillTitle->setText(team.isEmpty() ? tr("Select a team to see its spend by model, app and user.")
                                         : tr("%1: spend in the period by model, app and user").arg(team));
}

void TeamsPage::setSnapshot(const DashboardSnapshot &snapshot)
{
    const QModelIndex current = m_view->currentIndex();
    const QString selected = current.isValid() ? m_model->teamAt(m_sorted->mapToSource(current).row()) : QString();
    m_rows = snapshot.breakdown;
    m_model->setSnapshot(snapshot);
    // Say which period each figure judges: the columns mean different spans.
    QString budgetNote = tr("Used is the period's spend against the budget for the same days");
    if (!snapshot.teamBudgets.empty()) {
        const rl::RangeBudget range = periodview::rangeBudget(snapshot, snapshot.teamBudgets.front());
        budgetNote = range.prorated
                         ? tr("Used is the period's spend against the budget pro-rated to its %1 days")
                               .arg(snapshot.filter.toDay - snapshot.filter.fromDay)
                         : tr("Used is the period's spend against the budget for %1")
                               .arg(periodview::currentPeriodName(snapshot.teamBudgets.front().budget.period));
    }
    m_period->setText(tr("%1. Spend, requests and savings are for that period, and \"vs. before\" compares them with "
                         "the same span just before it. %2; Forecast is each team's spend at the end of its budget "
                         "period in progress (each remaining day as the same weekday of the last week). Double-click "
                         "a team to set its budget.")
                          .arg(periodview::periodText(snapshot), budgetNote));
    const bool empty = m_model->rowCount() == 0;
    m_empty->setVisible(empty);
    m_view->setVisible(!empty);
    m_empty->setText(snapshot.sourceNames.empty()
                         ? tr("No teams yet: they appear as sources report usage. Add a source on the Sources page.")
                         : tr("No team spent anything %1 and no team has a budget. Pick a longer period.")
                               .arg(periodview::rangePhrase(snapshot)));
    if (!selected.isEmpty())
        selectTeam(selected);
    else if (m_sorted->rowCount() > 0)
        m_view->setCurrentIndex(m_sorted->index(0, 0)); // the biggest spender, so the drill-down is never empty
    showBreakdown();
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
