#include "policystudiopage.h"

#include "calibrationpanel.h"
#include "credentialstore.h"
#include "decisioncomparisonmodel.h"
#include "deploy/litellmexport.h"
#include "deploy/portkeyexport.h"
#include "modelcatalogmodel.h"
#include "policydeployworker.h"
#include "policydraft.h"
#include "policyhistorypanel.h"
#include "policyproblemsmodel.h"
#include "policyversionsmodel.h"
#include "pushpanel.h"
#include "pushresultsmodel.h"
#include "routing/decisionwriter.h"
#include "routing/policywording.h"
#include "rulecarddelegate.h"
#include "ruleinspector.h"
#include "rulelistmodel.h"
#include "simulationpanel.h"
#include "sources/sourcecredential.h"
#include "store/usagequeries.h"
#include "storeservice.h"
#include "textfile.h"
#include "tiereditor.h"
#include "tierlanesview.h"
#include "tryrequestpage.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QUndoStack>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace {

using Json = nlohmann::ordered_json;

struct StudioData {
    std::vector<rl::PolicyVersionRecord> versions;
    std::vector<rl::PolicyDraftRecord> drafts;
    std::optional<rl::Pricing> pricing;
    std::vector<rl::SourceSettings> routers;
    std::vector<rl::RouterDeploymentRecord> deployments;
    QStringList teams, apps, users;
    QString error;
};

QLabel *sectionTitle(const Theme &theme, const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = theme.bodyFont();
    font.setBold(true);
    label->setFont(font);
    label->setWordWrap(true); // narrow columns at 1280×800
    return label;
}

QLabel *arrow(const Theme &theme, QWidget *parent)
{
    auto *label = new QLabel(QStringLiteral("→"), parent);
    QFont font = theme.titleFont();
    label->setFont(font);
    label->setStyleSheet(QStringLiteral("color: %1;").arg(theme.mutedText().name()));
    label->setAlignment(Qt::AlignCenter);
    label->setAccessibleName(QObject::tr("then"));
    return label;
}

QStringList toStringList(const std::vector<std::string> &names)
{
    QStringList out;
    for (const std::string &name : names)
        out << QString::fromStdString(name);
    return out;
}

Json builtInPolicy()
{
    QFile file(QStringLiteral(":/routeledger/policies/default-policy.json"));
    if (!file.open(QIODevice::ReadOnly))
        return Json::object();
    return Json::parse(file.readAll().toStdString(), nullptr, false);
}

bool sameDocument(const std::string &a, const std::string &b)
{
    const Json x = Json::parse(a, nullptr, false), y = Json::parse(b, nullptr, false);
    return !x.is_discarded() && x == y;
}

} // namespace

PolicyStudioPage::PolicyStudioPage(const Theme &theme, StoreService *store, PolicyDeployWorker *deploy,
                                   SimulationWorker *simulation, CredentialStore *credentials, QWidget *parent)
    : QWidget(parent), m_theme(theme), m_store(store), m_deploy(deploy), m_credentials(credentials),
      m_clock(rl::systemClock())
{
    setObjectName(QStringLiteral("page"));
    m_draft = new PolicyDraft(this);
    m_rules = new RuleListModel(*m_draft, this);
    m_problems = new PolicyProblemsModel(*m_draft, this);
    m_versions = new PolicyVersionsModel(this);
    m_pushResults = new PushResultsModel(m_theme, this);
    m_comparison = new DecisionComparisonModel(m_theme, this);
    m_catalog = new ModelCatalogModel(this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 16, 24, 16);
    layout->setSpacing(8);
    layout->addWidget(buildHeader());
    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("studioError"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorLabel->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.blocked().name()));
    m_errorLabel->hide();
    layout->addWidget(m_errorLabel);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_tabs = new QTabWidget(splitter);
    m_tabs->addTab(buildFlow(), tr("&Flow"));
    auto *jsonPage = new QWidget(m_tabs);
    auto *jsonLayout = new QVBoxLayout(jsonPage);
    jsonLayout->setContentsMargins(0, 8, 0, 0);
    m_json = new QPlainTextEdit(jsonPage);
    m_json->setObjectName(QStringLiteral("policyJson"));
    m_json->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);
    auto *jsonRow = new QHBoxLayout;
    auto *applyJson = new QPushButton(tr("&Apply the JSON"), jsonPage);
    applyJson->setObjectName(QStringLiteral("applyJson"));
    applyJson->setToolTip(tr("Ctrl+Return"));
    m_jsonStatus = new QLabel(jsonPage);
    m_jsonStatus->setWordWrap(true);
    jsonRow->addWidget(applyJson);
    jsonRow->addWidget(m_jsonStatus, 1);
    jsonLayout->addWidget(m_json, 1);
    jsonLayout->addLayout(jsonRow);
    m_tabs->addTab(jsonPage, tr("&JSON"));
    m_history = new PolicyHistoryPanel(m_theme, *m_versions, *m_draft, m_tabs);
    m_tabs->addTab(m_history, tr("&History"));
    m_pushPanel = new PushPanel(m_theme, *m_pushResults, m_tabs);
    m_tabs->addTab(m_pushPanel, tr("P&ush"));
    m_simulation = new SimulationPanel(m_theme, simulation, m_tabs);
    m_simulation->setObjectName(QStringLiteral("simulationPanel"));
    m_simulation->setDraftProvider([this] { return m_draft->canonicalText(); });
    m_tabs->addTab(m_simulation, tr("Si&mulate"));
    m_calibration = new CalibrationPanel(m_theme, simulation, m_draft, m_tabs);
    m_calibration->setObjectName(QStringLiteral("calibrationPanel"));
    m_tabs->addTab(m_calibration, tr("&Calibrate"));
    connect(m_simulation, &SimulationPanel::runInShadowRequested, this, [this] { runShadow(true); });
    connect(m_simulation, &SimulationPanel::endShadowRequested, this, [this] { runShadow(false); });
    splitter->addWidget(m_tabs);
    splitter->addWidget(buildSide());
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter, 1);

    connect(m_draft, &PolicyDraft::changed, this, &PolicyStudioPage::draftChanged);
    connect(m_versions, &QAbstractItemModel::modelReset, this, [this] {
        QList<qint64> numbers;
        for (const rl::PolicyVersionRecord &version : m_versions->versions())
            numbers << version.version;
        std::sort(numbers.begin(), numbers.end());
        m_simulation->setVersions(numbers);
    });
    connect(m_rules, &QAbstractItemModel::modelReset, this, [this] {
        if (m_selectedRow >= 0 && m_selectedRow < m_rules->rowCount())
            m_rulesView->setCurrentIndex(m_rules->index(m_selectedRow));
    });
    connect(m_json, &QPlainTextEdit::textChanged, this, [this] {
        if (m_json->hasFocus())
            m_jsonDirty = true;
    });
    connect(applyJson, &QPushButton::clicked, this, &PolicyStudioPage::applyJsonText);
    auto *applyShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), m_json);
    applyShortcut->setContext(Qt::WidgetShortcut);
    connect(applyShortcut, &QShortcut::activated, this, &PolicyStudioPage::applyJsonText);
    connect(m_history, &PolicyHistoryPanel::openVersionRequested, this, &PolicyStudioPage::openVersion);
    connect(m_history, &PolicyHistoryPanel::rollbackRequested, this, [this](qint64 version) {
        bool ok = false;
        const QString note = QInputDialog::getText(this, tr("Roll back to version %1").arg(version),
                                                   tr("Why roll back? (required; it goes into the history)"),
                                                   QLineEdit::Normal, QString(), &ok);
        if (ok)
            rollbackTo(version, note);
    });
    connect(m_history, &PolicyHistoryPanel::openDraftRequested, this, &PolicyStudioPage::openDraft);
    connect(m_history, &PolicyHistoryPanel::deleteDraftRequested, this, &PolicyStudioPage::deleteDraft);
    connect(m_history, &PolicyHistoryPanel::exportRequested, this, [this](qint64 version, const QString &format) {
        const bool portkey = format == QStringLiteral("portkey");
        const QString path = QFileDialog::getSaveFileName(
            this, portkey ? tr("Export as a Portkey config") : tr("Export as a LiteLLM router config"),
            portkey ? QStringLiteral("portkey-config.json") : QStringLiteral("litellm-config.yaml"),
            portkey ? tr("JSON (*.json)") : tr("YAML (*.yaml *.yml)"));
        if (path.isEmpty())
            return;
        QString message;
        const bool ok = exportVersion(version, format, path, &message);
        m_history->showExportResult(message, ok);
    });
    connect(m_pushPanel, &PushPanel::pushRequested, this,
            [this](const QStringList &routers, bool dryRun) { push(routers, dryRun); });
    connect(m_pushPanel, &PushPanel::pushAgainRequested, this, &PolicyStudioPage::pushAgain);
    connect(m_pushPanel, &PushPanel::overwriteRequested, this, &PolicyStudioPage::overwrite);
    if (m_deploy) {
        connect(m_deploy, &PolicyDeployWorker::statesRead, this,
                [this](quint64, const std::vector<rl::PushResult> &states) {
                    const rl::PolicyVersionRecord *latest = m_versions->latest();
                    m_routerStateText.clear();
                    for (const rl::PushResult &state : states) {
                        const QString name = QString::fromStdString(state.target);
                        if (!state.routerVersion) {
                            m_routerStateText[name] =
                                tr("policy unknown: %1").arg(QString::fromStdString(state.summary));
                        } else if (latest && sameDocument(state.routerDocument, latest->document)) {
                            m_routerStateText[name] = tr("runs v%1, the published version").arg(*state.routerVersion);
                        } else {
                            m_routerStateText[name] = latest ? tr("runs v%1, not the published v%2 (drift)")
                                                                   .arg(*state.routerVersion)
                                                                   .arg(latest->version)
                                                             : tr("runs v%1").arg(*state.routerVersion);
                        }
                    }
                    m_pushPanel->setRouters(routerNames(), m_routerStateText);
                    emit routerPoliciesChanged(m_routerStateText);
                    emit routerStatesRead();
                });
        connect(m_deploy, &PolicyDeployWorker::routed, this,
                [this](quint64, bool ok, const QByteArray &decision, const QString &error) {
                    const QString router = m_compareRouter->currentText();
                    if (ok) {
                        const auto json = nlohmann::json::parse(decision.toStdString(), nullptr, false);
                        m_comparison->setRouter(router, json);
                        const int differences = m_comparison->differenceCount();
                        m_compareStatus->setText(
                            differences == 0
                                ? tr("%1 decides the same way as the draft.").arg(router)
                                : tr("%n difference(s) between the draft and %1 (marked).", nullptr, differences)
                                      .arg(router));
                    } else {
                        m_comparison->setRouterError(router, error);
                        m_compareStatus->setText(tr("%1 could not be asked: %2").arg(router, error));
                    }
                    emit compared();
                });
    }
    draftChanged();
}

