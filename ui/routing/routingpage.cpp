#include "routing/routingpage.h"

#include "widgets/chartstyle.h"
#include "widgets/money.h"
#include "widgets/theme.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>

#include <map>
#include <set>

namespace {

constexpr int kSortRole = Qt::UserRole + 1;

QStandardItem *cell(const QString &text, const QVariant &raw, bool number)
{
    auto *item = new QStandardItem(text);
    item->setData(raw, kSortRole);
    item->setEditable(false);
    item->setTextAlignment(number ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignLeft | Qt::AlignVCenter);
    return item;
}

QTableView *makeTable(QStandardItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->verticalHeader()->hide();
    view->setShowGrid(false);
    view->setAlternatingRowColors(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    view->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    return view;
}

} // namespace

RoutingPage::RoutingPage(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("page"));
    auto *title = new QLabel(tr("Routing"), this);
    title->setFont(Theme::current().titleFont());
    auto *caption =
        new QLabel(tr("How requests were routed in the period: which tier served them, which rule "
                      "decided, how often a fallback or an error happened, and how fast each model answered."),
                   this);
    caption->setObjectName(QStringLiteral("caption"));
    caption->setFont(Theme::current().captionFont());
    caption->setWordWrap(true);

    m_mixView = new QChartView(ChartStyle::plainChart(), this);
    m_qualityView = new QChartView(ChartStyle::plainChart(), this);
    for (QChartView *view : {m_mixView, m_qualityView}) {
        view->setRenderHint(QPainter::Antialiasing);
        view->setBackgroundBrush(Theme::current().card());
        view->setFrameShape(QFrame::NoFrame);
        view->setMinimumHeight(220);
    }
    m_rules = new QStandardItemModel(0, 5, this);
    m_rules->setHorizontalHeaderLabels({tr("Rule"), tr("Tier"), tr("Requests"), tr("Share"), tr("Spend")});
    m_rules->setSortRole(kSortRole);
    m_latency = new QStandardItemModel(0, 5, this);
    m_latency->setHorizontalHeaderLabels({tr("Model"), tr("Requests"), tr("Mean"), tr("p50"), tr("p95")});
    m_latency->setSortRole(kSortRole);

    auto *grid = new QGridLayout;
    grid->setSpacing(16);
    grid->addWidget(
        ChartStyle::card(tr("Tier mix per day (share of requests); dashed lines: policy versions"), m_mixView, this), 0,
        0);
    grid->addWidget(ChartStyle::card(tr("Errors and fallbacks per day (% of requests)"), m_qualityView, this), 0, 1);
    grid->addWidget(ChartStyle::card(tr("Hits per rule"), makeTable(m_rules, this), this), 1, 0);
    grid->addWidget(ChartStyle::card(tr("Latency by model (ms, all teams)"), makeTable(m_latency, this), this), 1, 1);
    grid->setRowStretch(0, 3);
    grid->setRowStretch(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 16, 24, 24);
    layout->setSpacing(8);
    layout->addWidget(title);
    layout->addWidget(caption);
    layout->addSpacing(8);
    layout->addLayout(grid, 1);
}

void RoutingPage::setSnapshot(const DashboardSnapshot &s)
{
    showMix(s);
    showQuality(s);

    m_rules->removeRows(0, m_rules->rowCount());
    std::int64_t total = 0;
    for (const rl::MixRow &row : s.mix)
        total += row.requests;
    for (const rl::MixRow &row : s.mix) {
        const double share = total ? double(row.requests) / double(total) : 0.0;
        m_rules->appendRow(
            {cell(row.rule.empty() ? tr("(none)") : QString::fromStdString(row.rule), QString::fromStdString(row.rule),
                  false),
             cell(row.tier.empty() ? tr("no tier") : QString::fromStdString(row.tier), row.tierRank, false),
             cell(QLocale(QLocale::English).toString(qlonglong(row.requests)), qlonglong(row.requests), true),
             cell(money::percent(share, 1), share, true),
             cell(money::full(row.costMicro), qlonglong(row.costMicro), true)});
    }
    m_latency->removeRows(0, m_latency->rowCount());
    for (const rl::ModelLatency &m : s.latency)
        m_latency->appendRow(
            {cell(QString::fromStdString(m.model), QString::fromStdString(m.model), false),
             cell(QLocale(QLocale::English).toString(qlonglong(m.requests)), qlonglong(m.requests), true),
             cell(QString::number(m.meanMs, 'f', 0), m.meanMs, true),
             cell(QString::number(m.p50Ms, 'f', 0), m.p50Ms, true),
             cell(QString::number(m.p95Ms, 'f', 0), m.p95Ms, true)});
}

