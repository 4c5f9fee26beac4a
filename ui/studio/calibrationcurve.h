#pragma once

#include "simulate/calibrationtable.h"
#include "widgets/theme.h"

#include <QWidget>

#include <vector>

// Calibrate's curve: each candidate's predicted spend (across) against its quality relative to all-frontier (up),
// the cheapest candidate for each quality joined by a line. The draft's own thresholds are a hollow ring, the
// chosen candidate a filled dot in the frontier tier's colour. Clicking near a point chooses it.
class CalibrationCurve : public QWidget {
    Q_OBJECT
public:
    explicit CalibrationCurve(const Theme &theme, QWidget *parent = nullptr);

    void setPoints(std::vector<rl::CalibrationPoint> curve, rl::CalibrationPoint current);
    void setChosen(const rl::CalibrationPoint &chosen);
    const std::vector<rl::CalibrationPoint> &points() const { return m_curve; }
    // Where a point is drawn (for tests that click it).
    QPointF position(const rl::CalibrationPoint &point) const;

    QSize sizeHint() const override { return {480, 240}; }
    QSize minimumSizeHint() const override { return {320, 200}; }

signals:
    void pointChosen(int index);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    QRectF plotArea() const;
    void bounds(double &costLow, double &costHigh, double &qualityLow, double &qualityHigh) const;

    Theme m_theme;
    std::vector<rl::CalibrationPoint> m_curve;
    rl::CalibrationPoint m_current, m_chosen;
    bool m_hasChosen = false;
};
