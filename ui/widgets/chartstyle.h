#pragma once

#include <QString>

#include <cstdint>
#include <vector>

class QAbstractAxis;
class QChart;
class QChartView;
class QValueAxis;
class QFrame;
class QWidget;
class Theme;

// The look every dashboard chart and card shares (DESIGN.md §4.1): no chart background or margins, the
// theme's colours and caption font on axes and legends, cards with a bold title.
class ChartStyle {
public:
    static QChart *plainChart(const Theme &theme);
    static void styleAxis(QAbstractAxis *axis, const Theme &theme);
    static QFrame *card(const Theme &theme, const QString &title, QWidget *content, QWidget *parent);
    // A time axis along the bottom and `y` on the left, both styled and attached to every series. `spanMs`
    // is the width of the period shown; `byHour` labels hours, otherwise days, with no more ticks than there
    // are days + 1, so no two labels read the same.
    static void addTimeAxes(QChart *chart, QValueAxis *y, int ticks, const Theme &theme, std::int64_t spanMs = 0,
                            bool byHour = false);
    // Shows `chart` in `view` and deletes the chart it replaces.
    static void replaceChart(QChartView *view, QChart *chart);
};

// "Nice" axis ticks for a value axis from 0 (or `low`) up to at least `high`: a step of 1, 2 or 5 × 10^k,
// the tick count, and the decimals that keep every label distinct (a $0–$2 axis reads $0.00, $0.50, … not
// $0, $1, $1, $2).
struct AxisTicks {
    double low = 0, high = 1, step = 1;
    int count = 2;    // ticks including both ends
    int decimals = 0; // for labels
};
AxisTicks niceTicks(double low, double high, int maxTicks = 6);
// The labels those ticks read as, with `prefix` and `suffix` ("$", " %").
std::vector<QString> tickLabels(const AxisTicks &ticks, const QString &prefix, const QString &suffix = QString());
// Applies `ticks` to `axis` (range, tick count, label format with the prefix and suffix).
void applyTicks(QValueAxis *axis, const AxisTicks &ticks, const QString &prefix, const QString &suffix = QString());
