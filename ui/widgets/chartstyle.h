#pragma once

#include <QString>

class QAbstractAxis;
class QChart;
class QChartView;
class QValueAxis;
class QFrame;
class QWidget;

// The look every dashboard chart and card shares (DESIGN.md §4.1): no chart background or margins, the
// theme's colours and caption font on axes and legends, cards with a bold title.
class ChartStyle {
public:
    static QChart *plainChart();
    static void styleAxis(QAbstractAxis *axis);
    static QFrame *card(const QString &title, QWidget *content, QWidget *parent);
    // A day axis along the bottom and `y` on the left, both styled and attached to every series.
    static void addTimeAxes(QChart *chart, QValueAxis *y, int ticks);
    // Shows `chart` in `view` and deletes the chart it replaces.
    static void replaceChart(QChartView *view, QChart *chart);
};