QWidget *PolicyStudioPage::buildHeader()
{
    auto *header = new QWidget(this);
    auto *row = new QHBoxLayout(header);
    row->setContentsMargins(0, 0, 0, 0);
    auto *titles = new QVBoxLayout;
    auto *title = new QLabel(tr("Policy studio"), header);
    title->setObjectName(QStringLiteral("pageTitle"));
    title->setFont(m_theme.titleFont());
    m_status = new QLabel(header);
    m_status->setObjectName(QStringLiteral("studioStatus"));
    m_status->setFont(m_theme.captionFont());
    m_status->setWordWrap(true);
    titles->addWidget(title);
    titles->addWidget(m_status);
    row->addLayout(titles, 1);
    auto *newDraft = new QPushButton(tr("&New draft"), header);
    m_saveButton = new QPushButton(tr("&Save draft…"), header);
    m_publishButton = new QPushButton(tr("Pu&blish…"), header);
    m_publishButton->setObjectName(QStringLiteral("publishButton"));
    m_undoButton = new QPushButton(tr("Undo"), header);
    m_redoButton = new QPushButton(tr("Redo"), header);
    for (QPushButton *button : {newDraft, m_saveButton, m_publishButton, m_undoButton, m_redoButton})
        row->addWidget(button);
    connect(newDraft, &QPushButton::clicked, this, &PolicyStudioPage::newEmptyDraft);
    connect(m_saveButton, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name =
            QInputDialog::getText(this, tr("Save draft"), tr("Draft name:"), QLineEdit::Normal,
                                  m_draft->draftName().isEmpty() ? tr("my-draft") : m_draft->draftName(), &ok);
        if (ok && !name.trimmed().isEmpty())
            saveDraft(name.trimmed());
    });
    connect(m_publishButton, &QPushButton::clicked, this, [this] {
        QString why;
        if (!m_draft->isValid()) {
            publish(QStringLiteral("-"), &why);
            showError(why);
            return;
        }
        bool ok = false;
        const QString note = QInputDialog::getMultiLineText(
            this, tr("Publish"), tr("What changes, and why? (required; shown in the history)"), QString(), &ok);
        if (ok && !publish(note, &why))
            showError(why);
    });
    QUndoStack *undo = m_draft->undoStack();
    connect(m_undoButton, &QPushButton::clicked, undo, &QUndoStack::undo);
    connect(m_redoButton, &QPushButton::clicked, undo, &QUndoStack::redo);
    connect(undo, &QUndoStack::canUndoChanged, m_undoButton, &QPushButton::setEnabled);
    connect(undo, &QUndoStack::canRedoChanged, m_redoButton, &QPushButton::setEnabled);
    // The buttons, not the page: the draft's undo stack clears itself (and signals) while the page is going.
    connect(undo, &QUndoStack::undoTextChanged, m_undoButton, [button = m_undoButton](const QString &text) {
        button->setToolTip(text.isEmpty() ? tr("Nothing to undo") : tr("Undo: %1 (Ctrl+Z)").arg(text));
    });
    connect(undo, &QUndoStack::redoTextChanged, m_redoButton, [button = m_redoButton](const QString &text) {
        button->setToolTip(text.isEmpty() ? tr("Nothing to redo") : tr("Redo: %1 (Ctrl+Shift+Z)").arg(text));
    });
    m_undoButton->setEnabled(false);
    m_redoButton->setEnabled(false);
    QAction *undoAction = undo->createUndoAction(this);
    undoAction->setShortcut(QKeySequence::Undo);
    undoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QAction *redoAction = undo->createRedoAction(this);
    redoAction->setShortcut(QKeySequence::Redo);
    redoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undoAction);
    addAction(redoAction);
    return header;
}

