#include "rulecarddelegate.h"

#include "rulelistmodel.h"

#include <QPainter>
#include <QPainterPath>

RuleCardDelegate::RuleCardDelegate(const Theme &theme, QObject *parent) : QStyledItemDelegate(parent), m_theme(theme) {}

QSize RuleCardDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const QFontMetrics body(m_theme.bodyFont());
    return {std::max(option.rect.width(), 200), body.height() * 3 + 8 * 2 + 8 + 8};
}

void RuleCardDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRectF card = QRectF(option.rect).adjusted(2, 4, -2, -4);
    const bool enabled = index.data(RuleListModel::EnabledRole).toBool();
    const bool highlighted = index.data(RuleListModel::HighlightRole).toBool();
    const bool selected = option.state & QStyle::State_Selected;
    const int tier = index.data(RuleListModel::TierRole).toInt();
    const QColor accent = tier == -2 ? m_theme.blocked() : tier >= 0 ? m_theme.tierColor(tier) : m_theme.mutedText();

    QPainterPath path;
    path.addRoundedRect(card, 6, 6);
    painter->fillPath(path, m_theme.card());
    QPen outline(selected ? option.palette.highlight().color() : m_theme.border(), selected ? 2 : 1);
    if (highlighted)
        outline = QPen(accent, 3);
    painter->setPen(outline);
    painter->drawPath(path);
    painter->fillRect(QRectF(card.left() + 1, card.top() + 6, 5, card.height() - 12),
                      enabled ? accent : m_theme.border());

    const QFont body = m_theme.bodyFont();
    QFont bold = body;
    bold.setBold(true);
    const QFontMetrics metrics(body);
    const qreal left = card.left() + 16, right = card.right() - 12;
    qreal y = card.top() + 8;
    const QColor text = enabled ? m_theme.text() : m_theme.mutedText();

    painter->setFont(bold);
    painter->setPen(text);
    QString title = QStringLiteral("%1. %2").arg(index.row() + 1).arg(index.data(RuleListModel::IdRole).toString());
    if (!enabled)
        title += tr("  (disabled)");
    const QString problem = index.data(RuleListModel::ProblemRole).toString();
    qreal titleRight = right;
    if (!problem.isEmpty()) {
        const QColor mark =
            index.data(RuleListModel::ProblemIsErrorRole).toBool() ? m_theme.blocked() : m_theme.warning();
        const QString label = index.data(RuleListModel::ProblemIsErrorRole).toBool() ? tr("error") : tr("warning");
        const int width = metrics.horizontalAdvance(label) + 12;
        const QRectF chip(right - width, y, width, metrics.height());
        painter->setPen(Qt::NoPen);
        painter->setBrush(mark);
        painter->drawRoundedRect(chip, 4, 4);
        painter->setPen(Qt::white);
        painter->setFont(body);
        painter->drawText(chip, Qt::AlignCenter, label);
        painter->setFont(bold);
        painter->setPen(text);
        titleRight = chip.left() - 8;
    }
    painter->drawText(QRectF(left, y, titleRight - left, metrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(bold).elidedText(title, Qt::ElideRight, int(titleRight - left)));
    y += metrics.height() + 4;

    painter->setFont(body);
    painter->setPen(enabled ? m_theme.text() : m_theme.mutedText());
    const QString when = tr("if %1").arg(index.data(RuleListModel::ConditionTextRole).toString());
    painter->drawText(QRectF(left, y, right - left, metrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      metrics.elidedText(when, Qt::ElideRight, int(right - left)));
    y += metrics.height() + 4;

    painter->setPen(enabled ? accent : m_theme.mutedText());
    painter->drawText(
        QRectF(left, y, right - left, metrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
        metrics.elidedText(index.data(RuleListModel::ActionTextRole).toString(), Qt::ElideRight, int(right - left)));
    painter->restore();
}