void RoutingPage::showMix(const DashboardSnapshot &s)
{
    const Theme &theme = Theme::current();
    QChart *chart = ChartStyle::plainChart();
    std::map<std::int64_t, std::int64_t> dayTotals;
    std::map<int, std::map<std::int64_t, std::int64_t>> byTier;
    std::map<int, std::string> names;
    for (const rl::DayTierSpend &row : s.spendByDayAndTier) {
        const int rank = row.tierRank < 0 ? 99 : row.tierRank;
        byTier[rank][row.day] += row.requests;
        dayTotals[row.day] += row.requests;
        names[rank] = row.tier;
    }
    auto dayMs = [&](std::int64_t day) { return double(s.calendar.dayStartMs(day)); };
    std::map<std::int64_t, double> below;
    for (const auto &[rank, days] : byTier) {
        // QAreaSeries does not own its boundary lines: parent them to it so they go with the chart.
        auto *area = new QAreaSeries;
        auto *lower = new QLineSeries(area);
        auto *upper = new QLineSeries(area);
        for (const auto &[day, total] : dayTotals) {
            const auto it = days.find(day);
            const double share = total ? 100.0 * double(it == days.end() ? 0 : it->second) / double(total) : 0.0;
            lower->append(dayMs(day), below[day]);
            below[day] += share;
            upper->append(dayMs(day), below[day]);
        }
        area->setUpperSeries(upper);
        area->setLowerSeries(lower);
        area->setName(names[rank].empty() ? tr("no tier") : QString::fromStdString(names[rank]));
        const QColor color = rank == 99 ? theme.mutedText() : theme.tierColor(rank);
        area->setColor(color);
        area->setBorderColor(color);
        chart->addSeries(area);
    }
    m_markers = 0;
    const double first = dayTotals.empty() ? 0 : dayMs(dayTotals.begin()->first);
    const double last = dayTotals.empty() ? 0 : dayMs(dayTotals.rbegin()->first);
    std::set<std::string> sourcesSeen; // a source's first version is where its data starts, not a change
    for (const rl::PolicyVersionMark &mark : s.policyVersions) {
        if (sourcesSeen.insert(mark.source).second)
            continue;
        if (double(mark.firstSeenMs) <= first || double(mark.firstSeenMs) > last)
            continue; // only changes inside the period shown
        auto *line = new QLineSeries;
        line->setName(tr("policy v%1").arg(mark.version));
        line->append(double(mark.firstSeenMs), 0);
        line->append(double(mark.firstSeenMs), 100);
        QPen pen(theme.text(), 1.5, Qt::DashLine);
        line->setPen(pen);
        chart->addSeries(line);
        ++m_markers;
    }
    auto *y = new QValueAxis;
    y->setRange(0, 100);
    y->setLabelFormat(QStringLiteral("%.0f %%"));
    ChartStyle::addTimeAxes(chart, y, 6);
    ChartStyle::replaceChart(m_mixView, chart);
}

void RoutingPage::showQuality(const DashboardSnapshot &s)
{
    const Theme &theme = Theme::current();
    QChart *chart = ChartStyle::plainChart();
    auto *errors = new QLineSeries;
    auto *fallbacks = new QLineSeries;
    errors->setName(tr("errors"));
    fallbacks->setName(tr("fallbacks"));
    errors->setColor(theme.blocked());
    fallbacks->setColor(theme.warning());
    double top = 1;
    for (const rl::DayQuality &d : s.quality) {
        if (d.requests == 0)
            continue;
        const double x = double(s.calendar.dayStartMs(d.day));
        const double e = 100.0 * double(d.errors) / double(d.requests);
        const double f = 100.0 * double(d.fallbacks) / double(d.requests);
        errors->append(x, e);
        fallbacks->append(x, f);
        top = std::max({top, e, f});
    }
    chart->addSeries(errors);
    chart->addSeries(fallbacks);
    auto *y = new QValueAxis;
    y->setRange(0, top * 1.2);
    y->setLabelFormat(QStringLiteral("%.1f %%"));
    ChartStyle::addTimeAxes(chart, y, 6);
    ChartStyle::replaceChart(m_qualityView, chart);
}
