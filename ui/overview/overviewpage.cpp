#include "overview/overviewpage.h"

#include "widgets/chartstyle.h"
#include "widgets/money.h"
#include "widgets/periodview.h"
#include "widgets/stattile.h"
#include "widgets/teambudgetbars.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QListWidget>
#include <QPieSeries>
#include <QPieSlice>
#include <QPushButton>
#include <QStackedWidget>
#include <QTimeZone>
#include <QVBoxLayout>
#include <QValueAxis>

#include <map>
#include <set>

namespace {

enum Tile { Spend, BudgetUsed, Forecast, Saved, Requests, FrontierShare, kTileCount };

QString tierLabel(const std::string &tier)
{
    return tier.empty() ? QObject::tr("no tier") : QString::fromStdString(tier);
}

QLabel *emptyLabel(const Theme &theme, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignCenter);
    label->setStyleSheet(QStringLiteral("color: %1;").arg(theme.mutedText().name()));
    return label;
}

// A card whose title can change (spend per day / per hour, the period judged).
QFrame *titledCard(const Theme &theme, QLabel *&title, QWidget *content, QWidget *parent)
{
    QFrame *card = ChartStyle::card(theme, QString(), content, parent);
    title = card->findChild<QLabel *>(QStringLiteral("cardTitle"));
    return card;
}

} // namespace

OverviewPage::OverviewPage(const Theme &theme, QWidget *parent) : QWidget(parent), m_theme(theme)
{
    setObjectName(QStringLiteral("page"));
    m_title = new QLabel(tr("Overview"), this);
    m_title->setObjectName(QStringLiteral("pageTitle"));
    m_title->setFont(m_theme.titleFont());
    m_period = new QLabel(this);
    m_period->setObjectName(QStringLiteral("caption"));
    m_period->setFont(m_theme.captionFont());

    // The one call to action of an empty period, above the tiles.
    m_action = new QFrame(this);
    m_action->setObjectName(QStringLiteral("card"));
    auto *actionLayout = new QHBoxLayout(m_action);
    actionLayout->setContentsMargins(16, 8, 16, 8);
    actionLayout->setSpacing(16);
    m_actionLabel = new QLabel(m_action);
    m_actionLabel->setWordWrap(true);
    m_actionButton = new QPushButton(m_action);
    actionLayout->addWidget(m_actionLabel, 1);
    actionLayout->addWidget(m_actionButton);
    m_action->hide();
    connect(m_actionButton, &QPushButton::clicked, this, [this] {
        if (m_actionKind == Action::AddSource)
            emit addSourceRequested();
        else if (m_actionKind == Action::LongerPeriod)
            emit longerPeriodRequested();
    });

    auto *content = new QWidget(this);
    auto *grid = new QGridLayout(content);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(16);
    const QStringList captions{tr("Spend"),    tr("Budget used"),   tr("Forecast"), tr("Saved by routing"),
                               tr("Requests"), tr("Frontier share")};
    auto *tiles = new QHBoxLayout;
    tiles->setSpacing(16);
    for (const QString &caption : captions) {
        auto *tile = new StatTile(m_theme, caption, content);
        m_tiles.push_back(tile);
        tiles->addWidget(tile);
    }
    grid->addLayout(tiles, 0, 0, 1, 3);

    m_spendView = new QChartView(ChartStyle::plainChart(m_theme), content);
    m_spendView->setMinimumHeight(200);
    m_mixView = new QChartView(ChartStyle::plainChart(m_theme), content);
    for (QChartView *view : {m_spendView, m_mixView}) {
        view->setRenderHint(QPainter::Antialiasing);
        view->setBackgroundBrush(m_theme.card());
        view->setFrameShape(QFrame::NoFrame);
    }
    m_spendStack = new QStackedWidget(content);
    m_spendEmpty = emptyLabel(m_theme, m_spendStack);
    m_spendStack->addWidget(m_spendView);
    m_spendStack->addWidget(m_spendEmpty);
    m_mixStack = new QStackedWidget(content);
    m_mixEmpty = emptyLabel(m_theme, m_mixStack);
    m_mixStack->addWidget(m_mixView);
    m_mixStack->addWidget(m_mixEmpty);

    m_teamBars = new TeamBudgetBars(m_theme, content);
    m_alerts = new QListWidget(content);
    m_alerts->setFrameShape(QFrame::NoFrame);
    m_alerts->setSelectionMode(QAbstractItemView::NoSelection);
    m_alerts->setFocusPolicy(Qt::NoFocus);
    m_alerts->setWordWrap(true); // long alerts wrap inside the card instead of scrolling sideways
    m_alerts->setResizeMode(QListView::Adjust);
    m_alerts->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_alerts->setTextElideMode(Qt::ElideNone);
    m_alerts->setStyleSheet(QStringLiteral("QListWidget { background: transparent; }"));

    grid->addWidget(titledCard(m_theme, m_spendTitle, m_spendStack, content), 1, 0, 1, 2);
    grid->addWidget(ChartStyle::card(m_theme, tr("Routing mix (share of requests)"), m_mixStack, content), 1, 2);
    grid->addWidget(titledCard(m_theme, m_teamsTitle, m_teamBars, content), 2, 0, 1, 2);
    grid->addWidget(titledCard(m_theme, m_alertsTitle, m_alerts, content), 2, 2);
    m_spendTitle->setText(tr("Spend per day by tier (USD)"));
    m_teamsTitle->setText(tr("Top teams: spend in the period"));
    m_alertsTitle->setText(tr("Open alerts"));
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(2, 1);
    grid->setRowStretch(1, 3);
    grid->setRowStretch(2, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 16, 24, 24);
    layout->setSpacing(8);
    layout->addWidget(m_title);
    layout->addWidget(m_period);
    layout->addWidget(m_action);
    layout->addSpacing(8);
    layout->addWidget(content, 1);
}

