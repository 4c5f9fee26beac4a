#pragma once

#include "widgets/theme.h"

#include <QStyledItemDelegate>

// Paints a rule as a card of the flow: its position and id, its conditions in words, its outcome in the
// colour of the tier it sends to, a mark when the validator found a problem under it, greyed when
// disabled, and outlined when it decided the request being tried.
class RuleCardDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit RuleCardDelegate(const Theme &theme, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    Theme m_theme;
};
