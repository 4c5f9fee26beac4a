#include "calibrationcurve.h"

#include "widgets/money.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace {
constexpr double kLeft = 52, kBottom = 34, kTop = 10, kRight = 16;
}

CalibrationCurve::CalibrationCurve(const Theme &theme, QWidget *parent) : QWidget(parent), m_theme(theme)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setCursor(Qt::PointingHandCursor);
}

void CalibrationCurve::setPoints(std::vector<rl::CalibrationPoint> curve, rl::CalibrationPoint current)
{
    m_curve = std::move(curve);
    m_current = std::move(current);
    update();
}

void CalibrationCurve::setChosen(const rl::CalibrationPoint &chosen)
{
    m_chosen = chosen;
    m_hasChosen = true;
    update();
}

QRectF CalibrationCurve::plotArea() const
{
    return QRectF(kLeft, kTop, std::max(10.0, width() - kLeft - kRight), std::max(10.0, height() - kTop - kBottom));
}

void CalibrationCurve::bounds(double &costLow, double &costHigh, double &qualityLow, double &qualityHigh) const
{
    costLow = qualityLow = 1e300;
    costHigh = qualityHigh = -1e300;
    auto take = [&](const rl::CalibrationPoint &p) {
        costLow = std::min(costLow, static_cast<double>(p.costMicro));
        costHigh = std::max(costHigh, static_cast<double>(p.costMicro));
        qualityLow = std::min(qualityLow, p.quality);
        qualityHigh = std::max(qualityHigh, p.quality);
    };
    for (const rl::CalibrationPoint &p : m_curve)
        take(p);
    take(m_current);
    if (m_hasChosen)
        take(m_chosen);
    if (costHigh - costLow < 1)
        costHigh = costLow + 1;
    qualityHigh = std::min(1.0, qualityHigh + 0.01);
    qualityLow = std::max(0.0, qualityLow - 0.01);
    if (qualityHigh - qualityLow < 0.01)
        qualityLow = qualityHigh - 0.01;
}

QPointF CalibrationCurve::position(const rl::CalibrationPoint &point) const
{
    double costLow, costHigh, qualityLow, qualityHigh;
    bounds(costLow, costHigh, qualityLow, qualityHigh);
    const QRectF area = plotArea();
    const double x =
        area.left() + area.width() * (static_cast<double>(point.costMicro) - costLow) / (costHigh - costLow);
    const double y = area.bottom() - area.height() * (point.quality - qualityLow) / (qualityHigh - qualityLow);
    return {x, y};
}

void CalibrationCurve::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF area = plotArea();
    painter.setFont(m_theme.captionFont());
    if (m_curve.empty()) {
        painter.setPen(m_theme.mutedText());
        painter.drawText(rect(), Qt::AlignCenter, tr("Calibrate to see each candidate's spend and quality"));
        return;
    }
    double costLow, costHigh, qualityLow, qualityHigh;
    bounds(costLow, costHigh, qualityLow, qualityHigh);

    // Grid and axis labels: four steps each way.
    painter.setPen(QPen(m_theme.border(), 1));
    const QFontMetrics metrics(painter.font());
    for (int i = 0; i <= 4; ++i) {
        const double y = area.bottom() - area.height() * i / 4.0;
        painter.setPen(QPen(m_theme.border(), 1));
        painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y));
        painter.setPen(m_theme.mutedText());
        const double quality = qualityLow + (qualityHigh - qualityLow) * i / 4.0;
        painter.drawText(QRectF(0, y - 8, kLeft - 6, 16), Qt::AlignRight | Qt::AlignVCenter,
                         money::percent(quality, qualityHigh - qualityLow < 0.2 ? 1 : 0));
        const double x = area.left() + area.width() * i / 4.0;
        const auto cost = static_cast<std::int64_t>(costLow + (costHigh - costLow) * i / 4.0);
        const QString label = money::compact(cost);
        const double w = metrics.horizontalAdvance(label) + 4;
        painter.drawText(QRectF(std::clamp(x - w / 2, 0.0, width() - w), area.bottom() + 4, w, 14), Qt::AlignCenter,
                         label);
    }
    painter.drawText(QRectF(area.left(), area.bottom() + 18, area.width(), 14), Qt::AlignCenter,
                     tr("predicted spend in the period →   ↑ quality vs all-frontier"));

    // The curve.
    const QColor line = m_theme.tierColor(1);
    QPainterPath path;
    for (std::size_t i = 0; i < m_curve.size(); ++i) {
        const QPointF p = position(m_curve[i]);
        if (i == 0)
            path.moveTo(p);
        else
            path.lineTo(p);
    }
    painter.setPen(QPen(line, 2));
    painter.setBrush(Qt::NoBrush);
    painter.drawPath(path);
    painter.setPen(Qt::NoPen);
    painter.setBrush(line);
    for (const rl::CalibrationPoint &p : m_curve)
        painter.drawEllipse(position(p), 2.5, 2.5);

    // The draft now, and the chosen candidate.
    const QPointF now = position(m_current);
    painter.setPen(QPen(m_theme.text(), 2));
    painter.setBrush(Qt::NoBrush);
    painter.drawEllipse(now, 6, 6);
    painter.setPen(m_theme.text());
    painter.drawText(QRectF(now.x() + 8, now.y() - 16, 90, 14), Qt::AlignLeft, tr("draft now"));
    if (m_hasChosen) {
        const QPointF chosen = position(m_chosen);
        painter.setPen(QPen(m_theme.card(), 2));
        painter.setBrush(m_theme.tierColor(0));
        painter.drawEllipse(chosen, 6, 6);
        painter.setPen(m_theme.text());
        const double labelX = chosen.x() + 96 > width() ? chosen.x() - 96 : chosen.x() + 8;
        painter.drawText(QRectF(labelX, chosen.y() + 4, 88, 14), Qt::AlignLeft, tr("proposed"));
    }
}

void CalibrationCurve::mousePressEvent(QMouseEvent *event)
{
    int nearest = -1;
    double best = 24.0 * 24.0; // pixels squared: a click needs to be near a point
    for (std::size_t i = 0; i < m_curve.size(); ++i) {
        const QPointF d = position(m_curve[i]) - event->position();
        const double distance = d.x() * d.x() + d.y() * d.y();
        if (distance < best) {
            best = distance;
            nearest = static_cast<int>(i);
        }
    }
    if (nearest >= 0)
        emit pointChosen(nearest);
}