void OverviewPage::setSnapshot(const DashboardSnapshot &s)
{
    const Theme &theme = m_theme;
    m_period->setText(periodview::periodText(s));
    showEmpty(s);
    const rl::UsageTotals &t = s.totals;
    const QLocale english(QLocale::English);
    // Requests answered without token counts have no cost here; the tile says so rather than hide them.
    m_tiles[Spend]->setValue(
        money::compact(t.costMicro),
        t.unmetered > 0
            ? tr("%1 spent %2; %3 unmetered requests not included")
                  .arg(money::full(t.costMicro), periodview::rangePhrase(s), english.toString(qlonglong(t.unmetered)))
            : tr("%1 spent %2").arg(money::full(t.costMicro), periodview::rangePhrase(s)),
        t.unmetered > 0 ? theme.warning() : QColor());

    // Budget used: the period's spend of the budgeted teams against their budgets for the same period (the
    // month's budget on "This month", pro-rated on other periods), the same figure the Top teams card draws.
    std::map<std::string, std::int64_t> spendByTeam;
    for (const rl::TeamSpend &team : s.teams)
        spendByTeam[team.team] += team.costMicro;
    std::int64_t rangeLimit = 0, rangeSpent = 0, limit = 0, forecast = 0;
    std::set<QString> notes, bases;
    std::set<std::int64_t> periodEnds;
    std::set<rl::BudgetPeriod> periods;
    for (const rl::BudgetState &b : s.teamBudgets) {
        const std::string &team = b.budget.scope.name;
        if (!s.filter.team.empty() && team != s.filter.team)
            continue;
        const rl::RangeBudget range = periodview::rangeBudget(s, b);
        rangeLimit += range.limitMicro;
        rangeSpent += spendByTeam[team];
        notes.insert(periodview::rangeBudgetNote(s, range, b.budget.period));
        limit += b.limitMicro;
        forecast += b.forecastMicro;
        bases.insert(periodview::forecastBasisText(b));
        periodEnds.insert(b.periodEndMs);
        periods.insert(b.budget.period);
    }
    if (rangeLimit > 0) {
        const double used = double(rangeSpent) / double(rangeLimit);
        const double forecastUsed = double(forecast) / double(limit);
        const QString note = notes.size() == 1 ? *notes.begin() : tr("budgets for the period");
        m_tiles[BudgetUsed]->setValue(
            money::usedPercent(used),
            tr("%1 of %2, %3").arg(money::compact(rangeSpent), money::compact(rangeLimit), note),
            used >= 1.0   ? theme.blocked()
            : used >= 0.8 ? theme.warning()
                          : QColor());
        // The forecast is for the budget period in progress (budgets are monthly unless set otherwise).
        QString by;
        if (periodEnds.size() == 1) {
            const rl::OrgCalendar &calendar = periodview::calendarOf(s);
            const QDate last = periodview::dateOf(s, calendar.dayOf(*periodEnds.begin() - 1));
            by = tr("by %1").arg(last.toString(QStringLiteral("MMM d")));
        } else {
            by = tr("by each budget period's end");
        }
        const QString basis = bases.size() == 1 ? *bases.begin() : tr("from recent rates");
        m_tiles[Forecast]->setValue(
            money::compact(forecast),
            tr("%1: %2 of %3 budget, %4")
                .arg(by, money::percent(forecastUsed),
                     periods.size() == 1 ? periodview::currentPeriodName(*periods.begin()) + tr("'s") : tr("the"),
                     basis),
            forecastUsed >= 1.0   ? theme.blocked()
            : forecastUsed >= 0.8 ? theme.warning()
                                  : QColor());
    } else {
        m_tiles[BudgetUsed]->setValue(QStringLiteral("–"), tr("no budget yet: set one on the Teams page"));
        m_tiles[Forecast]->setValue(QStringLiteral("–"), tr("needs a budget"));
    }
    if (t.requests > 0) {
        const double savedShare = t.frontierCostMicro > 0 ? double(t.savedMicro()) / double(t.frontierCostMicro) : 0.0;
        m_tiles[Saved]->setValue(money::compact(t.savedMicro()),
                                 tr("%1 below all-frontier").arg(money::percent(savedShare)), theme.good());
        m_tiles[Requests]->setValue(english.toString(qlonglong(t.requests)),
                                    tr("%1 errors, %2 fallbacks")
                                        .arg(money::percent(double(t.errors) / double(t.requests), 1),
                                             money::percent(double(t.fallbacks) / double(t.requests), 1)));
        m_tiles[FrontierShare]->setValue(money::percent(double(t.frontierRequests) / double(t.requests)),
                                         tr("of requests on the frontier tier"), theme.tierColor(0));
    } else {
        m_tiles[Saved]->setValue(money::compact(0), tr("no routed requests in the period"));
        m_tiles[Requests]->setValue(QStringLiteral("0"), tr("none %1").arg(periodview::rangePhrase(s)));
        m_tiles[FrontierShare]->setValue(QStringLiteral("–"), tr("no requests in the period"));
    }

    showSpendOverTime(s);
    showRoutingMix(s);
    showTeamsAndAlerts(s);
}

