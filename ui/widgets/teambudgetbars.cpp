#include "widgets/teambudgetbars.h"

#include "widgets/money.h"
#include "widgets/theme.h"

#include <QPainter>

#include <algorithm>

TeamBudgetBars::TeamBudgetBars(const Theme &theme, QWidget *parent)
    : QWidget(parent), m_theme(theme), m_emptyText(tr("No spend in this period."))
{
    setMinimumHeight(120);
}

void TeamBudgetBars::setEmptyText(const QString &text)
{
    m_emptyText = text;
    update();
}

void TeamBudgetBars::setBars(std::vector<Bar> bars)
{
    m_bars = std::move(bars);
    // Rows shrink to fit the card (down to 20 px), so no bar is cut off at the bottom.
    setMinimumHeight(20 * std::max<int>(4, int(m_bars.size())) + 8);
    updateGeometry();
    update();
}

QSize TeamBudgetBars::sizeHint() const
{
    return {240, 28 * std::max<int>(4, int(m_bars.size())) + 8};
}

void TeamBudgetBars::paintEvent(QPaintEvent *)
{
    const Theme &theme = m_theme;
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setFont(theme.bodyFont());
    if (m_bars.empty()) {
        p.setPen(theme.mutedText());
        p.drawText(rect().adjusted(8, 0, -8, 0), Qt::AlignCenter | Qt::TextWordWrap, m_emptyText);
        return;
    }
    const QFontMetrics metrics(theme.bodyFont());
    int labelWidth = 60;
    int valueWidth = 48;
    for (const Bar &bar : m_bars) {
        labelWidth = std::max(labelWidth, metrics.horizontalAdvance(bar.team.isEmpty() ? tr("unassigned") : bar.team));
        valueWidth = std::max(valueWidth, metrics.horizontalAdvance(money::compact(bar.spentMicro)));
    }
    labelWidth = std::min(labelWidth + 8, width() / 3);
    valueWidth += 8;
    const int rowHeight = std::clamp((height() - 8) / std::max<int>(1, int(m_bars.size())), 20, 28);
    std::int64_t scale = 1;
    for (const Bar &bar : m_bars)
        scale = std::max({scale, bar.spentMicro, bar.budgetMicro});
    const int barArea = std::max(40, width() - labelWidth - valueWidth - 8);
    int y = 4;
    for (const Bar &bar : m_bars) {
        const QRect label(0, y, labelWidth - 8, rowHeight);
        p.setPen(theme.text());
        const QString name = bar.team.isEmpty() ? tr("unassigned") : bar.team;
        p.drawText(label, Qt::AlignVCenter | Qt::AlignRight, metrics.elidedText(name, Qt::ElideRight, label.width()));
        const double used = bar.budgetMicro > 0 ? double(bar.spentMicro) / double(bar.budgetMicro) : 0.0;
        const QColor color = used >= 1.0 ? theme.blocked() : used >= 0.8 ? theme.warning() : theme.tierColor(1);
        const int length = int(double(barArea) * double(bar.spentMicro) / double(scale));
        p.setPen(Qt::NoPen);
        p.setBrush(color);
        const int thickness = std::max(6, rowHeight - 14);
        p.drawRoundedRect(QRect(labelWidth, y + (rowHeight - thickness) / 2, std::max(2, length), thickness), 3, 3);
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
