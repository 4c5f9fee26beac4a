#include "overview/overviewpage.h"

#include "widgets/chartstyle.h"
#include "widgets/money.h"
#include "widgets/stattile.h"
#include "widgets/teambudgetbars.h"
#include "widgets/theme.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QListWidget>
#include <QPieSeries>
#include <QPieSlice>
#include <QTimeZone>
#include <QVBoxLayout>
#include <QValueAxis>

#include <map>

namespace {

enum Tile { Spend, BudgetUsed, Forecast, Saved, Requests, FrontierShare, kTileCount };

QString tierLabel(const std::string &tier)
{
    return tier.empty() ? QObject::tr("no tier") : QString::fromStdString(tier);
}

QString periodText(const DashboardSnapshot &s)
{
    if (s.calendar.zoneName().empty()) // not loaded yet
        return {};
    auto date = [&](std::int64_t day) {
        return QDateTime::fromMSecsSinceEpoch(s.calendar.dayStartMs(day),
                                              QTimeZone(QByteArray::fromStdString(s.calendar.zoneName())))
            .date();
    };
    const QDate from = date(s.filter.fromDay);
    const QDate to = date(s.filter.toDay - 1);
    QString text = QStringLiteral("%1 – %2").arg(from.toString(QStringLiteral("MMM d, yyyy")),
                                                 to.toString(QStringLiteral("MMM d, yyyy")));
    text += s.filter.team.empty() ? QObject::tr(" · all teams")
                                  : QObject::tr(" · team %1").arg(QString::fromStdString(s.filter.team));
    text += QObject::tr(" · times in %1").arg(QString::fromStdString(s.calendar.zoneName()));
    return text;
}

} // namespace

OverviewPage::OverviewPage(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("page"));
    auto *title = new QLabel(tr("Overview"), this);
    title->setFont(Theme::current().titleFont());
    m_period = new QLabel(this);
    m_period->setObjectName(QStringLiteral("caption"));
    m_period->setFont(Theme::current().captionFont());
    m_empty = new QLabel(this);
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->hide();

    m_content = new QWidget(this);
    auto *grid = new QGridLayout(m_content);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(16);
    const QStringList captions{tr("Spend"),    tr("Budget used"),   tr("Forecast"), tr("Saved by routing"),
                               tr("Requests"), tr("Frontier share")};
    auto *tiles = new QHBoxLayout;
    tiles->setSpacing(16);
    for (const QString &caption : captions) {
        auto *tile = new StatTile(caption, m_content);
        m_tiles.push_back(tile);
        tiles->addWidget(tile);
    }
    grid->addLayout(tiles, 0, 0, 1, 3);

    m_spendView = new QChartView(ChartStyle::plainChart(), m_content);
    m_spendView->setRenderHint(QPainter::Antialiasing);
    m_spendView->setMinimumHeight(240);
    m_mixView = new QChartView(ChartStyle::plainChart(), m_content);
    m_mixView->setRenderHint(QPainter::Antialiasing);
    for (QChartView *view : {m_spendView, m_mixView}) {
        view->setBackgroundBrush(Theme::current().card());
        view->setFrameShape(QFrame::NoFrame);
    }
    m_teamBars = new TeamBudgetBars(m_content);
    m_alerts = new QListWidget(m_content);
    m_alerts->setFrameShape(QFrame::NoFrame);
    m_alerts->setSelectionMode(QAbstractItemView::NoSelection);
    m_alerts->setFocusPolicy(Qt::NoFocus);

    grid->addWidget(ChartStyle::card(tr("Spend per day by tier (USD)"), m_spendView, m_content), 1, 0, 1, 2);
    grid->addWidget(ChartStyle::card(tr("Routing mix (share of requests)"), m_mixView, m_content), 1, 2);
    grid->addWidget(
        ChartStyle::card(tr("Top teams: spend in period, | = budget for the period"), m_teamBars, m_content), 2, 0, 1,
        2);
    grid->addWidget(ChartStyle::card(tr("Open alerts (budget this month)"), m_alerts, m_content), 2, 2);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(2, 1);
    grid->setRowStretch(1, 3);
    grid->setRowStretch(2, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 16, 24, 24);
    layout->setSpacing(8);
    layout->addWidget(title);
    layout->addWidget(m_period);
    layout->addSpacing(8);
    layout->addWidget(m_empty);
    layout->addWidget(m_content, 1);
}