QWidget *PolicyStudioPage::buildFlow()
{
    auto *flow = new QWidget(this);
    auto *layout = new QVBoxLayout(flow);
    layout->setContentsMargins(0, 8, 0, 0);
    layout->setSpacing(8);
    auto *row = new QHBoxLayout;
    row->setSpacing(4);

    auto *request = new QLabel(flow);
    request->setObjectName(QStringLiteral("requestNode"));
    request->setText(tr("<b>Request</b><br>team, app, user, tags<br>prompt, tokens<br>tools, images"));
    request->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    request->setWordWrap(true);
    request->setFixedWidth(96);
    request->setStyleSheet(QStringLiteral("background: %1; border: 1px solid %2; border-radius: 6px; padding: 8px;")
                               .arg(m_theme.card().name(), m_theme.border().name()));
    auto *requestColumn = new QVBoxLayout;
    requestColumn->addSpacing(28);
    requestColumn->addWidget(request);
    requestColumn->addStretch(1);
    row->addLayout(requestColumn);
    row->addWidget(arrow(m_theme, flow));

    auto *rulesColumn = new QVBoxLayout;
    rulesColumn->addWidget(sectionTitle(m_theme, tr("Rules, in order: the first that matches decides"), flow));
    auto *ruleButtons = new QHBoxLayout;
    ruleButtons->setSpacing(4);
    struct ButtonSpec {
        QString text, tip, name;
        std::function<void()> action;
    };
    const ButtonSpec specs[] = {
        {tr("+ Rule"), tr("Add a rule after the selected one (Insert)"), QStringLiteral("addRule"),
         [this] { addRule(); }},
        {tr("Copy"), tr("Duplicate the selected rule (Ctrl+D)"), QStringLiteral("duplicateRule"),
         [this] { duplicateSelected(); }},
        {tr("On/off"), tr("Enable or disable the selected rule (Space)"), QStringLiteral("toggleRule"),
         [this] { toggleSelected(); }},
        {tr("Delete"), tr("Delete the selected rule (Delete)"), QStringLiteral("deleteRule"),
         [this] { deleteSelected(); }},
        {QStringLiteral("↑"), tr("Move up (Ctrl+Up)"), QStringLiteral("ruleUp"), [this] { moveSelected(-1); }},
        {QStringLiteral("↓"), tr("Move down (Ctrl+Down)"), QStringLiteral("ruleDown"), [this] { moveSelected(1); }},
    };
    for (const ButtonSpec &spec : specs) {
        auto *button = new QPushButton(spec.text, flow);
        // As narrow as their text: the row must fit the flow's column in a 1280×800 window.
        button->setMinimumWidth(button->fontMetrics().horizontalAdvance(spec.text) + 16);
        button->setSizePolicy(QSizePolicy::Minimum, QSizePolicy::Fixed);
        button->setObjectName(spec.name);
        button->setToolTip(spec.tip);
        button->setAccessibleName(spec.tip);
        connect(button, &QPushButton::clicked, this, spec.action);
        ruleButtons->addWidget(button);
    }
    ruleButtons->addStretch(1);
    rulesColumn->addLayout(ruleButtons);
    m_rulesView = new QListView(flow);
    m_rulesView->setObjectName(QStringLiteral("ruleCards"));
    m_rulesView->setAccessibleName(tr("Rules"));
    m_rulesView->setModel(m_rules);
    m_rulesView->setItemDelegate(new RuleCardDelegate(m_theme, m_rulesView));
    m_rulesView->setUniformItemSizes(true);
    m_rulesView->setSelectionMode(QAbstractItemView::SingleSelection);
    // DragDrop rather than InternalMove: the model takes only its own rows' MIME type, and a drop that did not
    // come from a QDrag in this process (accessibility tools, tests) is handled by the model the same way.
    m_rulesView->setDragDropMode(QAbstractItemView::DragDrop);
    m_rulesView->setDefaultDropAction(Qt::MoveAction);
    m_rulesView->setDragEnabled(true);
    m_rulesView->setAcceptDrops(true);
    m_rulesView->viewport()->setAcceptDrops(true);
    m_rulesView->setDropIndicatorShown(true);
    m_rulesView->setFrameShape(QFrame::NoFrame);
    m_rulesView->setMinimumWidth(260);
    rulesColumn->addWidget(m_rulesView, 1);
    row->addLayout(rulesColumn, 5);
    row->addWidget(arrow(m_theme, flow));

    auto *lanesPanel = new QWidget(flow);
    auto *lanesLayout = new QVBoxLayout(lanesPanel);
    lanesLayout->setContentsMargins(0, 0, 0, 0);
    lanesLayout->addWidget(sectionTitle(m_theme, tr("Tiers, most capable first"), lanesPanel));
    m_lanes = new TierLanesView(m_theme, lanesPanel);
    m_lanes->setObjectName(QStringLiteral("tierLanes"));
    lanesLayout->addWidget(m_lanes);
    lanesLayout->addWidget(sectionTitle(m_theme, tr("Then the budget guard"), lanesPanel));
    m_guard = new QLabel(lanesPanel);
    m_guard->setObjectName(QStringLiteral("budgetGuard"));
    m_guard->setWordWrap(true);
    lanesLayout->addWidget(m_guard);
    lanesLayout->addWidget(sectionTitle(m_theme, tr("When a model fails"), lanesPanel));
    m_fallback = new QLabel(lanesPanel);
    m_fallback->setObjectName(QStringLiteral("fallback"));
    m_fallback->setWordWrap(true);
    lanesLayout->addWidget(m_fallback);
    lanesLayout->addStretch(1);
    auto *lanesScroll = new QScrollArea(flow);
    lanesScroll->setWidget(lanesPanel);
    lanesScroll->setWidgetResizable(true);
    lanesScroll->setFrameShape(QFrame::NoFrame);
    lanesScroll->setMinimumWidth(240);
    row->addWidget(lanesScroll, 4);
    layout->addLayout(row, 1);

    layout->addWidget(sectionTitle(m_theme, tr("Problems"), flow));
    m_problemsView = new QTableView(flow);
    m_problemsView->setObjectName(QStringLiteral("problemsView"));
    m_problemsView->setModel(m_problems);
    m_problemsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_problemsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_problemsView->verticalHeader()->hide();
    m_problemsView->horizontalHeader()->setSectionResizeMode(PolicyProblemsModel::Problem, QHeaderView::Stretch);
    m_problemsView->horizontalHeader()->setSectionResizeMode(PolicyProblemsModel::Severity,
                                                             QHeaderView::ResizeToContents);
    m_problemsView->setColumnWidth(PolicyProblemsModel::Where, 220);
    m_problemsView->setWordWrap(false);
    m_problemsView->setMaximumHeight(110);
    layout->addWidget(m_problemsView);
    m_noProblems =
        new QLabel(tr("No problems: the validator checks the draft on every edit, and this one is valid."), flow);
    m_noProblems->setObjectName(QStringLiteral("noProblems"));
    m_noProblems->setWordWrap(true);
    m_noProblems->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.good().name()));
    layout->addWidget(m_noProblems);

    connect(m_rulesView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (!current.isValid())
                    return;
                m_selectedRow = current.row();
                m_inspector->setRule(current.row());
                m_editors->setCurrentWidget(m_inspector);
            });
    connect(m_rulesView, &QListView::activated, this, [this] { m_side->setCurrentIndex(0); });
    connect(m_lanes, &TierLanesView::tierSelected, this, [this](int tier) {
        m_tierEditor->setTier(tier);
        m_editors->setCurrentWidget(m_tierEditor);
        m_side->setCurrentIndex(0);
    });
    connect(m_lanes, &TierLanesView::editTier, this, [this](int tier) {
        m_tierEditor->setTier(tier);
        m_editors->setCurrentWidget(m_tierEditor);
        m_side->setCurrentIndex(0);
    });
    connect(m_problemsView, &QTableView::clicked, this, &PolicyStudioPage::showProblem);
    connect(m_problemsView, &QTableView::activated, this, &PolicyStudioPage::showProblem);

    auto shortcut = [this](const QKeySequence &keys, std::function<void()> action) {
        auto *s = new QShortcut(keys, m_rulesView);
        s->setContext(Qt::WidgetShortcut);
        connect(s, &QShortcut::activated, this, std::move(action));
    };
    shortcut(QKeySequence(Qt::Key_Insert), [this] { addRule(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_D), [this] { duplicateSelected(); });
    shortcut(QKeySequence(Qt::Key_Space), [this] { toggleSelected(); });
    shortcut(QKeySequence::Delete, [this] { deleteSelected(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Up), [this] { moveSelected(-1); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_Down), [this] { moveSelected(1); });
    return flow;
}

QWidget *PolicyStudioPage::buildSide()
{
    m_side = new QTabWidget(this);
    m_editors = new QStackedWidget(m_side);
    m_inspector = new RuleInspector(m_theme, *m_draft, m_editors);
    m_tierEditor = new TierEditor(m_theme, *m_draft, *m_catalog, m_editors);
    m_editors->addWidget(m_inspector);
    m_editors->addWidget(m_tierEditor);
    auto *editScroll = new QScrollArea(m_side);
    editScroll->setWidget(m_editors);
    editScroll->setWidgetResizable(true);
    editScroll->setFrameShape(QFrame::NoFrame);
    m_side->addTab(editScroll, tr("&Edit"));

    auto *tryPage = new QWidget(m_side);
    auto *tryLayout = new QVBoxLayout(tryPage);
    tryLayout->setContentsMargins(0, 8, 0, 0);
    m_try = new TryRequestPage(m_theme, tryPage, TryRequestPage::Layout::Panel);
    tryLayout->addWidget(m_try, 3);
    auto *compareRow = new QHBoxLayout;
    m_compareRouter = new QComboBox(tryPage);
    m_compareRouter->setObjectName(QStringLiteral("compareRouter"));
    auto *compareButton = new QPushButton(tr("&Compare with router"), tryPage);
    compareButton->setObjectName(QStringLiteral("compareButton"));
    compareRow->addWidget(m_compareRouter, 1);
    compareRow->addWidget(compareButton);
    tryLayout->addLayout(compareRow);
    m_compareStatus =
        new QLabel(tr("Send the same request to a router's /admin/route and see both decisions."), tryPage);
    m_compareStatus->setWordWrap(true);
    m_compareStatus->setFont(m_theme.captionFont());
    tryLayout->addWidget(m_compareStatus);
    m_comparisonView = new QTableView(tryPage);
    m_comparisonView->setObjectName(QStringLiteral("comparisonView"));
    m_comparisonView->setModel(m_comparison);
    m_comparisonView->verticalHeader()->hide();
    m_comparisonView->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_comparisonView->setMaximumHeight(220);
    tryLayout->addWidget(m_comparisonView, 2);
    // Scrolls, like the inspector: the form and its explanation are taller than a 1280×800 window leaves.
    auto *tryScroll = new QScrollArea(m_side);
    tryScroll->setWidget(tryPage);
    tryScroll->setWidgetResizable(true);
    tryScroll->setFrameShape(QFrame::NoFrame);
    m_side->addTab(tryScroll, tr("&Try it"));
    m_side->setMinimumWidth(340);

    connect(m_try, &TryRequestPage::decided, this, &PolicyStudioPage::decided);
    connect(compareButton, &QPushButton::clicked, this, [this] { compareWithRouter(m_compareRouter->currentText()); });
    return m_side;
}

void PolicyStudioPage::setStorePath(const QString &path)
{
    m_storePath = path;
    m_simulation->setStorePath(path);
    m_calibration->setStorePath(path);
}

void PolicyStudioPage::setClock(rl::Clock clock)
{
    m_clock = std::move(clock);
    m_try->setClock(m_clock);
    m_simulation->setClock(m_clock);
    m_calibration->setClock(m_clock);
}

QString PolicyStudioPage::statusText() const
{
    return m_status->text();
}

QStringList PolicyStudioPage::routerNames() const
{
    QStringList names;
    for (const rl::SourceSettings &router : m_routers)
        names << QString::fromStdString(router.name);
    return names;
}

void PolicyStudioPage::draftChanged()
{
    const rl::PolicyLoad &validation = m_draft->validation();
    const Json &document = m_draft->document();
    QString where = m_draft->draftName().isEmpty() ? tr("Unsaved draft") : tr("Draft “%1”").arg(m_draft->draftName());
    if (m_draft->baseVersion())
        where += tr(", based on v%1").arg(*m_draft->baseVersion());
    const QString verdict =
        validation.ok()
            ? (validation.warnings.empty() ? tr("valid")
                                           : tr("valid, %n warning(s)", nullptr, int(validation.warnings.size())))
            : tr("%n error(s): it can be saved, not published", nullptr, int(validation.errors.size()));
    m_status->setText(tr("%1 · %2 rules · %3").arg(where).arg(m_draft->ruleCount()).arg(verdict));
    m_status->setStyleSheet(validation.ok() ? QString() : QStringLiteral("color: %1;").arg(m_theme.blocked().name()));
    m_lanes->setDocument(document);

    QStringList guard;
    if (document.contains("budget_guard") && document["budget_guard"].is_array())
        for (const auto &step : document["budget_guard"])
            guard << QStringLiteral("• ") + QString::fromStdString(rl::PolicyWording::guardStep(step));
    m_guard->setText(guard.isEmpty() ? tr("No budget guard: requests are routed the same however much is spent.")
                                     : guard.join(QLatin1Char('\n')));
    m_fallback->setText(
        document.contains("fallback")
            ? QString::fromStdString(rl::PolicyWording::fallback(document["fallback"]))
            : tr("Default fallback: on timeout, rate limit or server error, up to 3 attempts, then down a tier."));
    if (!m_jsonDirty) {
        const QSignalBlocker blocker(m_json);
        const QString text = m_draft->canonicalText();
        if (m_json->toPlainText() != text)
            m_json->setPlainText(text);
    }
    if (validation.ok())
        m_try->setPolicy(validation.policy, tr("draft"));
    const bool clean = validation.errors.empty() && validation.warnings.empty();
    m_problemsView->setVisible(!clean);
    m_noProblems->setVisible(clean);
    updateActions();
}

void PolicyStudioPage::updateActions()
{
    m_publishButton->setEnabled(m_store != nullptr);
    m_publishButton->setToolTip(m_draft->isValid() ? tr("Publish the draft as the next version")
                                                   : tr("The draft has errors: fix them before publishing"));
    m_saveButton->setEnabled(m_store != nullptr);
    m_pushPanel->setPublished(m_versions->latest() ? m_versions->latest()->version : 0);
}

void PolicyStudioPage::decided()
{
    const auto &decision = m_try->decision();
    if (!decision)
        return;
    m_rules->setHighlightedRule(decision->decidedBy == rl::DecidedBy::Rule ? decision->rule : -1);
    m_lanes->setHighlight(decision->tier, QString::fromStdString(std::string(decision->model)));
    m_comparison->setDraft(nlohmann::json::parse(rl::DecisionWriter::toJson(*decision, m_try->request()).dump()));
}

void PolicyStudioPage::showProblem(const QModelIndex &index)
{
    const QString path = m_problems->index(index.row(), 0).data(PolicyProblemsModel::PathRole).toString();
    const QStringList parts = path.split(QLatin1Char('/'));
    if (parts.size() >= 3 && parts[1] == QStringLiteral("rules")) {
        selectRule(parts[2].toInt());
        m_side->setCurrentIndex(0);
        m_editors->setCurrentWidget(m_inspector);
        m_inspector->focusPath(path);
    } else if (parts.size() >= 3 && parts[1] == QStringLiteral("tiers")) {
        m_lanes->selectTier(parts[2].toInt());
        m_side->setCurrentIndex(0);
    } else {
        m_tabs->setCurrentIndex(1); // the JSON tab shows the rest of the document
    }
}

void PolicyStudioPage::showError(const QString &message)
{
    m_lastError = message;
    m_errorLabel->setText(message);
    m_errorLabel->setVisible(!message.isEmpty());
    if (!message.isEmpty())
        emit failed(message);
}

void PolicyStudioPage::selectRule(int row)
{
    if (row < 0 || row >= m_rules->rowCount())
        return;
    m_selectedRow = row;
    m_rulesView->setCurrentIndex(m_rules->index(row));
    m_inspector->setRule(row);
}

int PolicyStudioPage::selectedRule() const
{
    const QModelIndex current = m_rulesView->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void PolicyStudioPage::newEmptyDraft()
{
    const rl::PolicyVersionRecord *latest = m_versions->latest();
    const Json base = latest ? Json::parse(latest->document, nullptr, false) : builtInPolicy();
    m_selectedRow = -1;
    m_draft->load(PolicyDraft::emptyFrom(base.is_discarded() ? builtInPolicy() : base), QString(),
                  latest ? std::optional<qint64>(latest->version) : std::nullopt);
    m_inspector->setRule(-1);
}

bool PolicyStudioPage::openPolicyFile(const QString &path)
{
    auto text = rl::readTextFile(path.toStdString(), rl::PolicyParser::kMaxDocumentBytes);
    if (!text) {
        showError(tr("%1 was not opened: %2").arg(path, QString::fromStdString(text.error().message)));
        return false;
    }
    const Json document = Json::parse(text.value(), nullptr, false);
    if (document.is_discarded()) {
        showError(tr("%1 is not JSON, so it was not opened; check the file (a policy is one JSON object).").arg(path));
        return false;
    }
    m_selectedRow = -1;
    m_draft->load(document, QFileInfo(path).fileName(), std::nullopt);
    m_inspector->setRule(-1);
    showError(QString());
    return true;
}

void PolicyStudioPage::addRule()
{
    const int at = selectedRule() < 0 ? m_draft->ruleCount() : selectedRule() + 1;
    Json rule = {{"id", m_draft->unusedRuleId(QStringLiteral("rule-%1").arg(m_draft->ruleCount() + 1)).toStdString()},
                 {"when", Json{{"complexity", Json{{"lt", 0.35}}}}},
                 {"then", Json{{"tier", m_lanes->tierCount() > 0 && m_draft->document()["tiers"].back().contains("name")
                                            ? m_draft->document()["tiers"].back()["name"]
                                            : Json("light")}}}};
    m_selectedRow = at;
    m_draft->addRule(at, std::move(rule));
    selectRule(at);
    m_side->setCurrentIndex(0);
}

void PolicyStudioPage::duplicateSelected()
{
    const int row = selectedRule();
    if (row < 0)
        return;
    m_selectedRow = row + 1;
    m_draft->duplicateRule(row);
    selectRule(row + 1);
}

void PolicyStudioPage::toggleSelected()
{
    const int row = selectedRule();
    if (row < 0)
        return;
    m_draft->setRuleEnabled(row, !m_rules->index(row).data(RuleListModel::EnabledRole).toBool());
}

void PolicyStudioPage::deleteSelected()
{
    const int row = selectedRule();
    if (row < 0)
        return;
    m_selectedRow = std::min(row, m_draft->ruleCount() - 2);
    m_draft->removeRule(row);
    if (m_selectedRow >= 0)
        selectRule(m_selectedRow);
    else
        m_inspector->setRule(-1);
}

void PolicyStudioPage::moveSelected(int delta)
{
    const int row = selectedRule();
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= m_draft->ruleCount())
        return;
    m_selectedRow = to;
    m_draft->moveRule(row, to);
    selectRule(to);
}

bool PolicyStudioPage::applyJsonText()
{
    QString error;
    if (!m_draft->setText(m_json->toPlainText(), &error)) {
        m_jsonStatus->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.blocked().name()));
        m_jsonStatus->setText(error);
        return false;
    }
    m_jsonDirty = false;
    m_jsonStatus->setStyleSheet(QString());
    m_jsonStatus->setText(tr("Applied; the flow shows it."));
    draftChanged();
    return true;
}

