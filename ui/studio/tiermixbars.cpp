#include "tiermixbars.h"

#include <QPainter>
#include <QPainterPath>

namespace {

constexpr int kBarHeight = 22;
constexpr int kGap = 8;
constexpr int kLegendHeight = 20;

} // namespace

TierMixBars::TierMixBars(const Theme &theme, QWidget *parent) : QWidget(parent), m_theme(theme)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void TierMixBars::setBars(const std::vector<std::string> &tiers, const std::vector<Bar> &bars)
{
    m_tiers = tiers;
    m_bars = bars;
    updateGeometry();
    update();
}

QSize TierMixBars::sizeHint() const
{
    const int bars = static_cast<int>(m_bars.size());
    return {480, bars * (kBarHeight + kGap) + kLegendHeight};
}

QSize TierMixBars::minimumSizeHint() const
{
    return {240, sizeHint().height()};
}

QColor TierMixBars::colorOf(const std::string &tier, int index) const
{
    if (tier == "blocked")
        return m_theme.blocked();
    if (tier == "none")
        return m_theme.tierColor(99);
    return m_theme.tierColor(index);
}

void TierMixBars::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QFont caption = m_theme.captionFont();
    painter.setFont(caption);
    const QFontMetrics metrics(caption);
    int labelWidth = 0;
    for (const Bar &bar : m_bars)
        labelWidth = std::max(labelWidth, metrics.horizontalAdvance(bar.label));
    labelWidth += 12;
    const int barLeft = labelWidth;
    const int barWidth = std::max(40, width() - barLeft - 4);
    int y = 0;
    for (const Bar &bar : m_bars) {
        painter.setPen(m_theme.text());
        painter.drawText(QRect(0, y, labelWidth - 8, kBarHeight), Qt::AlignRight | Qt::AlignVCenter, bar.label);
        std::int64_t total = 0;
        for (const auto &[tier, n] : bar.requests)
            total += n;
        QPainterPath outline;
        outline.addRoundedRect(QRectF(barLeft, y, barWidth, kBarHeight), 4, 4);
        painter.save();
        painter.setClipPath(outline);
        painter.fillRect(QRect(barLeft, y, barWidth, kBarHeight), m_theme.border());
        double x = barLeft;
        for (std::size_t i = 0; i < m_tiers.size() && total > 0; ++i) {
            auto found = bar.requests.find(m_tiers[i]);
            if (found == bar.requests.end() || found->second == 0)
                continue;
            const double share = static_cast<double>(found->second) / static_cast<double>(total);
            const double w = share * barWidth;
            const QRectF segment(x, y, w, kBarHeight);
            painter.fillRect(segment, colorOf(m_tiers[i], static_cast<int>(i)));
            const QString text = QStringLiteral("%1 %").arg(share * 100.0, 0, 'f', share < 0.1 ? 1 : 0);
            if (metrics.horizontalAdvance(text) + 8 < w) {
                painter.setPen(Qt::white);
                painter.drawText(segment, Qt::AlignCenter, text);
            }
            x += w;
        }
        painter.restore();
        y += kBarHeight + kGap;
    }
    // The legend: a swatch and the tier's name each.
    int x = barLeft;
    for (std::size_t i = 0; i < m_tiers.size(); ++i) {
        painter.fillRect(QRect(x, y + 5, 10, 10), colorOf(m_tiers[i], static_cast<int>(i)));
        const QString name = QString::fromStdString(m_tiers[i]);
        painter.setPen(m_theme.mutedText());
        painter.drawText(QRect(x + 14, y, metrics.horizontalAdvance(name) + 4, kLegendHeight), Qt::AlignVCenter, name);
        x += 14 + metrics.horizontalAdvance(name) + 16;
    }
}
