#include "tierlanesview.h"

#include "widgets/money.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

namespace {

constexpr int kSpacing = 8;
constexpr int kPadding = 8;

} // namespace

TierLanesView::TierLanesView(const Theme &theme, QWidget *parent) : QWidget(parent), m_theme(theme)
{
    setFocusPolicy(Qt::StrongFocus);
    setAccessibleName(tr("Tier lanes"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void TierLanesView::setDocument(const nlohmann::ordered_json &document)
{
    m_tiers.clear();
    const std::string defaultTier =
        document.is_object() && document.contains("default_tier") && document["default_tier"].is_string()
            ? document["default_tier"].get<std::string>()
            : std::string();
    auto tiers = document.is_object() ? document.find("tiers") : document.end();
    if (document.is_object() && tiers != document.end() && tiers->is_array()) {
        for (const auto &tier : *tiers) {
            Lane lane;
            if (tier.is_object() && tier.contains("name") && tier["name"].is_string())
                lane.name = QString::fromStdString(tier["name"].get<std::string>());
            if (tier.is_object() && tier.contains("models") && tier["models"].is_array())
                for (const auto &model : tier["models"])
                    lane.models << (model.is_string() ? QString::fromStdString(model.get<std::string>())
                                                      : QString::fromStdString(model.dump()));
            lane.isDefault = !defaultTier.empty() && lane.name.toStdString() == defaultTier;
            m_tiers.push_back(lane);
        }
    }
    if (m_selected >= m_tiers.size())
        m_selected = m_tiers.isEmpty() ? -1 : int(m_tiers.size()) - 1;
    updateGeometry();
    update();
}

void TierLanesView::setPricing(rl::Pricing pricing, qint64 atMs)
{
    m_pricing = std::move(pricing);
    m_priceAtMs = atMs;
    update();
}

void TierLanesView::setHighlight(int tier, const QString &model)
{
    m_highlightTier = tier;
    m_highlightModel = model;
    update();
}

void TierLanesView::selectTier(int tier)
{
    if (tier < -1 || tier >= m_tiers.size() || tier == m_selected)
        return;
    m_selected = tier;
    update();
    emit tierSelected(tier);
}

QString TierLanesView::priceText(const QString &model) const
{
    if (!m_pricing)
        return tr("prices loading");
    const auto prices = m_pricing->pricesAt(model.toStdString(), m_priceAtMs);
    if (!prices)
        return tr("no price in the store");
    // Pico-USD per token is micro-USD per million tokens.
    return tr("%1 / %2 per 1M in / out").arg(money::full(prices->input), money::full(prices->output));
}

int TierLanesView::laneHeight(const Lane &lane) const
{
    const QFontMetrics body(m_theme.bodyFont());
    const QFontMetrics caption(m_theme.captionFont());
    const int models = std::max<int>(1, int(lane.models.size()));
    return kPadding * 2 + body.height() + 4 + models * (body.height() + caption.height() + 6);
}

QRect TierLanesView::laneRect(int tier) const
{
    int y = 0;
    for (int t = 0; t < tier; ++t)
        y += laneHeight(m_tiers[t]) + kSpacing;
    return QRect(0, y, width() - 1, laneHeight(m_tiers[tier]));
}

int TierLanesView::tierAt(const QPoint &point) const
{
    for (int t = 0; t < m_tiers.size(); ++t)
        if (laneRect(t).contains(point))
            return t;
    return -1;
}

QSize TierLanesView::sizeHint() const
{
    int height = 0;
    for (const Lane &lane : m_tiers)
        height += laneHeight(lane) + kSpacing;
    return {280, std::max(height, 80)};
}

QSize TierLanesView::minimumSizeHint() const
{
    return {220, sizeHint().height()};
}

void TierLanesView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QFont body = m_theme.bodyFont();
    QFont bold = body;
    bold.setBold(true);
    const QFont caption = m_theme.captionFont();
    const QFontMetrics bodyMetrics(body), captionMetrics(caption);
    if (m_tiers.isEmpty()) {
        painter.setPen(m_theme.mutedText());
        painter.setFont(body);
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, tr("No tiers yet: add one (Tiers › Add tier)."));
        return;
    }
    for (int t = 0; t < m_tiers.size(); ++t) {
        const Lane &lane = m_tiers[t];
        const QRectF box = QRectF(laneRect(t)).adjusted(1, 1, -1, -1);
        const QColor colour = m_theme.tierColor(t);
        QColor fill = colour;
        fill.setAlpha(m_theme.mode() == Theme::Mode::Dark ? 48 : 22);
        QPainterPath path;
        path.addRoundedRect(box, 6, 6);
        painter.fillPath(path, m_theme.card());
        painter.fillPath(path, fill);
        QPen pen(colour, t == m_highlightTier ? 3 : (t == m_selected ? 2 : 1));
        if (t == m_selected && hasFocus())
            pen.setStyle(Qt::DashLine);
        painter.setPen(pen);
        painter.drawPath(path);

        qreal y = box.top() + kPadding;
        const qreal left = box.left() + kPadding + 4, right = box.right() - kPadding;
        painter.setFont(bold);
        painter.setPen(colour);
        QString title = lane.name.isEmpty() ? tr("(unnamed tier)") : lane.name;
        if (lane.isDefault)
            title += tr("  · default");
        painter.drawText(QRectF(left, y, right - left, bodyMetrics.height()), Qt::AlignLeft | Qt::AlignVCenter, title);
        y += bodyMetrics.height() + 4;
        if (lane.models.isEmpty()) {
            painter.setFont(body);
            painter.setPen(m_theme.blocked());
            painter.drawText(QRectF(left, y, right - left, bodyMetrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                             tr("no models: add one from the price catalog"));
            continue;
        }
        for (int m = 0; m < lane.models.size(); ++m) {
            const QString &model = lane.models[m];
            const bool lit = t == m_highlightTier && model == m_highlightModel;
            painter.setFont(lit ? bold : body);
            painter.setPen(lit ? colour : m_theme.text()); // the model that served the request tried
            const QString line = QStringLiteral("%1. %2").arg(m + 1).arg(model);
            painter.drawText(QRectF(left, y, right - left, bodyMetrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                             bodyMetrics.elidedText(line, Qt::ElideMiddle, int(right - left)));
            y += bodyMetrics.height() + 2;
            painter.setFont(caption);
            painter.setPen(m_theme.mutedText());
            painter.drawText(QRectF(left + 16, y, right - left - 16, captionMetrics.height()),
                             Qt::AlignLeft | Qt::AlignVCenter,
                             captionMetrics.elidedText(priceText(model), Qt::ElideRight, int(right - left - 16)));
            y += captionMetrics.height() + 4;
        }
    }
}

void TierLanesView::mousePressEvent(QMouseEvent *event)
{
    const int tier = tierAt(event->position().toPoint());
    if (tier >= 0)
        selectTier(tier);
    setFocus(Qt::MouseFocusReason);
}

void TierLanesView::mouseDoubleClickEvent(QMouseEvent *event)
{
    const int tier = tierAt(event->position().toPoint());
    if (tier >= 0)
        emit editTier(tier);
}

void TierLanesView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Up: selectTier(std::max(0, m_selected - 1)); return;
    case Qt::Key_Down: selectTier(std::min(int(m_tiers.size()) - 1, m_selected + 1)); return;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space:
        if (m_selected >= 0)
            emit editTier(m_selected);
        return;
    default: QWidget::keyPressEvent(event);
    }
}