void OverviewPage::showEmpty(const DashboardSnapshot &s)
{
    const bool empty = s.totals.requests == 0;
    m_action->setVisible(empty);
    m_actionKind = Action::None;
    if (!empty)
        return;
    if (s.sourceNames.empty()) {
        m_actionKind = Action::AddSource;
        m_actionLabel->setText(
            tr("No usage yet: RouteLedger shows what your routers, gateways and provider accounts report. Add a "
               "source to start, or try it on a demo store: routeledger demo --out demo.db, then routeledger "
               "--store demo.db."));
        m_actionButton->setText(tr("Add a source…"));
    } else {
        m_actionKind = Action::LongerPeriod;
        m_actionLabel->setText(
            tr("No usage %1%2. Data arrives as sources report it; a longer period shows what came before.")
                .arg(periodview::rangePhrase(s), s.filter.team.empty()
                                                     ? QString()
                                                     : tr(" for team %1").arg(QString::fromStdString(s.filter.team))));
        m_actionButton->setText(tr("Show the last 90 days"));
    }
}

void OverviewPage::showSpendOverTime(const DashboardSnapshot &s)
{
    const Theme &theme = m_theme;
    m_byHour = periodview::byHour(s);
    m_spendTitle->setText(m_byHour ? tr("Spend per hour by tier (USD)") : tr("Spend per day by tier (USD)"));
    if (s.totals.requests == 0) {
        m_spendEmpty->setText(tr("No spend in this period."));
        m_spendStack->setCurrentWidget(m_spendEmpty);
        ChartStyle::replaceChart(m_spendView, ChartStyle::plainChart(theme));
        return;
    }
    m_spendStack->setCurrentWidget(m_spendView);
    QChart *chart = ChartStyle::plainChart(theme);
    // Stacked per tier (most capable at the bottom); a few hours or days are flat steps across their width, so a
    // single bucket still shows (periodview::bucketXs).
    const periodview::TierSeries series = periodview::tierSeries(s);
    const std::vector<periodview::Bucket> buckets = periodview::buckets(s);
    std::map<std::int64_t, double> below;
    double top = 0;
    for (const auto &[rank, cells] : series.cells) {
        // QAreaSeries does not own its boundary lines: parent them to it so they go with the chart.
        auto *area = new QAreaSeries;
        auto *lower = new QLineSeries(area);
        auto *upper = new QLineSeries(area);
        for (const periodview::Bucket &bucket : buckets) {
            const double base = below[bucket.startMs];
            const auto it = cells.find(bucket.startMs);
            const double value = base + (it == cells.end() ? 0.0 : it->second.usd);
            for (const std::int64_t x : periodview::bucketXs(bucket, buckets.size())) {
                lower->append(periodview::chartX(s, x), base);
                upper->append(periodview::chartX(s, x), value);
            }
            below[bucket.startMs] = value;
            top = std::max(top, value);
        }
        area->setUpperSeries(upper);
        area->setLowerSeries(lower);
        const auto name = series.names.find(rank);
        area->setName(tierLabel(name == series.names.end() ? std::string() : name->second));
        const QColor color = rank == 99 ? theme.mutedText() : theme.tierColor(rank);
        area->setColor(color);
        area->setBorderColor(color);
        chart->addSeries(area);
    }
    auto *y = new QValueAxis;
    applyTicks(y, niceTicks(0, top, 5), QStringLiteral("$"));
    const std::int64_t spanMs = buckets.back().endMs - buckets.front().startMs;
    ChartStyle::addTimeAxes(chart, y, 7, theme, spanMs, m_byHour);
    if (auto axes = chart->axes(Qt::Horizontal); !axes.isEmpty())
        static_cast<QDateTimeAxis *>(axes.first())
            ->setRange(QDateTime::fromMSecsSinceEpoch(qint64(periodview::chartX(s, buckets.front().startMs))),
                       QDateTime::fromMSecsSinceEpoch(qint64(periodview::chartX(s, buckets.back().endMs))));
    ChartStyle::replaceChart(m_spendView, chart);
}