void PolicyStudioPage::open()
{
    if (!m_store) {
        newEmptyDraft();
        m_draft->load(builtInPolicy(), QString(), std::nullopt);
        return;
    }
    const std::string path = m_storePath.toStdString();
    m_store->submit(
        this,
        [path](rl::UsageStore &store) {
            StudioData loaded;
            auto versions = store.policyVersions();
            auto drafts = store.policyDrafts();
            auto pricing = store.pricing();
            auto settings = store.sourceSettings();
            auto deployments = store.routerDeployments();
            if (!versions || !drafts || !pricing || !settings || !deployments) {
                loaded.error = QString::fromStdString((!versions   ? versions.error()
                                                       : !drafts   ? drafts.error()
                                                       : !pricing  ? pricing.error()
                                                       : !settings ? settings.error()
                                                                   : deployments.error())
                                                          .message);
                return loaded;
            }
            loaded.versions = std::move(versions).value();
            loaded.drafts = std::move(drafts).value();
            loaded.pricing = std::move(pricing).value();
            for (rl::SourceSettings &source : settings.value())
                if (source.kind == "router")
                    loaded.routers.push_back(std::move(source));
            loaded.deployments = std::move(deployments).value();
            if (!path.empty()) {
                if (auto queries = rl::UsageQueries::open(path)) {
                    loaded.teams = toStringList(queries->dimensionNames("teams").valueOr({}));
                    loaded.apps = toStringList(queries->dimensionNames("apps").valueOr({}));
                    loaded.users = toStringList(queries->dimensionNames("users").valueOr({}));
                }
            }
            return loaded;
        },
        [this](const StudioData &loaded) {
            if (!loaded.error.isEmpty()) {
                showError(tr("The studio could not read the store: %1").arg(loaded.error));
                return;
            }
            m_versions->setVersions(loaded.versions);
            m_savedDrafts.clear();
            m_draftBases.clear();
            for (const rl::PolicyDraftRecord &draft : loaded.drafts) {
                m_savedDrafts[draft.name] = draft.document;
                m_draftBases[draft.name] = draft.baseVersion;
            }
            m_history->setDrafts(m_savedDrafts);
            if (loaded.pricing) {
                const qint64 now = rl::readClock(m_clock);
                m_lanes->setPricing(*loaded.pricing, now);
                m_catalog->setPricing(*loaded.pricing, now);
                m_inspector->setCatalogModels(m_catalog->modelIds());
            }
            m_inspector->setNames(loaded.teams, loaded.apps, loaded.users);
            m_simulation->setTeams(loaded.teams);
            m_calibration->setTeams(loaded.teams);
            loadRouters(loaded.routers, loaded.deployments);
            // A first open shows what is deployed: the latest published version (or the built-in policy).
            if (m_draft->undoStack()->count() == 0 && m_draft->draftName().isEmpty()) {
                if (const rl::PolicyVersionRecord *latest = m_versions->latest())
                    openVersion(latest->version);
                else
                    m_draft->load(builtInPolicy(), QString(), std::nullopt);
            }
            updateActions();
            readRouterStates();
            emit opened();
        });
}

