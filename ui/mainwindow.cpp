#include "mainwindow.h"

#include "theme.h"
#include "tryrequestpage.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QStackedWidget>
#include <QVBoxLayout>

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("RouteLedger"));
    resize(1280, 800);

    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *sidebar = new QWidget(central);
    sidebar->setObjectName(QStringLiteral("sidebar"));
    sidebar->setAttribute(Qt::WA_StyledBackground);
    sidebar->setFixedWidth(216);
    auto *sideLayout = new QVBoxLayout(sidebar);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->setSpacing(0);
    auto *brand = new QLabel(tr("RouteLedger"), sidebar);
    brand->setFont(Theme::current().titleFont());
    brand->setObjectName(QStringLiteral("brand"));
    brand->setIndent(0);
    m_navigation = new QListWidget(sidebar);
    m_navigation->setObjectName(QStringLiteral("navigation"));
    m_navigation->setFrameShape(QFrame::NoFrame);
    auto *brandRow = new QHBoxLayout;
    brandRow->setContentsMargins(24, 24, 16, 16);
    brandRow->addWidget(brand);
    sideLayout->addLayout(brandRow);
    sideLayout->addWidget(m_navigation, 1);

    m_pages = new QStackedWidget(central);
    layout->addWidget(sidebar);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);

    // Pages arrive with their issues; a page that is not built yet is absent, not an empty placeholder.
    m_tryRequest = new TryRequestPage(m_pages);
    addPage(tr("Try a request"), m_tryRequest);

    connect(m_navigation, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    m_navigation->setCurrentRow(0);
}

void MainWindow::addPage(const QString &name, QWidget *page)
{
    m_navigation->addItem(name);
    m_pages->addWidget(page);
}

QStringList MainWindow::pageNames() const
{
    QStringList names;
    for (int i = 0; i < m_navigation->count(); ++i)
        names << m_navigation->item(i)->text();
    return names;
}

void MainWindow::showPage(int index)
{
    m_navigation->setCurrentRow(index);
}
