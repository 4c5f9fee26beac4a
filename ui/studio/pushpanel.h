#pragma once

#include "widgets/theme.h"

#include <QWidget>

class PushResultsModel;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTableView;

// The studio's Push tab: the routers configured as sources (all checked, or a chosen set), a push of the
// published version to them, one result per router with its details (the router's error lines, the diff of
// a stale router or of a readback that differs), pushing again to the failures only, and overwriting a stale
// router knowingly.
class PushPanel : public QWidget {
    Q_OBJECT
public:
    PushPanel(const Theme &theme, PushResultsModel &results, QWidget *parent = nullptr);

    // name → "v3 · matches the published version" (or the drift, or why it could not be read)
    void setRouters(const QStringList &names, const QHash<QString, QString> &states);
    QStringList checkedRouters() const;
    void setBusy(bool busy, const QString &status = QString());
    void setPublished(qint64 version);
    QString detailsText() const;
    void selectRouter(const QString &router);

signals:
    void pushRequested(const QStringList &routers, bool dryRun);
    void pushAgainRequested();
    void overwriteRequested(const QString &router);

private:
    void showDetails();

    Theme m_theme;
    PushResultsModel &m_results;
    QLabel *m_published = nullptr;
    QListWidget *m_routers = nullptr;
    QPushButton *m_push = nullptr, *m_dryRun = nullptr, *m_again = nullptr, *m_overwrite = nullptr;
    QLabel *m_status = nullptr;
    QTableView *m_table = nullptr;
    QPlainTextEdit *m_details = nullptr;
};