void PolicyStudioPage::loadRouters(const std::vector<rl::SourceSettings> &settings,
                                   const std::vector<rl::RouterDeploymentRecord> &deployments)
{
    m_routers = settings;
    m_deployments.clear();
    for (const rl::RouterDeploymentRecord &deployment : deployments)
        m_deployments[deployment.router] = deployment;
    const QString current = m_compareRouter->currentText();
    m_compareRouter->clear();
    m_compareRouter->addItems(routerNames());
    if (!current.isEmpty())
        m_compareRouter->setCurrentText(current);
    m_pushPanel->setRouters(routerNames(), m_routerStateText);
}

void PolicyStudioPage::openVersion(qint64 version)
{
    const rl::PolicyVersionRecord *record = m_versions->find(version);
    if (!record)
        return;
    const Json document = Json::parse(record->document, nullptr, false);
    m_selectedRow = -1;
    m_draft->load(document.is_discarded() ? Json::object() : document, QString(), version);
    m_inspector->setRule(-1);
}

void PolicyStudioPage::openDraft(const QString &name)
{
    auto it = m_savedDrafts.find(name.toStdString());
    if (it == m_savedDrafts.end())
        return;
    const Json document = Json::parse(it->second, nullptr, false);
    m_selectedRow = -1;
    // A draft is saved as typed; one that is not JSON at all opens as an empty object, its text in the JSON tab.
    m_draft->load(document.is_discarded() ? Json::object() : document, name,
                  m_draftBases[name.toStdString()] ? std::optional<qint64>(*m_draftBases[name.toStdString()])
                                                   : std::nullopt);
    m_inspector->setRule(-1);
    m_tabs->setCurrentIndex(0);
}

