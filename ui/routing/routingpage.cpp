#include "routing/routingpage.h"

#include "widgets/chartstyle.h"
#include "widgets/money.h"
#include "widgets/periodview.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QStackedWidget>
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
    // Columns as wide as their contents and headers (none cut off); the first takes what is left.
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    return view;
}

QLabel *emptyLabel(const Theme &theme, const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignCenter);
    label->setStyleSheet(QStringLiteral("color: %1;").arg(theme.mutedText().name()));
    return label;
}

void setTimeRange(QChart *chart, const DashboardSnapshot &s, const std::vector<periodview::Bucket> &buckets)
{
    if (auto axes = chart->axes(Qt::Horizontal); !axes.isEmpty() && !buckets.empty())
        static_cast<QDateTimeAxis *>(axes.first())
            ->setRange(QDateTime::fromMSecsSinceEpoch(qint64(periodview::chartX(s, buckets.front().startMs))),
                       QDateTime::fromMSecsSinceEpoch(qint64(periodview::chartX(s, buckets.back().endMs))));
}

} // namespace

RoutingPage::RoutingPage(const Theme &theme, QWidget *parent) : QWidget(parent), m_theme(theme)
{
    setObjectName(QStringLiteral("page"));
    auto *title = new QLabel(tr("Routing"), this);
    title->setObjectName(QStringLiteral("pageTitle"));
    title->setFont(m_theme.titleFont());
    auto *caption =
        new QLabel(tr("How requests were routed in the period: which tier served them, which rule "
                      "decided, how often a fallback or an error happened, and how fast each model answered."),
                   this);
    caption->setObjectName(QStringLiteral("caption"));
    caption->setFont(m_theme.captionFont());
    caption->setWordWrap(true);

    m_mixView = new QChartView(ChartStyle::plainChart(m_theme), this);
    m_qualityView = new QChartView(ChartStyle::plainChart(m_theme), this);
    for (QChartView *view : {m_mixView, m_qualityView}) {
        view->setRenderHint(QPainter::Antialiasing);
        view->setBackgroundBrush(m_theme.card());
        view->setFrameShape(QFrame::NoFrame);
        view->setMinimumHeight(200);
    }
    m_mixStack = new QStackedWidget(this);
    m_mixEmpty = emptyLabel(m_theme, tr("No requests in this period."), m_mixStack);
    m_mixStack->addWidget(m_mixView);
    m_mixStack->addWidget(m_mixEmpty);
    m_qualityStack = new QStackedWidget(this);
    m_qualityEmpty = emptyLabel(m_theme, tr("No requests in this period."), m_qualityStack);
    m_qualityStack->addWidget(m_qualityView);
    m_qualityStack->addWidget(m_qualityEmpty);
    m_rules = new QStandardItemModel(0, 5, this);
    m_rules->setHorizontalHeaderLabels({tr("Rule"), tr("Tier"), tr("Requests"), tr("Share"), tr("Spend")});
    m_rules->setSortRole(kSortRole);
    m_latency = new QStandardItemModel(0, 5, this);
    m_latency->setHorizontalHeaderLabels({tr("Model"), tr("Requests"), tr("Mean"), tr("p50"), tr("p95")});
    m_latency->setSortRole(kSortRole);

    auto *grid = new QGridLayout;
    grid->setSpacing(16);
    QFrame *mixCard = ChartStyle::card(m_theme, QString(), m_mixStack, this);
    m_mixTitle = mixCard->findChild<QLabel *>(QStringLiteral("cardTitle"));
    QFrame *qualityCard = ChartStyle::card(m_theme, QString(), m_qualityStack, this);
    m_qualityTitle = qualityCard->findChild<QLabel *>(QStringLiteral("cardTitle"));
    grid->addWidget(mixCard, 0, 0);
    grid->addWidget(qualityCard, 0, 1);
    grid->addWidget(ChartStyle::card(m_theme, tr("Hits per rule"), makeTable(m_rules, this), this), 1, 0);
    grid->addWidget(ChartStyle::card(m_theme, tr("Latency by model (ms, all teams)"), makeTable(m_latency, this), this),
                    1, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);

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
    const Theme &theme = m_theme;
    const bool hourly = periodview::byHour(s);
    m_mixTitle->setText(hourly ? tr("Tier mix per hour (share of requests); dashed lines: policy versions")
                               : tr("Tier mix per day (share of requests); dashed lines: policy versions"));
    m_markers = 0;
    if (s.totals.requests == 0) {
        m_mixStack->setCurrentWidget(m_mixEmpty);
        ChartStyle::replaceChart(m_mixView, ChartStyle::plainChart(theme));
        return;
    }
    m_mixStack->setCurrentWidget(m_mixView);
    QChart *chart = ChartStyle::plainChart(theme);
    const periodview::TierSeries series = periodview::tierSeries(s);
    const std::vector<periodview::Bucket> buckets = periodview::buckets(s);
    std::map<std::int64_t, double> totals;
    for (const auto &[rank, cells] : series.cells)
        for (const auto &[start, cell] : cells)
            totals[start] += cell.requests;
    std::map<std::int64_t, double> below;
    for (const auto &[rank, cells] : series.cells) {
        // QAreaSeries does not own its boundary lines: parent them to it so they go with the chart. Each bucket
        // is a flat step when there are few (periodview::bucketXs), and buckets without requests are left out
        // rather than drawn as 0 %.
        auto *area = new QAreaSeries;
        auto *lower = new QLineSeries(area);
        auto *upper = new QLineSeries(area);
        for (const periodview::Bucket &bucket : buckets) {
            const double total = totals[bucket.startMs];
            if (total <= 0)
                continue;
            const auto it = cells.find(bucket.startMs);
            const double share = 100.0 * (it == cells.end() ? 0.0 : it->second.requests) / total;
            const double base = below[bucket.startMs];
            for (const std::int64_t x : periodview::bucketXs(bucket, buckets.size())) {
                lower->append(periodview::chartX(s, x), base);
                upper->append(periodview::chartX(s, x), base + share);
            }
            below[bucket.startMs] = base + share;
        }
        area->setUpperSeries(upper);
        area->setLowerSeries(lower);
        const auto name = series.names.find(rank);
        const std::string tier = name == series.names.end() ? std::string() : name->second;
        area->setName(tier.empty() ? tr("no tier") : QString::fromStdString(tier));
        const QColor color = rank == 99 ? theme.mutedText() : theme.tierColor(rank);
        area->setColor(color);
        area->setBorderColor(color);
        chart->addSeries(area);
    }
    const double first = double(buckets.front().startMs);
    const double last = double(buckets.back().endMs);
    std::set<std::string> sourcesSeen; // a source's first version is where its data starts, not a change
    for (const rl::PolicyVersionMark &mark : s.policyVersions) {
        if (sourcesSeen.insert(mark.source).second)
            continue;
        if (double(mark.firstSeenMs) <= first || double(mark.firstSeenMs) > last)
            continue; // only changes inside the period shown
        auto *line = new QLineSeries;
        line->setName(tr("policy v%1").arg(mark.version));
        line->append(periodview::chartX(s, mark.firstSeenMs), 0);
        line->append(periodview::chartX(s, mark.firstSeenMs), 100);
        QPen pen(theme.text(), 1.5, Qt::DashLine);
        line->setPen(pen);
        chart->addSeries(line);
        ++m_markers;
    }
    auto *y = new QValueAxis;
    applyTicks(y, niceTicks(0, 100, 5), QString(), QStringLiteral(" %"));
    ChartStyle::addTimeAxes(chart, y, 6, theme, std::int64_t(last - first), hourly);
    setTimeRange(chart, s, buckets);
    ChartStyle::replaceChart(m_mixView, chart);
}

