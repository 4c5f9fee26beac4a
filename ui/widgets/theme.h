#pragma once

#include <QColor>
#include <QFont>
#include <QPalette>
#include <QString>

class QApplication;

// The one palette of the app (DESIGN.md §4.1), light or dark: QPalette, a style sheet and chart colours
// all come from here, so a tier is the same colour everywhere.
class Theme {
public:
    enum class Mode { Light, Dark };

    explicit Theme(Mode mode = Mode::Light);

    static Theme &current();
    static void apply(QApplication &app, Mode mode);

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
