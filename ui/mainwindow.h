#pragma once

#include <QMainWindow>

class QListWidget;
class QStackedWidget;
class TryRequestPage;

// The window: a left navigation and the pages. It only wires pages together; each page owns its work.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);

    TryRequestPage *tryRequestPage() const { return m_tryRequest; }
    QStringList pageNames() const;
    void showPage(int index);

private:
    void addPage(const QString &name, QWidget *page);

    QListWidget *m_navigation = nullptr;
    QStackedWidget *m_pages = nullptr;
    TryRequestPage *m_tryRequest = nullptr;
};
