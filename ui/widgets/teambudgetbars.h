#pragma once

#include "widgets/theme.h"

#include <QWidget>

#include <cstdint>
#include <vector>

// Horizontal bars of the top teams' spend in the selected period, each with a marker at its budget for
// the same span (rl::budgetForRange: the month's budget for "this month", pro-rated to the days of other
// periods), red past that budget, amber past 80 %. Empty, it says so in its own place.
class TeamBudgetBars : public QWidget {
    Q_OBJECT
public:
    struct Bar {
        QString team;
        std::int64_t spentMicro = 0;
        std::int64_t budgetMicro = 0; // 0: no budget
    };

    explicit TeamBudgetBars(const Theme &theme, QWidget *parent = nullptr);
    void setBars(std::vector<Bar> bars);
    // What the widget says when there are no bars.
    void setEmptyText(const QString &text);
    QString emptyText() const { return m_emptyText; }
    const std::vector<Bar> &bars() const { return m_bars; }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Theme m_theme;
    std::vector<Bar> m_bars;
    QString m_emptyText;
};