void PolicyStudioPage::deleteDraft(const QString &name)
{
    if (!m_store)
        return;
    const std::string key = name.toStdString();
    m_store->submit(
        this, [key](rl::UsageStore &store) { return store.deletePolicyDraft(key); },
        [this, key, name](const rl::Result<void> &deleted) {
            if (!deleted) {
                showError(tr("The draft was not deleted: %1").arg(QString::fromStdString(deleted.error().message)));
                return;
            }
            m_savedDrafts.erase(key);
            m_draftBases.erase(key);
            m_history->setDrafts(m_savedDrafts);
            if (m_draft->draftName() == name)
                m_draft->setDraftName(QString()); // still open, now unsaved
            draftChanged();
        });
}

bool PolicyStudioPage::exportVersion(qint64 version, const QString &format, const QString &path, QString *message)
{
    const rl::PolicyVersionRecord *record = version > 0 ? m_versions->find(version) : m_versions->latest();
    auto fail = [&](const QString &why) {
        if (message)
            *message = why;
        return false;
    };
    if (!record)
        return fail(tr("Nothing is published yet: publish a version, then export it."));
    rl::PolicyLoad load = rl::PolicyParser::parse(record->document);
    if (!load.ok())
        return fail(tr("Version %1 does not read as a policy: %2")
                        .arg(record->version)
                        .arg(QString::fromStdString(load.errors.front().line())));
    // Without a router config every provider's base URL and key variable are placeholders (each a warning).
    const rl::ExportResult exported = format == QStringLiteral("portkey")
                                          ? rl::PortkeyExport::write(*load.policy, nullptr)
                                          : rl::LiteLlmExport::write(*load.policy, nullptr);
    QStringList warnings;
    for (const std::string &warning : exported.warnings)
        warnings << QStringLiteral("• ") + QString::fromStdString(warning);
    if (!exported.meaningful)
        return fail(tr("Nothing of version %1's routing can be expressed in this format, so nothing was written:\n%2")
                        .arg(record->version)
                        .arg(warnings.join(QLatin1Char('\n'))));
    if (auto written = rl::writeFileAtomically(path.toStdString(), exported.text); !written)
        return fail(tr("Not exported: %1").arg(QString::fromStdString(written.error().message)));
    if (message)
        *message = warnings.isEmpty()
                       ? tr("Version %1 written to %2.").arg(record->version).arg(path)
                       : tr("Version %1 written to %2. What the format cannot express (left out, never weakened):\n%3")
                             .arg(record->version)
                             .arg(path, warnings.join(QLatin1Char('\n')));
    return true;
}

