#include "pushpanel.h"

#include "pushresultsmodel.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

PushPanel::PushPanel(const Theme &theme, PushResultsModel &results, QWidget *parent)
    : QWidget(parent), m_theme(theme), m_results(results)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 8, 0, 0);
    layout->setSpacing(8);
    m_published = new QLabel(this);
    m_published->setWordWrap(true);
    layout->addWidget(m_published);
    m_routers = new QListWidget(this);
    m_routers->setObjectName(QStringLiteral("pushRouters"));
    m_routers->setMaximumHeight(120);
    layout->addWidget(m_routers);
    // Two rows of two: one row of four is wider than the studio's tabs in a 1280×800 window.
    auto *buttons = new QGridLayout;
    m_push = new QPushButton(tr("&Push to the checked routers"), this);
    m_push->setObjectName(QStringLiteral("pushButton"));
    m_dryRun = new QPushButton(tr("&Validate on them (dry run)"), this);
    m_again = new QPushButton(tr("Push &again to the failures"), this);
    m_again->setObjectName(QStringLiteral("pushAgainButton"));
    m_overwrite = new QPushButton(tr("&Overwrite this router knowingly…"), this);
    m_overwrite->setObjectName(QStringLiteral("overwriteButton"));
    int slot = 0;
    for (QPushButton *button : {m_push, m_dryRun, m_again, m_overwrite}) {
        buttons->addWidget(button, slot / 2, slot % 2);
        ++slot;
    }
    buttons->setColumnStretch(2, 1);
    layout->addLayout(buttons);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("pushResults"));
    m_table->setModel(&m_results);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(PushResultsModel::Summary, QHeaderView::Stretch);
    layout->addWidget(m_table, 2);
    m_details = new QPlainTextEdit(this);
    m_details->setObjectName(QStringLiteral("pushDetails"));
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(tr("Select a router to see what it said or what differs."));
    layout->addWidget(m_details, 2);

    connect(m_push, &QPushButton::clicked, this, [this] { emit pushRequested(checkedRouters(), false); });
    connect(m_dryRun, &QPushButton::clicked, this, [this] { emit pushRequested(checkedRouters(), true); });
    connect(m_again, &QPushButton::clicked, this, &PushPanel::pushAgainRequested);
    connect(m_overwrite, &QPushButton::clicked, this, [this] {
        const QModelIndex current = m_table->currentIndex();
        if (current.isValid())
            emit overwriteRequested(m_results.index(current.row(), PushResultsModel::Router).data().toString());
    });
    connect(&m_results, &QAbstractItemModel::modelReset, this, [this] {
        m_again->setEnabled(!m_results.failedRouters().isEmpty());
        showDetails();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &PushPanel::showDetails);
    m_again->setEnabled(false);
    m_overwrite->setEnabled(false);
}

void PushPanel::setRouters(const QStringList &names, const QHash<QString, QString> &states)
{
    QSet<QString> unchecked;
    for (int i = 0; i < m_routers->count(); ++i)
        if (m_routers->item(i)->checkState() == Qt::Unchecked)
            unchecked.insert(m_routers->item(i)->data(Qt::UserRole).toString());
    m_routers->clear();
    for (const QString &name : names) {
        const QString state = states.value(name);
        auto *item = new QListWidgetItem(state.isEmpty() ? name : tr("%1 — %2").arg(name, state), m_routers);
        item->setData(Qt::UserRole, name);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(unchecked.contains(name) ? Qt::Unchecked : Qt::Checked);
    }
    if (names.isEmpty()) {
        auto *item = new QListWidgetItem(tr("No routers yet: add a routeledger-router on the Sources page, then push."),
                                         m_routers);
        item->setFlags(Qt::NoItemFlags);
    }
    m_push->setEnabled(!names.isEmpty());
    m_dryRun->setEnabled(!names.isEmpty());
}

QStringList PushPanel::checkedRouters() const
{
    QStringList names;
    for (int i = 0; i < m_routers->count(); ++i)
        if (m_routers->item(i)->checkState() == Qt::Checked
            && !m_routers->item(i)->data(Qt::UserRole).toString().isEmpty())
            names << m_routers->item(i)->data(Qt::UserRole).toString();
    return names;
}

void PushPanel::setBusy(bool busy, const QString &status)
{
    m_push->setEnabled(!busy && m_routers->count() > 0);
    m_dryRun->setEnabled(!busy);
    m_again->setEnabled(!busy && !m_results.failedRouters().isEmpty());
    m_status->setText(status);
}

void PushPanel::setPublished(qint64 version)
{
    m_published->setText(version > 0
                             ? tr("Pushes published version %1. Each router is read back after the push and "
                                  "compared with what was sent.")
                                   .arg(version)
                             : tr("Nothing is published yet: publish a version first (the toolbar's Publish)."));
}

void PushPanel::selectRouter(const QString &router)
{
    for (int row = 0; row < m_results.rowCount(); ++row)
        if (m_results.index(row, PushResultsModel::Router).data().toString() == router)
            m_table->selectRow(row);
}

void PushPanel::showDetails()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_details->clear();
        m_overwrite->setEnabled(false);
        return;
    }
    const QModelIndex row = m_results.index(current.row(), 0);
    const auto outcome = static_cast<rl::PushOutcome>(row.data(PushResultsModel::OutcomeRole).toInt());
    m_overwrite->setEnabled(outcome == rl::PushOutcome::Stale);
    QStringList lines{m_results.index(current.row(), PushResultsModel::Summary).data().toString()};
    lines << row.data(PushResultsModel::DetailsRole).toStringList();
    m_details->setPlainText(lines.join(QLatin1Char('\n')));
}

QString PushPanel::detailsText() const
{
    return m_details->toPlainText();
}
