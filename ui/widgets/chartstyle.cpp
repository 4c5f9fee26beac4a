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

QChart *ChartStyle::plainChart()
{
    const Theme &theme = Theme::current();
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

void ChartStyle::styleAxis(QAbstractAxis *axis)
{
    const Theme &theme = Theme::current();
    axis->setLabelsColor(theme.mutedText());
    axis->setLabelsFont(theme.captionFont());
    axis->setGridLineColor(theme.border());
}

QFrame *ChartStyle::card(const QString &title, QWidget *content, QWidget *parent)
{
    auto *frame = new QFrame(parent);
    frame->setObjectName(QStringLiteral("card"));
    auto *layout = new QVBoxLayout(frame);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(8);
    auto *label = new QLabel(title, frame);
    QFont font = Theme::current().bodyFont();
    font.setWeight(QFont::DemiBold);
    label->setFont(font);
    layout->addWidget(label);
    layout->addWidget(content, 1);
    return frame;
}

void ChartStyle::addTimeAxes(QChart *chart, QValueAxis *y, int ticks)
{
    auto *x = new QDateTimeAxis;
    x->setFormat(QStringLiteral("MMM d"));
    x->setTickCount(ticks);
    styleAxis(x);
    styleAxis(y);
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
