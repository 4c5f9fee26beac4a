#include "quality/qualitypage.h"

#include "quality/qualitymodel.h"
#include "widgets/periodview.h"
#include "widgets/stattile.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace {

enum Tile { Requests, Rated, Score, Negative, Escalated, TileCount };

QString count(std::int64_t n)
{
    return QLocale(QLocale::English).toString(qlonglong(n));
}

} // namespace

QualityPage::QualityPage(const Theme &theme, QWidget *parent) : QWidget(parent), m_theme(theme)
{
    setObjectName(QStringLiteral("page"));
    auto *title = new QLabel(tr("Quality"), this);
    title->setObjectName(QStringLiteral("pageTitle"));
    title->setFont(m_theme.titleFont());
    m_period = new QLabel(this);
    m_period->setObjectName(QStringLiteral("caption"));
    m_period->setFont(m_theme.captionFont());
    m_period->setWordWrap(true);

    auto *tiles = new QHBoxLayout;
    tiles->setSpacing(16);
    const QStringList captions{tr("Requests"), tr("With feedback"), tr("Mean score"), tr("Rated low"), tr("Escalated")};
    for (const QString &caption : captions) {
        auto *tile = new StatTile(m_theme, caption, this);
        m_tiles.push_back(tile);
        tiles->addWidget(tile, 1); // equal widths, whatever their details say
    }

    m_tableCard = new QFrame(this);
    m_tableCard->setObjectName(QStringLiteral("card"));
    auto *cardLayout = new QVBoxLayout(m_tableCard);
    cardLayout->setContentsMargins(16, 12, 16, 12);
    cardLayout->setSpacing(8);
    auto *header = new QHBoxLayout;
    auto *byLabel = new QLabel(tr("Group by"), m_tableCard);
    m_grouping = new QComboBox(m_tableCard);
    m_grouping->addItem(tr("Tier"), int(rl::QualityGrouping::Tier));
    m_grouping->addItem(tr("Rule"), int(rl::QualityGrouping::Rule));
    m_grouping->addItem(tr("Team"), int(rl::QualityGrouping::Team));
    m_grouping->addItem(tr("Complexity band"), int(rl::QualityGrouping::ComplexityBand));
    byLabel->setBuddy(m_grouping);
    auto *legend = new QLabel(tr("Grey: fewer than %1 requests behind the figure, too few to read much into. "
                                 "Hover a figure for its counts.")
                                  .arg(QualityModel::kSmallSample),
                              m_tableCard);
    legend->setObjectName(QStringLiteral("caption"));
    legend->setFont(m_theme.captionFont());
    legend->setWordWrap(true);
    header->addWidget(byLabel);
    header->addWidget(m_grouping);
    header->addSpacing(16);
    header->addWidget(legend, 1);
    cardLayout->addLayout(header);

    m_model = new QualityModel(m_theme, this);
    m_sorted = new QSortFilterProxyModel(this);
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(QualityModel::SortRole);
    m_view = new QTableView(m_tableCard);
    m_view->setModel(m_sorted);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(QualityModel::NameColumn, Qt::AscendingOrder);
    m_view->verticalHeader()->hide();
    m_view->setShowGrid(false);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    // Figures as wide as they and their headers need; the name takes what is left.
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(QualityModel::NameColumn, QHeaderView::Stretch);
    // As tall as its rows (three tiers need no half-empty card), scrolling when they outgrow the page.
    m_view->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_view->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Maximum);
    cardLayout->addWidget(m_view, 1);

    m_emptyCard = new QFrame(this);
    m_emptyCard->setObjectName(QStringLiteral("card"));
    auto *emptyLayout = new QVBoxLayout(m_emptyCard);
    emptyLayout->setContentsMargins(24, 24, 24, 24);
    emptyLayout->setSpacing(16);
    m_empty = new QLabel(m_emptyCard);
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.mutedText().name()));
    m_emptyAction = new QPushButton(tr("Open Sources"), m_emptyCard);
    connect(m_emptyAction, &QPushButton::clicked, this, &QualityPage::sourcesRequested);
    emptyLayout->addWidget(m_empty);
    emptyLayout->addWidget(m_emptyAction, 0, Qt::AlignHCenter);
    m_emptyCard->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 16, 24, 24);
    layout->setSpacing(8);
    layout->addWidget(title);
    layout->addWidget(m_period);
    layout->addSpacing(8);
    layout->addLayout(tiles);
    layout->addSpacing(8);
    layout->addWidget(m_tableCard);
    layout->addWidget(m_emptyCard);
    layout->addStretch(1);

    connect(m_grouping, &QComboBox::currentIndexChanged, this, &QualityPage::showRows);
}

