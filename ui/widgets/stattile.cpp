#include "widgets/stattile.h"

#include "widgets/theme.h"

#include <QLabel>
#include <QVBoxLayout>

StatTile::StatTile(const Theme &theme, const QString &caption, QWidget *parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("card"));
    m_caption = new QLabel(caption, this);
    m_caption->setObjectName(QStringLiteral("caption"));
    m_caption->setFont(theme.captionFont());
    m_figure = new QLabel(QStringLiteral("–"), this);
    m_figure->setFont(theme.figureFont());
    m_detail = new QLabel(this);
    m_detail->setObjectName(QStringLiteral("caption"));
    m_detail->setFont(theme.captionFont());
    m_detail->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(2);
    layout->addWidget(m_caption);
    layout->addWidget(m_figure);
    layout->addWidget(m_detail);
    layout->addStretch(1);
    setMinimumWidth(150);
    setMinimumHeight(104);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void StatTile::setValue(const QString &figure, const QString &detail, const QColor &accent)
{
    m_figure->setText(figure);
    m_detail->setText(detail);
    m_figure->setStyleSheet(accent.isValid() ? QStringLiteral("color: %1;").arg(accent.name()) : QString());
}

QString StatTile::figure() const
{
    return m_figure->text();
}

QString StatTile::detail() const
{
    return m_detail->text();
}
