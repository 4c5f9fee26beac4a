#pragma once

#include <QWidget>

#include <cstdint>
#include <vector>

// Horizontal bars of the top teams' spend in the selected period, each with a marker at its budget for
// the same span (the budget pro-rated to the period shown), red past the budget, amber past 80 %.
class TeamBudgetBars : public QWidget {
    Q_OBJECT
public:
    struct Bar {
        QString team;
        std::int64_t spentMicro = 0;
        std::int64_t budgetMicro = 0; // 0: no budget
    };

    explicit TeamBudgetBars(QWidget *parent = nullptr);
    void setBars(std::vector<Bar> bars);
    const std::vector<Bar> &bars() const { return m_bars; }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::vector<Bar> m_bars;
};
