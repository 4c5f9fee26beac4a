#pragma once

#include "clock.h"
#include "deploy/pushresult.h"
#include "store/sourcesettings.h"
#include "store/storepolicies.h"
#include "widgets/theme.h"

#include <QHash>
#include <QWidget>

#include <functional>
#include <map>
#include <optional>
#include <vector>

class CredentialStore;
class DecisionComparisonModel;
class ModelCatalogModel;
class PolicyDeployWorker;
class PolicyDraft;
class PolicyHistoryPanel;
class PolicyProblemsModel;
class PolicyVersionsModel;
class PushPanel;
class PushResultsModel;
class QComboBox;
class QLabel;
class QListView;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QTableView;
class RuleInspector;
class RuleListModel;
class CalibrationPanel;
class SimulationPanel;
class SimulationWorker;
class StoreService;
class TierLanesView;
class TryRequestPage;

// The policy studio (DESIGN.md §4): the draft drawn as a flow that reads left to right (the request → the
// rules in order → the tier lanes → the budget guard and the fallback), edited on its cards and in the
// inspector, validated on every edit, tried on a request (and against a router), saved as named drafts,
// published as numbered versions with a note, compared, rolled back, and pushed to the routers with readback.
// Store work goes through the store service and network work through the deploy worker: the GUI thread waits
// on neither.
class PolicyStudioPage : public QWidget {
    Q_OBJECT
public:
    PolicyStudioPage(const Theme &theme, StoreService *store, PolicyDeployWorker *deploy, SimulationWorker *simulation,
                     CredentialStore *credentials, QWidget *parent = nullptr);

    void setClock(rl::Clock clock);
    // The store file, for the read-only queries that fill the pickers (team, app and user names).
    void setStorePath(const QString &path);
    // Reads the versions, drafts, prices, names and routers from the store; opens the latest version.
    void open();

    PolicyDraft *draft() const { return m_draft; }
    RuleListModel *rules() const { return m_rules; }
    QListView *rulesView() const { return m_rulesView; }
    RuleInspector *inspector() const { return m_inspector; }
    TierLanesView *lanes() const { return m_lanes; }
    PolicyProblemsModel *problems() const { return m_problems; }
    QTableView *problemsView() const { return m_problemsView; }
    TryRequestPage *tryPanel() const { return m_try; }
    PolicyVersionsModel *versions() const { return m_versions; }
    PushResultsModel *pushResults() const { return m_pushResults; }
    DecisionComparisonModel *comparison() const { return m_comparison; }
    PolicyHistoryPanel *history() const { return m_history; }
    PushPanel *pushPanel() const { return m_pushPanel; }
    SimulationPanel *simulationPanel() const { return m_simulation; }
    CalibrationPanel *calibrationPanel() const { return m_calibration; }
    QPlainTextEdit *jsonEditor() const { return m_json; }
    QTabWidget *tabs() const { return m_tabs; }
    QString statusText() const;
    QString lastError() const { return m_lastError; }
    QStringList routerNames() const;
    QHash<QString, QString> routerStates() const { return m_routerStateText; }

    // The editing actions (the buttons and shortcuts call these).
    void newEmptyDraft();
    // A policy file opened as an unsaved draft named after the file (`routeledger --policy FILE`); false, and
    // the reason shown, when it cannot be read or is not JSON. An invalid policy opens with its problems listed.
    bool openPolicyFile(const QString &path);
    void addRule();
    void duplicateSelected();
    void toggleSelected();
    void deleteSelected();
    void moveSelected(int delta);
    void selectRule(int row);
    int selectedRule() const;
    // Applies the JSON tab's text; false (and the reason shown) when it is not JSON.
    bool applyJsonText();