void OverviewPage::setSnapshot(const DashboardSnapshot &s)
{
    const Theme &theme = Theme::current();
    m_period->setText(periodText(s));
    const bool empty = s.totals.requests == 0;
    m_empty->setVisible(empty);
    m_content->setVisible(!empty);
    if (empty) {
        m_empty->setText(tr("No usage in this period%1. Pick a longer period or another team; data arrives as "
                            "sources report it.")
                             .arg(s.filter.team.empty()
                                      ? QString()
                                      : tr(" for team %1").arg(QString::fromStdString(s.filter.team))));
        return;
    }
    const rl::UsageTotals &t = s.totals;
    // Requests answered without token counts have no cost here; the tile says so rather than hide them.
    m_tiles[Spend]->setValue(
        money::compact(t.costMicro),
        t.unmetered > 0 ? tr("%1 in the period; %2 unmetered requests not included")
                              .arg(money::full(t.costMicro), QLocale(QLocale::English).toString(qlonglong(t.unmetered)))
                        : tr("%1 in the period").arg(money::full(t.costMicro)),
        t.unmetered > 0 ? theme.warning() : QColor());

    std::int64_t limit = 0, spent = 0, forecast = 0;
    for (const rl::BudgetStatus &b : s.budgets)
        if (s.filter.team.empty() || b.team == s.filter.team) {
            limit += b.limitMicro;
            spent += b.spentMicro;
            forecast += b.forecastMicro;
        }
    if (limit > 0) {
        const double used = double(spent) / double(limit);
        const double forecastUsed = double(forecast) / double(limit);
        m_tiles[BudgetUsed]->setValue(money::percent(used),
                                      tr("%1 of %2 this month").arg(money::compact(spent), money::compact(limit)),
                                      used >= 1.0   ? theme.blocked()
                                      : used >= 0.8 ? theme.warning()
                                                    : QColor());
        m_tiles[Forecast]->setValue(money::compact(forecast),
                                    tr("by month end: %1 of budget").arg(money::percent(forecastUsed)),
                                    forecastUsed >= 1.0   ? theme.blocked()
                                    : forecastUsed >= 0.8 ? theme.warning()
                                                          : QColor());
    } else {
        m_tiles[BudgetUsed]->setValue(tr("no budget"), tr("set one on the Teams page"));
        m_tiles[Forecast]->setValue(QStringLiteral("–"), tr("needs a budget"));
    }
    const double savedShare = t.frontierCostMicro > 0 ? double(t.savedMicro()) / double(t.frontierCostMicro) : 0.0;
    m_tiles[Saved]->setValue(money::compact(t.savedMicro()),
                             tr("%1 below all-frontier").arg(money::percent(savedShare)), theme.good());
    m_tiles[Requests]->setValue(QLocale(QLocale::English).toString(qlonglong(t.requests)),
                                tr("%1 errors, %2 fallbacks")
                                    .arg(money::percent(double(t.errors) / double(t.requests), 1),
                                         money::percent(double(t.fallbacks) / double(t.requests), 1)));
    m_tiles[FrontierShare]->setValue(money::percent(double(t.frontierRequests) / double(t.requests)),
                                     tr("of requests on the frontier tier"), theme.tierColor(0));

    showSpendOverTime(s);
    showRoutingMix(s);

    // Top teams, each with its budget pro-rated to the days shown.
    std::map<std::string, const rl::BudgetStatus *> budgets;
    for (const rl::BudgetStatus &b : s.budgets)
        budgets[b.team] = &b;
    std::vector<TeamBudgetBars::Bar> bars;
    const double days = double(s.filter.toDay - s.filter.fromDay);
    for (const rl::TeamSpend &team : s.teams) {
        if (bars.size() == 8)
            break;
        TeamBudgetBars::Bar bar{QString::fromStdString(team.team), team.costMicro, 0};
        if (auto it = budgets.find(team.team); it != budgets.end()) {
            const double periodDays = double(it->second->periodEndMs - it->second->periodStartMs) / 86'400'000.0;
            bar.budgetMicro = std::int64_t(double(it->second->limitMicro) * days / periodDays);
        }
        bars.push_back(bar);
    }
    m_teamBars->setBars(std::move(bars));

    m_alerts->clear();
    for (const rl::BudgetStatus &b : s.budgets) {
        if (b.used() < 0.8 && b.forecastUsed() < 1.0)
            continue;
        const bool over = b.used() >= 1.0;
        const QString text =
            over ? tr("%1 is over budget: %2 of %3 (%4)")
                       .arg(QString::fromStdString(b.team), money::compact(b.spentMicro), money::compact(b.limitMicro),
                            money::percent(b.used()))
            : b.used() >= 0.8
                ? tr("%1 has used %2 of its budget; forecast %3")
                      .arg(QString::fromStdString(b.team), money::percent(b.used()), money::percent(b.forecastUsed()))
                : tr("%1 is on course to exceed its budget: forecast %2")
                      .arg(QString::fromStdString(b.team), money::percent(b.forecastUsed()));
        auto *item = new QListWidgetItem(QStringLiteral("● ") + text, m_alerts);
        item->setForeground(over ? theme.blocked() : theme.warning());
    }
    if (m_alerts->count() == 0) {
        auto *item = new QListWidgetItem(tr("No team is past 80 % of its budget or on course to exceed it."), m_alerts);
        item->setForeground(theme.mutedText());
    }
}

