#pragma once

#include "pricing/pricing.h"
#include "widgets/theme.h"

#include <QWidget>

#include <nlohmann/json.hpp>

#include <optional>

// The tier lanes of the flow: one lane per tier in its colour, most capable first, each with its models in
// preference order and their prices per million input and output tokens (from the store's prices), the
// default tier marked. The lane and model that served the request being tried are outlined. A click or
// Up/Down selects a lane; Enter (or a double click) asks to edit it.
class TierLanesView : public QWidget {
    Q_OBJECT
public:
    explicit TierLanesView(const Theme &theme, QWidget *parent = nullptr);

    void setDocument(const nlohmann::ordered_json &document);
    void setPricing(rl::Pricing pricing, qint64 atMs);
    void setHighlight(int tier, const QString &model);
    int selectedTier() const { return m_selected; }
    void selectTier(int tier);
    int tierCount() const { return int(m_tiers.size()); }
    // "$1.25 / $10.00 per 1M tokens", or "no price" when the store does not price the model.
    QString priceText(const QString &model) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void tierSelected(int tier);
    void editTier(int tier);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    struct Lane {
        QString name;
        QStringList models;
        bool isDefault = false;
    };
    QRect laneRect(int tier) const;
    int laneHeight(const Lane &lane) const;
    int tierAt(const QPoint &point) const;

    Theme m_theme;
    QVector<Lane> m_tiers;
    std::optional<rl::Pricing> m_pricing;
    qint64 m_priceAtMs = 0;
    int m_highlightTier = -1;
    QString m_highlightModel;
    int m_selected = -1;
};