void OverviewPage::showRoutingMix(const DashboardSnapshot &s)
{
    const Theme &theme = m_theme;
    if (s.totals.requests == 0) {
        m_mixEmpty->setText(tr("No requests in this period."));
        m_mixStack->setCurrentWidget(m_mixEmpty);
        ChartStyle::replaceChart(m_mixView, ChartStyle::plainChart(theme));
        return;
    }
    m_mixStack->setCurrentWidget(m_mixView);
    QChart *chart = ChartStyle::plainChart(theme);
    std::map<int, std::pair<std::string, std::int64_t>> byTier;
    std::int64_t total = 0;
    for (const rl::MixRow &row : s.mix) {
        const int rank = row.tierRank < 0 ? 99 : row.tierRank;
        byTier[rank].first = row.tier;
        byTier[rank].second += row.requests;
        total += row.requests;
    }
    auto *pie = new QPieSeries;
    pie->setHoleSize(0.55);
    for (const auto &[rank, entry] : byTier) {
        const double share = total ? double(entry.second) / double(total) : 0.0;
        QPieSlice *slice = pie->append(QStringLiteral("%1 %2").arg(tierLabel(entry.first), money::percent(share)),
                                       double(entry.second));
        slice->setColor(rank == 99 ? theme.mutedText() : theme.tierColor(rank));
        slice->setBorderColor(theme.card());
    }
    chart->addSeries(pie);
    chart->legend()->setAlignment(Qt::AlignRight);
    ChartStyle::replaceChart(m_mixView, chart);
}