void OverviewPage::showSpendOverTime(const DashboardSnapshot &s)
{
    const Theme &theme = Theme::current();
    QChart *chart = ChartStyle::plainChart();
    // Cumulative per tier (most capable at the bottom), one point per day, drawn as stacked areas.
    std::map<int, std::map<std::int64_t, double>> byTier; // rank -> day -> USD
    std::map<int, std::string> names;
    for (const rl::DayTierSpend &row : s.spendByDayAndTier) {
        const int rank = row.tierRank < 0 ? 99 : row.tierRank;
        byTier[rank][row.day] += double(row.costMicro) / 1e6;
        names[rank] = row.tier;
    }
    std::map<std::int64_t, double> below;
    double top = 0;
    for (const auto &[rank, days] : byTier) {
        // QAreaSeries does not own its boundary lines: parent them to it so they go with the chart.
        auto *area = new QAreaSeries;
        auto *lower = new QLineSeries(area);
        auto *upper = new QLineSeries(area);
        for (std::int64_t day = s.filter.fromDay; day < s.filter.toDay; ++day) {
            const double x = double(s.calendar.dayStartMs(day));
            const double base = below[day];
            const auto it = days.find(day);
            const double value = base + (it == days.end() ? 0.0 : it->second);
            lower->append(x, base);
            upper->append(x, value);
            below[day] = value;
            top = std::max(top, value);
        }
        area->setUpperSeries(upper);
        area->setLowerSeries(lower);
        area->setName(tierLabel(names[rank]));
        const QColor color = rank == 99 ? theme.mutedText() : theme.tierColor(rank);
        area->setColor(color);
        area->setBorderColor(color);
        chart->addSeries(area);
    }
    auto *y = new QValueAxis;
    y->setLabelFormat(QStringLiteral("$%.0f"));
    y->setRange(0, top * 1.1 + 1);
    y->applyNiceNumbers();
    ChartStyle::addTimeAxes(chart, y, 7);
    ChartStyle::replaceChart(m_spendView, chart);
}

void OverviewPage::showRoutingMix(const DashboardSnapshot &s)
{
    const Theme &theme = Theme::current();
    QChart *chart = ChartStyle::plainChart();
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

QString OverviewPage::tileFigure(int index) const
{
    return m_tiles.at(std::size_t(index))->figure();
}
int OverviewPage::alertCount() const
{
    return m_alerts->count();
}
