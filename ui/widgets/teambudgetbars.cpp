#include "widgets/teambudgetbars.h"

#include "widgets/money.h"
#include "widgets/theme.h"

#include <QPainter>

#include <algorithm>

TeamBudgetBars::TeamBudgetBars(QWidget *parent) : QWidget(parent)
{
    setMinimumHeight(120);
}

void TeamBudgetBars::setBars(std::vector<Bar> bars)
{
    m_bars = std::move(bars);
    setMinimumHeight(sizeHint().height());
    updateGeometry();
    update();
}

QSize TeamBudgetBars::sizeHint() const
{
    return {360, 28 * std::max<int>(4, int(m_bars.size())) + 8};
}

void TeamBudgetBars::paintEvent(QPaintEvent *)
{
    const Theme &theme = Theme::current();
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setFont(theme.bodyFont());
    if (m_bars.empty()) {
        p.setPen(theme.mutedText());
        p.drawText(rect(), Qt::AlignCenter, tr("No spend in this period. Pick a longer period or another team."));
        return;
    }
    const int labelWidth = 110;
    const int valueWidth = 80;
    const int rowHeight = 28;
    std::int64_t scale = 1;
    for (const Bar &bar : m_bars)
        scale = std::max({scale, bar.spentMicro, bar.budgetMicro});
    const int barArea = std::max(40, width() - labelWidth - valueWidth - 16);
    int y = 4;
    for (const Bar &bar : m_bars) {
        const QRect label(0, y, labelWidth - 8, rowHeight);
        p.setPen(theme.text());
        p.drawText(label, Qt::AlignVCenter | Qt::AlignRight, bar.team.isEmpty() ? tr("unassigned") : bar.team);
        const double used = bar.budgetMicro > 0 ? double(bar.spentMicro) / double(bar.budgetMicro) : 0.0;
        const QColor color = used >= 1.0 ? theme.blocked() : used >= 0.8 ? theme.warning() : theme.tierColor(1);
        const int length = int(double(barArea) * double(bar.spentMicro) / double(scale));
        p.setPen(Qt::NoPen);
        p.setBrush(color);
        p.drawRoundedRect(QRect(labelWidth, y + 7, std::max(2, length), rowHeight - 14), 3, 3);
        if (bar.budgetMicro > 0) {
            const int x = labelWidth + int(double(barArea) * double(bar.budgetMicro) / double(scale));
            p.setPen(QPen(theme.text(), 2));
            p.drawLine(x, y + 3, x, y + rowHeight - 3);
        }
        p.setPen(theme.mutedText());
        p.drawText(QRect(width() - valueWidth, y, valueWidth, rowHeight), Qt::AlignVCenter | Qt::AlignRight,
                   money::compact(bar.spentMicro));
        y += rowHeight;
    }
}