    void saveDraft(const QString &name);
    // Refuses an invalid draft or an empty note (false, `why` says which); otherwise publishing runs on the
    // store's thread and `published` or `failed` follows.
    bool publish(const QString &note, QString *why = nullptr);
    void rollbackTo(qint64 version, const QString &note);
    void openVersion(qint64 version);
    void openDraft(const QString &name);
    void deleteDraft(const QString &name);
    // Writes version `version` (the latest when 0) as a LiteLLM ("litellm") or Portkey ("portkey") config to
    // `path`, atomically; false with `message` saying why when nothing was written. `message` lists what the
    // format cannot express either way.
    bool exportVersion(qint64 version, const QString &format, const QString &path, QString *message);
    // Pushes the latest published version to the named routers (every router when empty).
    void push(const QStringList &routers = {}, bool dryRun = false);
    void pushAgain();
    // A stale router overwritten knowingly: If-Match its current ETag, and when it holds a version as high as
    // ours, the same document is first published again above it.
    void overwrite(const QString &router);
    void compareWithRouter(const QString &router);
    // Runs the draft in shadow on the routers checked on the Push tab (`start`), or ends shadow mode there.
    void runShadow(bool start);

signals:
    void opened();
    void draftSaved(const QString &name);
    void published(qint64 version);
    void pushFinished();
    void compared();
    void routerStatesRead();
    void failed(const QString &message);
    // name → "v3 · matches v3" / "v4 · differs from v3 (drift)" for the Sources page.
    void routerPoliciesChanged(const QHash<QString, QString> &states);

private:
    QWidget *buildHeader();
    QWidget *buildFlow();
    QWidget *buildSide();
    void draftChanged();
    void decided();
    void showProblem(const QModelIndex &index);
    void showError(const QString &message);
    void loadRouters(const std::vector<rl::SourceSettings> &settings,
                     const std::vector<rl::RouterDeploymentRecord> &deployments);
    void withTargets(const QStringList &routers, std::function<void(std::vector<rl::PushTarget>)> ready);
    void pushDocument(const std::string &document, qint64 version, const QStringList &routers, bool dryRun,
                      const QHash<QString, QString> &etagOverride = {});
    void pushDone(const std::vector<rl::PushResult> &results, qint64 version, bool dryRun);
    void readRouterStates();
    void updateActions();
    void reloadVersions(std::function<void()> then = {});

    Theme m_theme;
    StoreService *m_store = nullptr;
    PolicyDeployWorker *m_deploy = nullptr;
    CredentialStore *m_credentials = nullptr;
    rl::Clock m_clock;
    quint64 m_ticket = 0;

    PolicyDraft *m_draft = nullptr;
    RuleListModel *m_rules = nullptr;
    PolicyProblemsModel *m_problems = nullptr;
    PolicyVersionsModel *m_versions = nullptr;
    PushResultsModel *m_pushResults = nullptr;
    DecisionComparisonModel *m_comparison = nullptr;
    ModelCatalogModel *m_catalog = nullptr;
    std::map<std::string, std::string> m_savedDrafts;
    std::map<std::string, std::optional<std::int64_t>> m_draftBases;
    std::vector<rl::SourceSettings> m_routers;
    std::map<std::string, rl::RouterDeploymentRecord> m_deployments;
    QHash<QString, QString> m_routerStateText;
    QString m_lastError;
    QString m_storePath;
    int m_selectedRow = -1;
    std::string m_lastPushDocument;
    qint64 m_lastPushVersion = 0;

    QLabel *m_status = nullptr;
    QLabel *m_errorLabel = nullptr;
    QPushButton *m_saveButton = nullptr, *m_publishButton = nullptr, *m_undoButton = nullptr, *m_redoButton = nullptr;
    QTabWidget *m_tabs = nullptr;
    QListView *m_rulesView = nullptr;
    TierLanesView *m_lanes = nullptr;
    QLabel *m_guard = nullptr;
    QLabel *m_fallback = nullptr;
    QTableView *m_problemsView = nullptr;
    QLabel *m_noProblems = nullptr;
    QPlainTextEdit *m_json = nullptr;
    QLabel *m_jsonStatus = nullptr;
    bool m_jsonDirty = false;
    PolicyHistoryPanel *m_history = nullptr;
    PushPanel *m_pushPanel = nullptr;
    SimulationPanel *m_simulation = nullptr;
    CalibrationPanel *m_calibration = nullptr;
    QTabWidget *m_side = nullptr;
    QStackedWidget *m_editors = nullptr;
    RuleInspector *m_inspector = nullptr;
    class TierEditor *m_tierEditor = nullptr;
    TryRequestPage *m_try = nullptr;
    QComboBox *m_compareRouter = nullptr;
    QTableView *m_comparisonView = nullptr;
    QLabel *m_compareStatus = nullptr;
};