void PolicyStudioPage::reloadVersions(std::function<void()> then)
{
    m_store->submit(
        this, [](rl::UsageStore &store) { return store.policyVersions(); },
        [this, then = std::move(then)](const rl::Result<std::vector<rl::PolicyVersionRecord>> &versions) {
            if (versions)
                m_versions->setVersions(versions.value());
            updateActions();
            if (then)
                then();
        });
}

void PolicyStudioPage::saveDraft(const QString &name)
{
    if (!m_store)
        return;
    rl::PolicyDraftRecord record;
    record.name = name.toStdString();
    record.document = m_draft->document().dump(2);
    if (m_draft->baseVersion())
        record.baseVersion = *m_draft->baseVersion();
    m_store->submit(
        this, [record](rl::UsageStore &store) { return store.savePolicyDraft(record); },
        [this, name, record](const rl::Result<void> &saved) {
            if (!saved) {
                showError(tr("The draft was not saved: %1").arg(QString::fromStdString(saved.error().message)));
                return;
            }
            m_draft->setDraftName(name);
            m_draft->undoStack()->setClean();
            m_savedDrafts[record.name] = record.document;
            m_draftBases[record.name] = record.baseVersion;
            m_history->setDrafts(m_savedDrafts);
            draftChanged();
            emit draftSaved(name);
        });
}

bool PolicyStudioPage::publish(const QString &note, QString *why)
{
    auto refuse = [&](const QString &reason) {
        if (why)
            *why = reason;
        return false;
    };
    if (!m_store)
        return refuse(tr("No store is open, so there is nowhere to publish."));
    if (!m_draft->isValid())
        return refuse(
            tr("The draft has %n error(s) (see Problems); fix them before publishing. It can be saved as it is.",
               nullptr, int(m_draft->validation().errors.size())));
    if (note.trimmed().isEmpty())
        return refuse(tr("A note is required: say what changes and why, for the history."));
    const std::string document = m_draft->canonicalText().toStdString();
    const std::string text = note.trimmed().toStdString();
    m_store->submit(
        this, [document, text](rl::UsageStore &store) { return store.publishPolicy(document, text); },
        [this](const rl::Result<rl::PolicyVersionRecord> &record) {
            if (!record) {
                showError(tr("Not published: %1").arg(QString::fromStdString(record.error().message)));
                return;
            }
            const qint64 version = record->version;
            reloadVersions([this, version] {
                openVersion(version);
                showError(QString());
                emit published(version);
            });
        });
    return true;
}

void PolicyStudioPage::rollbackTo(qint64 version, const QString &note)
{
    const rl::PolicyVersionRecord *record = m_versions->find(version);
    if (!record || !m_store)
        return;
    if (note.trimmed().isEmpty()) {
        showError(tr("A rollback needs a note: say why, for the history."));
        return;
    }
    const std::string document = record->document;
    const std::string text = note.trimmed().toStdString();
    m_store->submit(
        this, [document, text, version](rl::UsageStore &store) { return store.publishPolicy(document, text, version); },
        [this](const rl::Result<rl::PolicyVersionRecord> &published) {
            if (!published) {
                showError(tr("Not rolled back: %1").arg(QString::fromStdString(published.error().message)));
                return;
            }
            const qint64 newVersion = published->version;
            reloadVersions([this, newVersion] {
                openVersion(newVersion);
                emit this->published(newVersion);
            });
        });
}

void PolicyStudioPage::withTargets(const QStringList &routers, std::function<void(std::vector<rl::PushTarget>)> ready)
{
    auto targets = std::make_shared<std::vector<rl::PushTarget>>();
    auto pending = std::make_shared<int>(0);
    std::vector<const rl::SourceSettings *> chosen;
    for (const rl::SourceSettings &router : m_routers)
        if (routers.isEmpty() || routers.contains(QString::fromStdString(router.name)))
            chosen.push_back(&router);
    targets->resize(chosen.size());
    *pending = int(chosen.size());
    auto finishOne = [targets, pending, ready] {
        if (--*pending == 0)
            ready(*targets);
    };
    if (chosen.empty()) {
        ready({});
        return;
    }
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        rl::PushTarget &target = (*targets)[i];
        target.name = chosen[i]->name;
        target.baseUrl = chosen[i]->baseUrl;
        if (rl::SourceCredential::environmentVariable(*chosen[i])) {
            target.adminToken = rl::SourceCredential::fromEnvironment(*chosen[i]).valueOr(std::string());
            finishOne();
        } else if (m_credentials) {
            m_credentials->read(QString::fromStdString(target.name),
                                [targets, i, finishOne](const CredentialStore::Outcome &outcome) {
                                    if (outcome.ok)
                                        (*targets)[i].adminToken = outcome.secret.toStdString();
                                    finishOne();
                                });
        } else {
            finishOne();
        }
    }
}

void PolicyStudioPage::push(const QStringList &routers, bool dryRun)
{
    const rl::PolicyVersionRecord *latest = m_versions->latest();
    if (!latest) {
        showError(tr("Nothing is published yet: publish the draft first, then push."));
        return;
    }
    pushDocument(latest->document, latest->version, routers, dryRun);
}

void PolicyStudioPage::pushAgain()
{
    if (m_lastPushDocument.empty())
        return;
    const QStringList failed = m_pushResults->failedRouters();
    if (!failed.isEmpty())
        pushDocument(m_lastPushDocument, m_lastPushVersion, failed, false);
}

void PolicyStudioPage::pushDocument(const std::string &document, qint64 version, const QStringList &routers,
                                    bool dryRun, const QHash<QString, QString> &etagOverride)
{
    if (!m_deploy)
        return;
    m_lastPushDocument = document;
    m_lastPushVersion = version;
    m_pushPanel->setBusy(true, dryRun ? tr("Validating v%1 on the routers…").arg(version)
                                      : tr("Pushing v%1 to the routers…").arg(version));
    const quint64 ticket = ++m_ticket;
    auto deployments = m_deployments;
    withTargets(routers, [this, document, version, dryRun, ticket, etagOverride,
                          deployments](std::vector<rl::PushTarget> targets) {
        for (rl::PushTarget &target : targets) {
            const QString name = QString::fromStdString(target.name);
            if (etagOverride.contains(name)) {
                target.expectedEtag = etagOverride.value(name).toStdString();
            } else if (auto it = deployments.find(target.name);
                       it != deployments.end() && it->second.outcome == "applied" && !it->second.etag.empty()) {
                target.expectedEtag = it->second.etag; // what the app last installed there
            }
        }
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = connect(
            m_deploy, &PolicyDeployWorker::pushed, this,
            [this, connection, ticket, version, dryRun](quint64 answered, const std::vector<rl::PushResult> &results) {
                if (answered != ticket)
                    return;
                disconnect(*connection);
                pushDone(results, version, dryRun);
            });
        QMetaObject::invokeMethod(
            m_deploy,
            [deploy = m_deploy, ticket, document, targets, dryRun] {
                deploy->push(ticket, QString::fromStdString(document), targets, dryRun);
            },
            Qt::QueuedConnection);
    });
}

