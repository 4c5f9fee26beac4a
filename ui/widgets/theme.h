#pragma once

#include <QColor>
#include <QFont>
#include <QPalette>
#include <QString>

class QApplication;

// The one palette of the app (DESIGN.md §4.1), light or dark: QPalette, a style sheet and chart colours
// all come from here, so a tier is the same colour everywhere. A small value: app/ makes one and passes it
// (const Theme &) to the window, whose pages, models and widgets take it in their constructors; there is no
// global current theme.
class Theme {
public:
    enum class Mode { Light, Dark };

    explicit Theme(Mode mode = Mode::Light);

    // Sets the application's style, palette and style sheet from this theme.
    void applyTo(QApplication &app) const;

    Mode mode() const { return m_mode; }
    QPalette palette() const;
    QString styleSheet() const;

    // Tiers are coloured by position (most capable first): violet, blue, teal, then greys.
    QColor tierColor(int tierIndex) const;
    QColor blocked() const { return QColor(0xDC2626); }
    QColor warning() const { return QColor(0xD97706); }
    QColor good() const { return QColor(0x16A34A); }
    QColor background() const;
    QColor card() const;
    QColor border() const;
    QColor text() const;
    QColor mutedText() const;

    // The type scale: tile figure, page title, body, caption.
    QFont figureFont() const;
    QFont titleFont() const;
    QFont bodyFont() const;
    QFont captionFont() const;

private:
    Mode m_mode;
};
