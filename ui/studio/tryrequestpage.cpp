#include "studio/tryrequestpage.h"

#include "studio/decisiontrailmodel.h"
#include "widgets/theme.h"

#include "routing/policyparser.h"
#include "textfile.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include <functional>

namespace {

QFrame *makeCard(QWidget *parent)
{
    auto *card = new QFrame(parent);
    card->setObjectName(QStringLiteral("card"));
    return card;
}

QLabel *makeCaption(const Theme &theme, const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setObjectName(QStringLiteral("caption"));
    label->setFont(theme.captionFont());
    label->setWordWrap(true);
    return label;
}

QLabel *makeSectionTitle(const Theme &theme, const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = theme.bodyFont();
    font.setWeight(QFont::DemiBold);
    label->setFont(font);
    return label;
}

// Every text a policy compares `field` with, to offer as choices (teams, apps) in the form.
void collectTexts(const rl::Condition &condition, rl::Field field, QSet<QString> &out)
{
    if (condition.kind != rl::Condition::Kind::Leaf) {
        for (const rl::Condition &child : condition.children)
            collectTexts(child, field, out);
        return;
    }
    if (condition.field == field && condition.op != rl::Op::Matches && condition.op != rl::Op::Contains)
        for (const std::string &text : condition.texts)
            out.insert(QString::fromStdString(text));
}

const char *kSamplePrompt =
    "Our contract with the supplier says delivery within 30 days. They delivered on day 45 and the goods "
    "were damaged. Explain what remedies we have under the contract and which clause matters most.";

} // namespace

TryRequestPage::TryRequestPage(const Theme &theme, QWidget *parent, Layout pageLayout) : QWidget(parent), m_theme(theme)
{
    const bool panel = pageLayout == Layout::Panel;
    setObjectName(QStringLiteral("page"));
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(120);
    connect(m_debounce, &QTimer::timeout, this, &TryRequestPage::decideNow);

    auto *title = new QLabel(tr("Try a request"), this);
    title->setObjectName(QStringLiteral("pageTitle"));
    title->setFont(m_theme.titleFont());
    auto *subtitle = makeCaption(m_theme,
                                 tr("See which tier and model the policy picks for a request, and why. "
                                    "Nothing is sent to any model."),
                                 this);

    QBoxLayout *columns = panel ? static_cast<QBoxLayout *>(new QVBoxLayout) : new QHBoxLayout;
    columns->setSpacing(panel ? 8 : 16);
    columns->addWidget(buildRequestCard(!panel), 4);
    columns->addWidget(buildDecisionCard(), panel ? 5 : 7);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(panel ? 0 : 24, panel ? 0 : 24, panel ? 0 : 24, panel ? 0 : 24);
    layout->setSpacing(8);
    layout->addWidget(title);
    layout->addWidget(subtitle);
    if (panel) {
        title->hide();
        subtitle->hide();
    } else {
        layout->addSpacing(8);
    }
    layout->addLayout(columns, 1);

    QFile builtIn(QStringLiteral(":/routeledger/policies/default-policy.json"));
    if (builtIn.open(QIODevice::ReadOnly))
        loadPolicyText(builtIn.readAll(), tr("built-in"));
    m_prompt->setPlainText(QString::fromUtf8(kSamplePrompt));
    decideNow();
}