void PolicyStudioPage::pushDone(const std::vector<rl::PushResult> &results, qint64 version, bool dryRun)
{
    m_pushResults->merge(results);
    int applied = 0;
    for (const rl::PushResult &result : results)
        applied += result.outcome == rl::PushOutcome::Applied ? 1 : 0;
    m_pushPanel->setBusy(
        false, dryRun ? tr("Dry run: %1 of %2 router(s) would take v%3.").arg(applied).arg(results.size()).arg(version)
                      : tr("v%1 applied on %2 of %3 router(s).").arg(version).arg(applied).arg(results.size()));
    if (!dryRun && m_store) {
        const qint64 now = rl::readClock(m_clock);
        std::vector<std::pair<rl::RouterDeploymentRecord, std::string>> records;
        for (const rl::PushResult &result : results) {
            rl::RouterDeploymentRecord record;
            record.router = result.target;
            record.url = result.baseUrl;
            record.version = result.outcome == rl::PushOutcome::Applied ? version : result.routerVersion.value_or(0);
            record.etag = result.routerEtag;
            record.atMs = now;
            record.outcome = std::string(rl::pushOutcomeName(result.outcome));
            std::string details = result.summary;
            for (const std::string &line : result.details)
                details += "\n" + line;
            m_deployments[record.router] = record;
            records.emplace_back(record, details);
        }
        m_store->submit(
            this,
            [records](rl::UsageStore &store) -> rl::Result<void> {
                for (const auto &[record, details] : records)
                    if (auto saved = store.recordPolicyPush(record, details); !saved)
                        return saved;
                return {};
            },
            [this](const rl::Result<void> &saved) {
                if (!saved)
                    showError(tr("The push ran, but its results were not recorded: %1")
                                  .arg(QString::fromStdString(saved.error().message)));
            });
    }
    readRouterStates();
    emit pushFinished();
}

void PolicyStudioPage::runShadow(bool start)
{
    if (!m_deploy)
        return;
    if (start && !m_draft->isValid()) {
        m_simulation->showShadowStatus(tr("The draft has problems; fix them before running it in shadow."));
        return;
    }
    const QStringList routers = m_pushPanel->checkedRouters();
    if (routers.isEmpty()) {
        m_simulation->showShadowStatus(tr("No router is checked on the Push tab; check the routers to run it on."));
        return;
    }
    const std::string document = m_draft->canonicalText().toStdString();
    m_simulation->showShadowStatus(start ? tr("Installing the draft in shadow on %1…").arg(routers.join(", "))
                                         : tr("Ending shadow mode on %1…").arg(routers.join(", ")));
    const quint64 ticket = ++m_ticket;
    withTargets(routers, [this, document, start, ticket](std::vector<rl::PushTarget> targets) {
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = connect(
            m_deploy, &PolicyDeployWorker::pushed, this,
            [this, connection, ticket, start](quint64 answered, const std::vector<rl::PushResult> &results) {
                if (answered != ticket)
                    return;
                disconnect(*connection);
                QStringList lines;
                std::vector<rl::AuditRecord> audit;
                for (const rl::PushResult &result : results) {
                    lines << QStringLiteral("%1: %2").arg(QString::fromStdString(result.target),
                                                          QString::fromStdString(result.summary));
                    if (result.outcome == rl::PushOutcome::Applied && (start || result.routerVersion))
                        audit.push_back({start ? "policy.shadow" : "policy.shadow_end", result.target, "",
                                         nlohmann::ordered_json{{"outcome", rl::pushOutcomeName(result.outcome)},
                                                                {"summary", result.summary},
                                                                {"version", result.routerVersion.value_or(0)}}
                                             .dump()});
                }
                m_simulation->showShadowStatus(lines.join(QLatin1Char('\n')));
                if (audit.empty() || !m_store)
                    return;
                m_store->submit(
                    this,
                    [audit](rl::UsageStore &store) -> rl::Result<void> {
                        for (const rl::AuditRecord &record : audit)
                            if (auto saved = store.appendAudit(record); !saved)
                                return saved;
                        return {};
                    },
                    [this](const rl::Result<void> &saved) {
                        if (!saved)
                            showError(tr("Shadow mode changed, but it was not recorded in the audit log: %1")
                                          .arg(QString::fromStdString(saved.error().message)));
                    });
            });
        QMetaObject::invokeMethod(
            m_deploy,
            [deploy = m_deploy, ticket, document, targets, start] {
                if (start)
                    deploy->pushShadow(ticket, QString::fromStdString(document), targets);
                else
                    deploy->endShadow(ticket, targets);
            },
            Qt::QueuedConnection);
    });
}

void PolicyStudioPage::overwrite(const QString &router)
{
    const rl::PushResult *stale = m_pushResults->result(router);
    const rl::PolicyVersionRecord *latest = m_versions->latest();
    if (!stale || stale->outcome != rl::PushOutcome::Stale || !latest)
        return;
    const QHash<QString, QString> etag{{router, QString::fromStdString(stale->routerEtag)}};
    const qint64 held = stale->routerVersion.value_or(0);
    if (held < latest->version) {
        pushDocument(latest->document, latest->version, {router}, false, etag);
        return;
    }
    // The router holds a version as high as ours: the same document is published again above it (the router
    // only takes higher versions), then pushed over what it holds.
    const std::string document = latest->document;
    const std::string note = tr("Overwrite %1, which held v%2 from elsewhere").arg(router).arg(held).toStdString();
    m_store->submit(
        this,
        [document, note, held](rl::UsageStore &store) {
            return store.publishPolicy(document, note, std::nullopt, held + 1);
        },
        [this, router, etag](const rl::Result<rl::PolicyVersionRecord> &record) {
            if (!record) {
                showError(tr("Not overwritten: %1").arg(QString::fromStdString(record.error().message)));
                return;
            }
            const rl::PolicyVersionRecord published = record.value();
            reloadVersions([this, published, router, etag] {
                emit this->published(published.version);
                pushDocument(published.document, published.version, {router}, false, etag);
            });
        });
}

void PolicyStudioPage::compareWithRouter(const QString &router)
{
    if (!m_deploy || router.isEmpty())
        return;
    const QByteArray body = m_try->requestBody();
    const quint64 ticket = ++m_ticket;
    m_compareStatus->setText(tr("Asking %1…").arg(router));
    withTargets({router}, [this, body, ticket](std::vector<rl::PushTarget> targets) {
        if (targets.empty())
            return;
        QMetaObject::invokeMethod(
            m_deploy,
            [deploy = m_deploy, ticket, target = targets.front(), body] { deploy->route(ticket, target, body); },
            Qt::QueuedConnection);
    });
}

void PolicyStudioPage::readRouterStates()
{
    if (!m_deploy || m_routers.empty())
        return;
    const quint64 ticket = ++m_ticket;
    withTargets({}, [this, ticket](std::vector<rl::PushTarget> targets) {
        QMetaObject::invokeMethod(
            m_deploy, [deploy = m_deploy, ticket, targets] { deploy->readStates(ticket, targets); },
            Qt::QueuedConnection);
    });
}
