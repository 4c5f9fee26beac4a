#pragma once

#include <QFrame>

class QLabel;

// A dashboard tile: a caption, one big figure and a line that says its unit and period.
class StatTile : public QFrame {
    Q_OBJECT
public:
    explicit StatTile(const QString &caption, QWidget *parent = nullptr);
    void setValue(const QString &figure, const QString &detail, const QColor &accent = QColor());
    QString figure() const;

private:
    QLabel *m_caption = nullptr;
    QLabel *m_figure = nullptr;
    QLabel *m_detail = nullptr;
};
