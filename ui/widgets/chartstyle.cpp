#include "widgets/chartstyle.h"

#include "widgets/theme.h"

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QFrame>
#include <QGraphicsLayout>
#include <QLabel>
#include <QLegend>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

QChart *ChartStyle::plainChart(const Theme &theme)
{
    auto *chart = new QChart;
    chart->setBackgroundVisible(false);
    chart->setPlotAreaBackgroundVisible(false);
    chart->setMargins(QMargins(0, 0, 0, 0));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->legend()->setLabelColor(theme.text());
    chart->legend()->setFont(theme.captionFont());
    chart->legend()->setAlignment(Qt::AlignBottom);
    return chart;
}

void ChartStyle::styleAxis(QAbstractAxis *axis, const Theme &theme)
{
    axis->setLabelsColor(theme.mutedText());
    axis->setLabelsFont(theme.captionFont());
    axis->setGridLineColor(theme.border());
    axis->setLinePenColor(theme.border());
}

QFrame *ChartStyle::card(const Theme &theme, const QString &title, QWidget *content, QWidget *parent)
{
    auto *frame = new QFrame(parent);
    frame->setObjectName(QStringLiteral("card"));
    auto *layout = new QVBoxLayout(frame);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(8);
    auto *label = new QLabel(title, frame);
    label->setObjectName(QStringLiteral("cardTitle"));
    QFont font = theme.bodyFont();
    font.setWeight(QFont::DemiBold);
    label->setFont(font);
    label->setWordWrap(true);
    layout->addWidget(label);
    layout->addWidget(content, 1);
    return frame;
}

void ChartStyle::addTimeAxes(QChart *chart, QValueAxis *y, int ticks, const Theme &theme, std::int64_t spanMs,
                             bool byHour)
{
    auto *x = new QDateTimeAxis;
    constexpr std::int64_t kHourMs = 3'600'000;
    constexpr std::int64_t kDayMs = 24 * kHourMs;
    if (byHour) {
        // A day or two by hour: one day reads "09:00", two need the date as well.
        x->setFormat(spanMs <= kDayMs ? QStringLiteral("HH:mm") : QStringLiteral("MMM d HH:mm"));
        x->setTickCount(spanMs <= kDayMs ? 7 : 5);
    } else {
        // By day: ticks at least a day apart, so each label is another date.
        const int days = spanMs > 0 ? int((spanMs + kDayMs / 2) / kDayMs) : ticks - 1;
        x->setFormat(QStringLiteral("MMM d"));
        x->setTickCount(std::clamp(days + 1, 2, ticks));
    }
    styleAxis(x, theme);
    styleAxis(y, theme);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries *series : chart->series()) {
        series->attachAxis(x);
        series->attachAxis(y);
    }
}

void ChartStyle::replaceChart(QChartView *view, QChart *chart)
{
    QChart *old = view->chart();
    view->setChart(chart);
    delete old;
}

AxisTicks niceTicks(double low, double high, int maxTicks)
{
    AxisTicks ticks;
    maxTicks = std::max(maxTicks, 2);
    if (!std::isfinite(low) || !std::isfinite(high))
        low = high = 0;
    if (high < low)
        std::swap(low, high);
    if (high - low < 1e-9)
        high = low + (std::abs(low) > 0 ? std::abs(low) * 0.1 : 1.0); // a flat series still gets an axis
    const double rough = (high - low) / double(maxTicks - 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    double step = magnitude * 10;
    for (const double f : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (f * magnitude >= rough - 1e-12) {
            step = f * magnitude;
            break;
        }
    ticks.step = step;
    ticks.low = std::floor(low / step + 1e-9) * step;
    ticks.high = std::ceil(high / step - 1e-9) * step;
    ticks.count = int(std::llround((ticks.high - ticks.low) / step)) + 1;
    // Enough decimals that each step shows: a step of 0.5 needs one, 0.25 two, 5 none.
    ticks.decimals = 0;
    while (ticks.decimals < 6) {
        const double scaled = step * std::pow(10.0, ticks.decimals);
        if (std::abs(scaled - std::round(scaled)) < 1e-6)
            break;
        ++ticks.decimals;
    }
    return ticks;
}

std::vector<QString> tickLabels(const AxisTicks &ticks, const QString &prefix, const QString &suffix)
{
    std::vector<QString> labels;
    for (int i = 0; i < ticks.count; ++i) {
        double value = ticks.low + ticks.step * i;
        if (std::abs(value) < ticks.step * 1e-9)
            value = 0; // no "-0"
        labels.push_back(prefix + QString::number(value, 'f', ticks.decimals) + suffix);
    }
    return labels;
}

void applyTicks(QValueAxis *axis, const AxisTicks &ticks, const QString &prefix, const QString &suffix)
{
    axis->setRange(ticks.low, ticks.high);
    axis->setTickCount(ticks.count);
    QString escapedSuffix = suffix;
    escapedSuffix.replace(QLatin1Char('%'), QStringLiteral("%%"));
    QString escapedPrefix = prefix;
    escapedPrefix.replace(QLatin1Char('%'), QStringLiteral("%%"));
    axis->setLabelFormat(escapedPrefix + QStringLiteral("%.") + QString::number(ticks.decimals) + QStringLiteral("f")
                         + escapedSuffix);
}
