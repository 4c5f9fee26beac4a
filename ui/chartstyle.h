#pragma once

#include <QString>

class QAbstractAxis;
class QChart;
class QFrame;
class QWidget;

// The look every dashboard chart and card shares (DESIGN.md §4.1): no chart background or margins, the
// theme's colours and caption font on axes and legends, cards with a bold title.
class ChartStyle {
public:
    static QChart *plainChart();
    static void styleAxis(QAbstractAxis *axis);
    static QFrame *card(const QString &title, QWidget *content, QWidget *parent);
};