void OverviewPage::showTeamsAndAlerts(const DashboardSnapshot &s)
{
    const Theme &theme = m_theme;
    // Top teams, each against its budget for the period shown (the Budget used tile's figure).
    std::map<std::string, const rl::BudgetState *> budgets;
    for (const rl::BudgetState &b : s.teamBudgets)
        budgets[b.budget.scope.name] = &b;
    std::vector<TeamBudgetBars::Bar> bars;
    std::set<QString> notes;
    for (const rl::TeamSpend &team : s.teams) {
        if (bars.size() == 8)
            break;
        TeamBudgetBars::Bar bar{QString::fromStdString(team.team), team.costMicro, 0};
        if (auto it = budgets.find(team.team); it != budgets.end()) {
            const rl::RangeBudget range = periodview::rangeBudget(s, *it->second);
            bar.budgetMicro = range.limitMicro;
            notes.insert(periodview::rangeBudgetNote(s, range, it->second->budget.period));
        }
        bars.push_back(bar);
    }
    m_teamsTitle->setText(
        tr("Top teams by spend (%1); | = %2")
            .arg(periodview::shortRange(s), notes.size() == 1 ? *notes.begin() : tr("budget for the period")));
    m_teamBars->setEmptyText(tr("No team spent anything %1.").arg(periodview::rangePhrase(s)));
    m_teamBars->setBars(std::move(bars));

    // Alerts judge each team's budget period in progress (this month, unless a team's budget is otherwise),
    // whatever the period shown; the card's title says so.
    std::set<rl::BudgetPeriod> periods;
    std::int64_t periodStart = 0;
    for (const rl::BudgetState &b : s.teamBudgets) {
        periods.insert(b.budget.period);
        periodStart = b.periodStartMs;
    }
    if (periods.empty()) {
        m_alertsTitle->setText(tr("Open alerts"));
    } else if (periods.size() == 1) {
        const rl::OrgCalendar &calendar = periodview::calendarOf(s);
        m_alertsTitle->setText(
            tr("Open alerts: budgets %1 (%2 – now)")
                .arg(periodview::currentPeriodName(*periods.begin()),
                     periodview::dateOf(s, calendar.dayOf(periodStart)).toString(QStringLiteral("MMM d"))));
    } else {
        m_alertsTitle->setText(tr("Open alerts: each team's budget period in progress"));
    }
    m_alerts->clear();
    for (const rl::BudgetState &b : s.teamBudgets) {
        if (!s.filter.team.empty() && b.budget.scope.name != s.filter.team)
            continue;
        if (b.used() < 0.8 && b.forecastUsed() < 1.0)
            continue;
        const bool over = b.used() >= 1.0;
        const QString team = QString::fromStdString(b.budget.scope.name);
        const QString when = periodview::currentPeriodName(b.budget.period);
        const QString text =
            over ? tr("%1 is over budget %2: %3 of %4 (%5)")
                       .arg(team, when, money::compact(b.spentMicro), money::compact(b.limitMicro),
                            money::percent(b.used()))
            : b.used() >= 0.8
                ? tr("%1 has used %2 of its budget %3; forecast %4")
                      .arg(team, money::percent(b.used()), when, money::percent(b.forecastUsed()))
                : tr("%1 is on course to exceed its budget %2: forecast %3, %4")
                      .arg(team, when, money::percent(b.forecastUsed()), periodview::forecastBasisText(b));
        auto *item = new QListWidgetItem(QStringLiteral("● ") + text, m_alerts);
        item->setForeground(over ? theme.blocked() : theme.warning());
    }
    if (m_alerts->count() == 0) {
        auto *item =
            new QListWidgetItem(s.budgets.empty() ? tr("No budgets yet: set them on the Teams page.")
                                                  : tr("No team is past 80 % of its budget or on course to exceed it."),
                                m_alerts);
        item->setForeground(theme.mutedText());
    }
}

QString OverviewPage::tileFigure(int index) const
{
    return m_tiles.at(std::size_t(index))->figure();
}
QString OverviewPage::tileDetail(int index) const
{
    return m_tiles.at(std::size_t(index))->detail();
}
int OverviewPage::alertCount() const
{
    return m_alerts->count();
}
QString OverviewPage::alertText(int row) const
{
    return row >= 0 && row < m_alerts->count() ? m_alerts->item(row)->text() : QString();
}
QString OverviewPage::actionText() const
{
    return m_action->isHidden() ? QString() : m_actionLabel->text();
}
bool OverviewPage::spendChartEmpty() const
{
    return m_spendStack->currentWidget() == m_spendEmpty;
}
QString OverviewPage::alertsTitle() const
{
    return m_alertsTitle->text();
}
QString OverviewPage::teamsTitle() const
{
    return m_teamsTitle->text();
}
