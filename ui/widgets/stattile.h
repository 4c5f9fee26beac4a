#pragma once

#include <QFrame>

class QLabel;
class Theme;

// A dashboard tile: a caption, one big figure and a line that says its unit and period.
class StatTile : public QFrame {
    Q_OBJECT
public:
    StatTile(const Theme &theme, const QString &caption, QWidget *parent = nullptr);
    void setValue(const QString &figure, const QString &detail, const QColor &accent = QColor());
    QString figure() const;
    QString detail() const;

private:
    QLabel *m_caption = nullptr;
    QLabel *m_figure = nullptr;
    QLabel *m_detail = nullptr;
};
