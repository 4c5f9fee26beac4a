#pragma once

#include "clock.h"
#include "routing/decision.h"
#include "routing/routerequest.h"
#include "routing/routingengine.h"
#include "widgets/theme.h"

#include <QWidget>

#include <memory>
#include <optional>

class DecisionTrailModel;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;
class QTimer;

// "Try a request": type a prompt, say who sends it, and see how the policy routes it and why.
// Decisions take microseconds, so they run on the GUI thread as the user types (debounced).
class TryRequestPage : public QWidget {
    Q_OBJECT
public:
    // Page: the page of its own (two columns, a policy file to open). Panel: the policy studio's right-hand
    // panel, one column, deciding with the studio's draft (setPolicy).
    enum class Layout { Page, Panel };
    explicit TryRequestPage(const Theme &theme, QWidget *parent = nullptr, Layout layout = Layout::Page);

    // Decides with `policy` (the studio's draft); null keeps the previous one.
    void setPolicy(std::shared_ptr<const rl::Policy> policy, const QString &origin);
    // The request as an OpenAI chat body with its "routeledger" identity, as POST /admin/route takes it.
    QByteArray requestBody() const;

    // Loads a policy; on failure keeps the previous one and lists every problem on the page.
    bool loadPolicyFile(const QString &path);
    bool loadPolicyText(const QByteArray &text, const QString &origin);

    void setPrompt(const QString &prompt);
    void setTeam(const QString &team);
    void setApp(const QString &app);
    void setRequestedModel(const QString &model);
    void setBudgetUsedPercent(double percent);
    void setHasTools(bool hasTools);
    // "Now" for the requests the page decides; the system clock until set.
    void setClock(rl::Clock clock) { m_clock = std::move(clock); }

    // What the page shows now, for tests and screenshots.
    const std::optional<rl::Decision> &decision() const { return m_decision; }
    const rl::RouteRequest &request() const { return m_request; }
    QStringList policyProblems() const { return m_policyProblems; }
    QString policyLabel() const;
    DecisionTrailModel *trailModel() const { return m_trailModel; }

public slots:
    void decideNow();

signals:
    void decided();

private slots:
    void openPolicy();
    void scheduleDecision();

private:
    Theme m_theme;
    QWidget *buildRequestCard(bool withPolicyRow);
    QWidget *buildDecisionCard();
    void fillChoicesFromPolicy();
    void showDecision();
    void showProblems(const QString &origin, const QStringList &problems);
    rl::RouteRequest currentRequest() const;

    std::shared_ptr<const rl::Policy> m_policy;
    rl::RoutingEngine m_engine;
    std::optional<rl::Decision> m_decision;
    rl::RouteRequest m_request;
    QStringList m_policyProblems;
    QString m_policyOrigin;

    QTimer *m_debounce = nullptr;
    QLabel *m_policyName = nullptr;
    QLabel *m_policyStatus = nullptr;
    QComboBox *m_team = nullptr;
    QComboBox *m_app = nullptr;
    QComboBox *m_model = nullptr;
    QLineEdit *m_tags = nullptr;
    QDoubleSpinBox *m_budgetUsed = nullptr;
    QCheckBox *m_hasTools = nullptr;
    QCheckBox *m_hasImages = nullptr;
    QCheckBox *m_stream = nullptr;
    QPlainTextEdit *m_prompt = nullptr;

    QLabel *m_tierChip = nullptr;
    QLabel *m_modelLabel = nullptr;
    QLabel *m_ruleLabel = nullptr;
    QLabel *m_budgetLabel = nullptr;
    QLabel *m_complexityLabel = nullptr;
    QLabel *m_taskLabel = nullptr;
    QLabel *m_tokensLabel = nullptr;
    QLabel *m_problemsLabel = nullptr;
    QTableView *m_trailView = nullptr;
    DecisionTrailModel *m_trailModel = nullptr;
    rl::Clock m_clock;
};
