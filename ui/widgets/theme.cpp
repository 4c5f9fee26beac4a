#include "widgets/theme.h"

#include <QApplication>
#include <QFontDatabase>

Theme::Theme(Mode mode) : m_mode(mode) {}

void Theme::applyTo(QApplication &app) const
{
    app.setStyle(QStringLiteral("Fusion"));
    app.setPalette(palette());
    app.setStyleSheet(styleSheet());
}

QColor Theme::tierColor(int tierIndex) const
{
    switch (tierIndex) {
    case 0: return QColor(0x6D28D9);
    case 1: return QColor(0x2563EB);
    case 2: return QColor(0x0D9488);
    default: return m_mode == Mode::Light ? QColor(0x6B7280) : QColor(0x9CA3AF);
    }
}

QColor Theme::background() const
{
    return m_mode == Mode::Light ? QColor(0xF5F6F8) : QColor(0x111318);
}
QColor Theme::card() const
{
    return m_mode == Mode::Light ? QColor(0xFFFFFF) : QColor(0x1B1E25);
}
QColor Theme::border() const
{
    return m_mode == Mode::Light ? QColor(0xE3E5E8) : QColor(0x2C313A);
}
QColor Theme::text() const
{
    return m_mode == Mode::Light ? QColor(0x111827) : QColor(0xE5E7EB);
}
QColor Theme::mutedText() const
{
    return m_mode == Mode::Light ? QColor(0x6B7280) : QColor(0x9CA3AF);
}

QPalette Theme::palette() const
{
    QPalette p;
    p.setColor(QPalette::Window, background());
    p.setColor(QPalette::WindowText, text());
    p.setColor(QPalette::Base, card());
    p.setColor(QPalette::AlternateBase, m_mode == Mode::Light ? QColor(0xF9FAFB) : QColor(0x20242C));
    p.setColor(QPalette::Text, text());
    p.setColor(QPalette::Button, card());
    p.setColor(QPalette::ButtonText, text());
    p.setColor(QPalette::Highlight, tierColor(1));
    p.setColor(QPalette::HighlightedText, QColor(Qt::white));
    p.setColor(QPalette::PlaceholderText, mutedText());
    p.setColor(QPalette::ToolTipBase, card());
    p.setColor(QPalette::ToolTipText, text());
    p.setColor(QPalette::Mid, border());
    return p;
}

QString Theme::styleSheet() const
{
    const QString bg = background().name();
    const QString cardColor = card().name();
    const QString line = border().name();
    const QString muted = mutedText().name();
    const QString navSelected = m_mode == Mode::Light ? QStringLiteral("#E8EEFD") : QStringLiteral("#233052");
    return QStringLiteral("QMainWindow, QWidget#page { background: %1; }"
                          "QFrame#card { background: %2; border: 1px solid %3; border-radius: 8px; }"
                          "QWidget#sidebar { background: %2; border-right: 1px solid %3; }"
                          "QListWidget#navigation { background: transparent; border: none;"
                          "  padding: 8px; outline: 0; }"
                          "QListWidget#navigation::item { padding: 8px 12px; border-radius: 6px; margin: 2px 0; }"
                          "QListWidget#navigation::item:selected { background: %5; color: palette(text); }"
                          "QLabel#caption { color: %4; }"
                          "QLabel#pageTitle { font-weight: 600; }"
                          "QPlainTextEdit, QLineEdit { border: 1px solid %3; border-radius: 6px; padding: 4px 6px; "
                          "background: %2; }"
                          "QTableView { border: none; gridline-color: %3; background: %2; }"
                          "QHeaderView::section { background: %2; border: none; border-bottom: 1px solid %3;"
                          "  padding: 6px; padding-right: 18px; color: %4; font-weight: 600; }")
        .arg(bg, cardColor, line, muted, navSelected);
}

QFont Theme::bodyFont() const
{
    return QFontDatabase::systemFont(QFontDatabase::GeneralFont);
}

QFont Theme::captionFont() const
{
    QFont font = bodyFont();
    font.setPointSizeF(font.pointSizeF() * 0.85);
    return font;
}

QFont Theme::titleFont() const
{
    QFont font = bodyFont();
    font.setPointSizeF(font.pointSizeF() * 1.5);
    font.setWeight(QFont::DemiBold);
    return font;
}

QFont Theme::figureFont() const
{
    QFont font = bodyFont();
    font.setPointSizeF(font.pointSizeF() * 2.0);
    font.setWeight(QFont::DemiBold);
    return font;
}