void RoutingPage::showQuality(const DashboardSnapshot &s)
{
    const Theme &theme = m_theme;
    const bool hourly = periodview::byHour(s);
    m_qualityTitle->setText(hourly ? tr("Errors and fallbacks per hour (% of requests)")
                                   : tr("Errors and fallbacks per day (% of requests)"));
    if (s.totals.requests == 0) {
        m_qualityStack->setCurrentWidget(m_qualityEmpty);
        ChartStyle::replaceChart(m_qualityView, ChartStyle::plainChart(theme));
        return;
    }
    m_qualityStack->setCurrentWidget(m_qualityView);
    QChart *chart = ChartStyle::plainChart(theme);
    auto *errors = new QLineSeries;
    auto *fallbacks = new QLineSeries;
    errors->setName(tr("errors"));
    fallbacks->setName(tr("fallbacks"));
    errors->setColor(theme.blocked());
    fallbacks->setColor(theme.warning());
    double top = 0;
    const std::map<std::int64_t, periodview::QualityCell> cells = periodview::qualitySeries(s);
    const std::vector<periodview::Bucket> buckets = periodview::buckets(s);
    for (const periodview::Bucket &bucket : buckets) {
        const auto it = cells.find(bucket.startMs);
        if (it == cells.end() || it->second.requests <= 0)
            continue;
        const double e = 100.0 * it->second.errors / it->second.requests;
        const double f = 100.0 * it->second.fallbacks / it->second.requests;
        for (const std::int64_t x :
             periodview::bucketXs(bucket, buckets.size())) { // steps for few buckets: one still shows
            errors->append(periodview::chartX(s, x), e);
            fallbacks->append(periodview::chartX(s, x), f);
        }
        top = std::max({top, e, f});
    }
    chart->addSeries(errors);
    chart->addSeries(fallbacks);
    auto *y = new QValueAxis;
    applyTicks(y, niceTicks(0, std::max(top * 1.1, 1.0), 5), QString(), QStringLiteral(" %"));
    ChartStyle::addTimeAxes(chart, y, 6, theme, buckets.back().endMs - buckets.front().startMs, hourly);
    setTimeRange(chart, s, buckets);
    ChartStyle::replaceChart(m_qualityView, chart);
}
