#pragma once

#include "clock.h"
#include "sources/sourceview.h"
#include "store/identitymap.h"
#include "widgets/theme.h"

#include <QHash>
#include <QWidget>

#include <functional>
#include <vector>

class CredentialStore;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTableWidget;
class SourceDialog;
class SourcesModel;
class SourcesWorker;

// Sources: add, edit and remove the routers, gateways and provider accounts RouteLedger polls; test a
// connection; see each source's state, last success, last error, records and lag; pause, resume and
// poll now; and map projects, workspaces, keys, tags and gateway teams to RouteLedger teams and apps.
// Credentials go to the OS keychain before anything is saved; the worker gets them in memory only.
class SourcesPage : public QWidget {
    Q_OBJECT
public:
    SourcesPage(SourcesWorker *worker, CredentialStore *credentials, const Theme &theme, QWidget *parent = nullptr);

    SourcesModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QTableWidget *mappingsTable() const { return m_mappings; }
    QLabel *messageLabel() const { return m_message; }
    QLabel *detailLabel() const { return m_detail; }
    // The dialog the page opens for Add/Edit; tests drive it (and accept it) through this.
    SourceDialog *openDialog(const QString &editName = {});
    void saveDialog(SourceDialog *dialog, const QString &previousName);
    void selectSource(const QString &name);
    void setPausedSelected(bool paused);
    void pollSelected();
    void removeSelected();
    void readSelectedAgain();
    void addMappingRow(const rl::IdentityMapping &mapping = {});
    void saveMappings();

    // "Now" for what the page dates (a source's lag); the system clock until set.
    void setClock(rl::Clock clock) { m_clock = std::move(clock); }

signals:
    void sourcesShown();
    void mappingsShown();

private:
    void showSources(const QVector<SourceView> &sources);
    void loadCredentials(const QVector<SourceView> &sources);
    void showMappings(const std::vector<rl::IdentityMapping> &mappings);
    void showMessage(const QString &text, bool error);
    void updateButtons();
    QString selectedName() const;
    void call(std::function<void(SourcesWorker *)> work);

    Theme m_theme;
    SourcesWorker *m_worker;
    CredentialStore *m_credentials;
    SourcesModel *m_model = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_detail = nullptr;
    QLabel *m_empty = nullptr;
    QPushButton *m_edit = nullptr, *m_remove = nullptr, *m_pause = nullptr, *m_poll = nullptr, *m_readAgain = nullptr;
    QTableWidget *m_mappings = nullptr;
    QHash<QString, QString> m_secrets; // in memory only, read from the keychain
    QVector<SourceView> m_sources;
    SourceDialog *m_dialog = nullptr;
    rl::Clock m_clock;
};