void QualityPage::setGrouping(rl::QualityGrouping grouping)
{
    m_grouping->setCurrentIndex(m_grouping->findData(int(grouping)));
}

void QualityPage::setSnapshot(const DashboardSnapshot &snapshot)
{
    m_report = snapshot.qualityReport;
    const rl::QualityRow &t = m_report.total;
    m_period->setText(tr("%1. What clients said of the answers (feedback, a score from 0 to 1) and how often the "
                         "same request came back minutes later at a more capable tier (escalated): both signs of an "
                         "answer that did not do. Blocked requests are left out; each rate has its count and 95 % "
                         "interval.")
                          .arg(periodview::periodText(snapshot)));

    const bool noRequests = t.requests == 0;
    const bool noSignals = t.rated == 0 && t.escalated == 0;
    if (noRequests)
        m_empty->setText(tr("No requests %1 for this filter. Pick a longer period or another team or source, or "
                            "add a router source on the Sources page.")
                             .arg(periodview::rangePhrase(snapshot)));
    else
        m_empty->setText(tr("No feedback or escalations yet %1: routers record them (clients rate answers with "
                            "POST /v1/feedback, and the router detects escalations; see docs/ROUTER.md). Poll a "
                            "router source to bring them in; gateways and providers' usage reports carry neither.")
                             .arg(periodview::rangePhrase(snapshot)));
    m_emptyCard->setVisible(noRequests || noSignals);
    m_tableCard->setVisible(!noRequests && !noSignals);

    const QColor muted = m_theme.mutedText();
    auto small = [&](std::int64_t n) { return n < QualityModel::kSmallSample ? muted : QColor(); };
    m_tiles[Requests]->setValue(count(t.requests), tr("in the period\nblocked ones left out"));
    m_tiles[Rated]->setValue(
        count(t.rated),
        t.requests > 0 ? tr("%1 of requests\nrated by clients").arg(QualityModel::percentText(t.feedbackRate().rate))
                       : tr("no requests"));
    m_tiles[Score]->setValue(t.rated > 0 ? QString::number(t.meanScore(), 'f', 2) : QStringLiteral("–"),
                             t.rated > 0 ? tr("mean of %1 scores\nfrom 0 to 1").arg(count(t.rated)) : tr("no feedback"),
                             small(t.rated));
    const rl::RateInterval negative = t.negativeRate(), escalated = t.escalationRate();
    m_tiles[Negative]->setValue(t.rated > 0 ? QualityModel::percentText(negative.rate) : QStringLiteral("–"),
                                t.rated > 0 ? tr("of %1 rated, below 0.5\n95 % interval %2")
                                                  .arg(count(t.rated), QualityModel::rangeText(negative, t.rated))
                                            : tr("no feedback"),
                                small(t.rated));
    m_tiles[Escalated]->setValue(t.requests > 0 ? QualityModel::percentText(escalated.rate) : QStringLiteral("–"),
                                 t.requests > 0
                                     ? tr("of %1, asked again higher\n95 % interval %2")
                                           .arg(count(t.requests), QualityModel::rangeText(escalated, t.requests))
                                     : tr("no requests"),
                                 small(t.requests));
    showRows();
}

void QualityPage::showRows()
{
    const auto grouping = static_cast<rl::QualityGrouping>(m_grouping->currentData().toInt());
    m_model->setRows(m_report.rows(grouping), grouping);
    // Tiers and bands read best in their own order; rules and teams by size.
    if (grouping == rl::QualityGrouping::Tier || grouping == rl::QualityGrouping::ComplexityBand)
        m_view->sortByColumn(QualityModel::NameColumn, Qt::AscendingOrder);
    else
        m_view->sortByColumn(QualityModel::RequestsColumn, Qt::DescendingOrder);
}

QString QualityPage::emptyText() const
{
    return m_emptyCard->isHidden() ? QString() : m_empty->text();
}

QString QualityPage::tileFigure(int index) const
{
    return index >= 0 && index < TileCount ? m_tiles[static_cast<std::size_t>(index)]->figure() : QString();
}