QWidget *TryRequestPage::buildRequestCard(bool withPolicyRow)
{
    auto *card = makeCard(this);
    auto *layout = new QVBoxLayout(card);
    layout->setContentsMargins(16, 16, 16, 16);
    layout->setSpacing(8);
    layout->addWidget(makeSectionTitle(m_theme, tr("Request"), card));

    auto *policyRow = new QHBoxLayout;
    m_policyName = new QLabel(card);
    m_policyName->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *open = new QPushButton(tr("Open policy…"), card);
    connect(open, &QPushButton::clicked, this, &TryRequestPage::openPolicy);
    policyRow->addWidget(m_policyName, 1);
    policyRow->addWidget(open);

    auto *form = new QFormLayout;
    form->setHorizontalSpacing(16);
    form->setVerticalSpacing(8);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_team = new QComboBox(card);
    m_team->setEditable(true);
    m_app = new QComboBox(card);
    m_app->setEditable(true);
    m_model = new QComboBox(card);
    m_model->setEditable(true);
    m_tags = new QLineEdit(card);
    m_tags->setPlaceholderText(tr("comma-separated, e.g. batch, eu"));
    m_budgetUsed = new QDoubleSpinBox(card);
    m_budgetUsed->setRange(0, 500);
    m_budgetUsed->setDecimals(0);
    m_budgetUsed->setSuffix(QStringLiteral(" %"));
    m_budgetUsed->setToolTip(tr("How much of the team's budget for this period is already spent"));
    auto *flags = new QHBoxLayout;
    m_hasTools = new QCheckBox(tr("Uses tools"), card);
    m_hasImages = new QCheckBox(tr("Has images"), card);
    m_stream = new QCheckBox(tr("Streaming"), card);
    flags->addWidget(m_hasTools);
    flags->addWidget(m_hasImages);
    flags->addWidget(m_stream);
    flags->addStretch(1);
    if (withPolicyRow) {
        form->addRow(tr("Policy"), policyRow);
    } else {
        // The studio's panel decides with the draft: no file to open.
        open->hide();
        m_policyName->hide();
        delete policyRow;
    }
    form->addRow(tr("Team"), m_team);
    form->addRow(tr("App"), m_app);
    form->addRow(tr("Model asked for"), m_model);
    form->addRow(tr("Tags"), m_tags);
    form->addRow(tr("Budget used"), m_budgetUsed);
    form->addRow(QString(), flags);
    layout->addLayout(form);

    m_policyStatus = makeCaption(m_theme, QString(), card);
    layout->addWidget(m_policyStatus);

    layout->addWidget(makeSectionTitle(m_theme, tr("Prompt"), card));
    m_prompt = new QPlainTextEdit(card);
    m_prompt->setPlaceholderText(tr("Type or paste the prompt a user would send"));
    layout->addWidget(m_prompt, 1);

    connect(m_prompt, &QPlainTextEdit::textChanged, this, &TryRequestPage::scheduleDecision);
    connect(m_team, &QComboBox::currentTextChanged, this, &TryRequestPage::scheduleDecision);
    connect(m_app, &QComboBox::currentTextChanged, this, &TryRequestPage::scheduleDecision);
    connect(m_model, &QComboBox::currentTextChanged, this, &TryRequestPage::scheduleDecision);
    connect(m_tags, &QLineEdit::textChanged, this, &TryRequestPage::scheduleDecision);
    connect(m_budgetUsed, &QDoubleSpinBox::valueChanged, this, &TryRequestPage::scheduleDecision);
    for (QCheckBox *box : {m_hasTools, m_hasImages, m_stream})
        connect(box, &QCheckBox::toggled, this, &TryRequestPage::scheduleDecision);
    return card;
}

QWidget *TryRequestPage::buildDecisionCard()
{
    auto *card = makeCard(this);
    auto *layout = new QVBoxLayout(card);
    layout->setContentsMargins(16, 16, 16, 16);
    layout->setSpacing(8);
    layout->addWidget(makeSectionTitle(m_theme, tr("Decision"), card));

    auto *headline = new QHBoxLayout;
    headline->setSpacing(12);
    m_tierChip = new QLabel(card);
    m_tierChip->setAlignment(Qt::AlignCenter);
    m_tierChip->setMinimumWidth(96);
    m_modelLabel = new QLabel(card);
    m_modelLabel->setFont(m_theme.figureFont());
    m_modelLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    headline->addWidget(m_tierChip);
    headline->addWidget(m_modelLabel, 1);
    layout->addLayout(headline);

    auto *facts = new QFormLayout;
    facts->setHorizontalSpacing(16);
    facts->setVerticalSpacing(6);
    m_ruleLabel = new QLabel(card);
    m_budgetLabel = new QLabel(card);
    m_complexityLabel = new QLabel(card);
    m_taskLabel = new QLabel(card);
    m_tokensLabel = new QLabel(card);
    for (QLabel *label : {m_ruleLabel, m_budgetLabel, m_complexityLabel, m_taskLabel, m_tokensLabel}) {
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    facts->addRow(tr("Decided by"), m_ruleLabel);
    facts->addRow(tr("Budget guard"), m_budgetLabel);
    facts->addRow(tr("Complexity"), m_complexityLabel);
    facts->addRow(tr("Task"), m_taskLabel);
    facts->addRow(tr("Input tokens"), m_tokensLabel);
    layout->addLayout(facts);

    m_problemsLabel = new QLabel(card);
    m_problemsLabel->setWordWrap(true);
    m_problemsLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problemsLabel->setStyleSheet(QStringLiteral("color: %1;").arg(m_theme.blocked().name()));
    m_problemsLabel->hide();
    layout->addWidget(m_problemsLabel);

    layout->addSpacing(8);
    layout->addWidget(makeSectionTitle(m_theme, tr("Rules tried, in order"), card));
    m_trailModel = new DecisionTrailModel(m_theme, this);
    m_trailView = new QTableView(card);
    m_trailView->setModel(m_trailModel);
    m_trailView->verticalHeader()->hide();
    m_trailView->setShowGrid(false);
    m_trailView->setAlternatingRowColors(true);
    m_trailView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_trailView->setWordWrap(true);
    m_trailView->setTextElideMode(Qt::ElideMiddle); // long JSON pointers keep both ends; the tooltip has all
    QHeaderView *header = m_trailView->horizontalHeader();
    header->setSectionResizeMode(DecisionTrailModel::RuleColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(DecisionTrailModel::OutcomeColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(DecisionTrailModel::WhyColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(DecisionTrailModel::ConditionColumn, QHeaderView::Interactive);
    header->resizeSection(DecisionTrailModel::ConditionColumn, 190);
    m_trailView->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_trailView->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    layout->addWidget(m_trailView, 1);
    return card;
}

bool TryRequestPage::loadPolicyFile(const QString &path)
{
    rl::Result<std::string> text = rl::readTextFile(path.toStdString(), rl::PolicyParser::kMaxDocumentBytes);
    if (!text) {
        showProblems(QFileInfo(path).fileName(), {QString::fromStdString(text.error().message)});
        return false;
    }
    return loadPolicyText(QByteArray::fromStdString(text.value()), QFileInfo(path).fileName());
}

bool TryRequestPage::loadPolicyText(const QByteArray &text, const QString &origin)
{
    rl::PolicyLoad load = rl::PolicyParser::parse(std::string_view(text.constData(), std::size_t(text.size())));
    if (!load.ok()) {
        QStringList problems;
        for (const rl::PolicyIssue &issue : load.errors)
            problems << QString::fromStdString(issue.line());
        showProblems(origin, problems);
        return false;
    }
    m_policyProblems.clear();
    m_problemsLabel->hide();
    m_policy = load.policy;
    m_policyOrigin = origin;
    m_policyName->setText(policyLabel());
    QStringList warnings;
    for (const rl::PolicyIssue &issue : load.warnings)
        warnings << QStringLiteral("⚠ ") + QString::fromStdString(issue.line());
    m_policyStatus->setText(warnings.join(QLatin1Char('\n')));
    m_policyStatus->setVisible(!warnings.isEmpty());
    fillChoicesFromPolicy();
    decideNow();
    return true;
}

void TryRequestPage::setPolicy(std::shared_ptr<const rl::Policy> policy, const QString &origin)
{
    if (!policy)
        return;
    m_policyProblems.clear();
    m_problemsLabel->hide();
    m_policy = std::move(policy);
    m_policyOrigin = origin;
    m_policyName->setText(policyLabel());
    m_policyStatus->hide();
    fillChoicesFromPolicy();
    decideNow();
}

QByteArray TryRequestPage::requestBody() const
{
    const rl::RouteRequest request = currentRequest();
    nlohmann::json body = {{"model", request.requestedModel},
                           {"messages", nlohmann::json::array({{{"role", "user"}, {"content", request.prompt}}})}};
    if (request.stream)
        body["stream"] = true;
    if (request.hasTools)
        body["tools"] = nlohmann::json::array(
            {{{"type", "function"}, {"function", {{"name", "lookup"}, {"parameters", {{"type", "object"}}}}}}});
    nlohmann::json who = {{"team", request.team},
                          {"app", request.app},
                          {"tags", request.tags},
                          {"budget_used", request.budgetUsed},
                          {"time_ms", request.timeMs}};
    body["routeledger"] = std::move(who);
    return QByteArray::fromStdString(body.dump());
}

void TryRequestPage::showProblems(const QString &origin, const QStringList &problems)
{
    m_policyProblems = problems;
    m_problemsLabel->setText(tr("%1 was not loaded; the policy in use is unchanged. Fix these and open it again:\n%2")
                                 .arg(origin, problems.join(QLatin1Char('\n'))));
    m_problemsLabel->show();
}

QString TryRequestPage::policyLabel() const
{
    if (!m_policy)
        return tr("no policy loaded");
    return tr("%1 v%2 · %3").arg(QString::fromStdString(m_policy->name)).arg(m_policy->version).arg(m_policyOrigin);
}

void TryRequestPage::fillChoicesFromPolicy()
{
    QSet<QString> teams;
    QSet<QString> apps;
    for (const rl::Rule &rule : m_policy->rules) {
        collectTexts(rule.when, rl::Field::Team, teams);
        collectTexts(rule.when, rl::Field::App, apps);
    }
    for (const rl::Budget &budget : m_policy->budgets)
        if (!budget.scope.team.empty())
            teams.insert(QString::fromStdString(budget.scope.team));
    auto refill = [](QComboBox *box, QStringList items, const QString &keep) {
        const QSignalBlocker blocker(box);
        items.sort();
        box->clear();
        box->addItem(QString());
        box->addItems(items);
        box->setCurrentText(keep);
    };
    refill(m_team, teams.values(), m_team->currentText());
    refill(m_app, apps.values(), m_app->currentText());

    QStringList models{QStringLiteral("auto")};
    for (const rl::Tier &tier : m_policy->tiers)
        models << QString::fromStdString(tier.name);
    for (const rl::Tier &tier : m_policy->tiers)
        for (const std::string &model : tier.models)
            models << QString::fromStdString(model);
    const QString keep = m_model->currentText().isEmpty() ? QStringLiteral("auto") : m_model->currentText();
    const QSignalBlocker blocker(m_model);
    m_model->clear();
    m_model->addItems(models);
    m_model->setCurrentText(keep);
}

void TryRequestPage::openPolicy()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open policy"), QString(),
                                                      tr("RouteLedger policies (*.json);;All files (*)"));
    if (!path.isEmpty())
        loadPolicyFile(path);
}

void TryRequestPage::scheduleDecision()
{
    m_debounce->start();
}

rl::RouteRequest TryRequestPage::currentRequest() const
{
    rl::RouteRequest request;
    request.team = m_team->currentText().trimmed().toStdString();
    request.app = m_app->currentText().trimmed().toStdString();
    request.requestedModel = m_model->currentText().trimmed().isEmpty()
                                 ? std::string("auto")
                                 : m_model->currentText().trimmed().toStdString();
    for (const QString &tag : m_tags->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!tag.trimmed().isEmpty())
            request.tags.push_back(tag.trimmed().toStdString());
    request.prompt = m_prompt->toPlainText().toStdString();
    request.scoredOffset = 0;
    request.scoredLength = request.prompt.size();
    request.messageCount = 1;
    request.budgetUsed = m_budgetUsed->value() / 100.0;
    request.hasTools = m_hasTools->isChecked();
    request.hasImages = m_hasImages->isChecked();
    request.stream = m_stream->isChecked();
    request.timeMs = rl::readClock(m_clock);
    return request;
}

void TryRequestPage::decideNow()
{
    m_debounce->stop();
    if (!m_policy || !m_prompt)
        return;
    m_request = currentRequest();
    m_decision = m_engine.decide(m_policy, m_request);
    showDecision();
    emit decided();
}

void TryRequestPage::showDecision()
{
    const rl::Decision &d = *m_decision;
    const Theme &theme = m_theme;
    const QColor chipColor = d.blocked ? theme.blocked() : theme.tierColor(d.tier);
    m_tierChip->setText(d.blocked ? tr("BLOCKED") : QString::fromStdString(std::string(d.tierName())).toUpper());
    m_tierChip->setStyleSheet(QStringLiteral("background: %1; color: white; border-radius: 12px; padding: 4px 12px;"
                                             " font-weight: 600;")
                                  .arg(chipColor.name()));
    m_modelLabel->setText(d.blocked ? QString::fromStdString(std::string(d.blockReason))
                                    : QString::fromStdString(std::string(d.model)));

    QString decidedBy;
    switch (d.decidedBy) {
    case rl::DecidedBy::Rule:
        decidedBy = tr("rule <b>%1</b>").arg(QString::fromStdString(std::string(d.ruleId())));
        break;
    case rl::DecidedBy::RequestedTier: decidedBy = tr("no rule matched; the request asked for this tier"); break;
    case rl::DecidedBy::RequestedModel: decidedBy = tr("no rule matched; the request asked for this model"); break;
    case rl::DecidedBy::Default: decidedBy = tr("no rule matched; the default tier"); break;
    }
    m_ruleLabel->setText(decidedBy);

    if (d.budgetAction == rl::BudgetAction::None) {
        m_budgetLabel->setText(tr("no action at %1 % of budget").arg(m_request.budgetUsed * 100.0, 0, 'f', 0));
    } else {
        const rl::BudgetGuardStep &step = d.policy->budgetGuard[std::size_t(d.budgetStep)];
        QString what;
        switch (d.budgetAction) {
        case rl::BudgetAction::Downgrade: what = tr("down %n tier(s)", nullptr, step.downgradeBy); break;
        case rl::BudgetAction::CapTier: what = tr("capped at %1").arg(QString::fromStdString(step.tierName)); break;
        case rl::BudgetAction::Block: what = tr("blocked"); break;
        case rl::BudgetAction::None: break;
        }
        QString moved;
        if (!d.blocked && d.tierBeforeBudget >= 0 && d.tierBeforeBudget != d.tier)
            moved = tr(" (was %1)").arg(QString::fromStdString(d.policy->tiers[std::size_t(d.tierBeforeBudget)].name));
        m_budgetLabel->setText(tr("<span style='color:%1'>%2</span>%3: %4 % used ≥ %5 %")
                                   .arg(theme.warning().name(), what, moved)
                                   .arg(m_request.budgetUsed * 100.0, 0, 'f', 0)
                                   .arg(step.usedAtLeast * 100.0, 0, 'f', 0));
    }
    m_complexityLabel->setText(tr("%1 <span style='color:%2'>(chance the light tier falls short)</span>")
                                   .arg(d.complexity, 0, 'f', 2)
                                   .arg(theme.mutedText().name()));
    m_taskLabel->setText(QString::fromUtf8(rl::taskName(d.task).data(), qsizetype(rl::taskName(d.task).size())));
    m_tokensLabel->setText(tr("≈ %L1 (estimated)").arg(d.inputTokens));

    m_trailModel->setDecision(d, m_request);
}

void TryRequestPage::setPrompt(const QString &prompt)
{
    m_prompt->setPlainText(prompt);
    decideNow();
}
void TryRequestPage::setTeam(const QString &team)
{
    m_team->setCurrentText(team);
    decideNow();
}
void TryRequestPage::setApp(const QString &app)
{
    m_app->setCurrentText(app);
    decideNow();
}
void TryRequestPage::setRequestedModel(const QString &model)
{
    m_model->setCurrentText(model);
    decideNow();
}
void TryRequestPage::setBudgetUsedPercent(double percent)
{
    m_budgetUsed->setValue(percent);
    decideNow();
}
void TryRequestPage::setHasTools(bool hasTools)
{
    m_hasTools->setChecked(hasTools);
    decideNow();
}
