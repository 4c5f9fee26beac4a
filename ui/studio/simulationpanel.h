#pragma once

#include "clock.h"
#include "simulate/simulationresult.h"
#include "store/usagequeries.h"
#include "widgets/theme.h"

#include <QDate>
#include <QWidget>

#include <functional>
#include <optional>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;
class ReplayScopeBar;
class SimulationGroupsModel;
class SimulationMovesModel;
class SimulationWorker;
class StatTile;
class TierMixBars;

// The studio's Simulate tab (issue 14): replays a period's stored requests (all, or one team's) under the draft
// and under a published version, side by side: spend, saving against all-frontier, requests moved, the estimated
// quality, the tier mix of both, the "from tier → to tier" matrix, the moves by rule and by team, and the
// requests whose outcome cannot be known from what was stored. The replay runs on the simulation worker's thread
// with progress and cancel; the draft is read when Simulate is pressed.
class SimulationPanel : public QWidget {
    Q_OBJECT
public:
    SimulationPanel(const Theme &theme, SimulationWorker *worker, QWidget *parent = nullptr);
    ~SimulationPanel() override; // cancels a run in flight (the window closing)

    void setStorePath(const QString &path) { m_storePath = path; }
    void setClock(rl::Clock clock);
    void setTeams(const QStringList &teams);
    // Published versions, ascending; the latest is the default baseline.
    void setVersions(const QList<qint64> &versions);
    void setDraftProvider(std::function<QString()> draft) { m_draft = std::move(draft); }

    void setPeriod(const QDate &from, const QDate &to);
    void setTeam(const QString &team);
    void run();
    void cancel();
    // Reads what shadow policies recorded on live traffic in the chosen period and team.
    void refreshShadow();
    // The outcome of running the draft in shadow, or ending it, on the routers (from the studio).
    void showShadowStatus(const QString &text);
    QString shadowText() const;
    bool isRunning() const { return m_running; }

    const std::optional<rl::SimulationResult> &result() const { return m_result; }
    SimulationMovesModel *moves() const { return m_moves; }
    SimulationGroupsModel *groups() const { return m_groups; }
    QString statusText() const;
    QString unknownText() const;
    StatTile *spendTile() const { return m_spend; }

signals:
    void finished();
    void failed(const QString &message);
    void shadowCompared();
    // The studio runs the draft in shadow on the routers checked on its Push tab, or ends shadow mode there.
    void runInShadowRequested();
    void endShadowRequested();

private:
    void showResult(const rl::SimulationResult &result);
    void setRunning(bool running);
    rl::UsageFilter scope() const;

    Theme m_theme;
    SimulationWorker *m_worker = nullptr;
    rl::Clock m_clock;
    QString m_storePath;
    std::function<QString()> m_draft;
    quint64 m_ticket = 0;
    bool m_running = false;
    std::optional<rl::SimulationResult> m_result;

    ReplayScopeBar *m_scope = nullptr;
    QComboBox *m_baseline = nullptr;
    QPushButton *m_run = nullptr, *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QWidget *m_results = nullptr;
    StatTile *m_spend = nullptr, *m_saved = nullptr, *m_movedTile = nullptr, *m_quality = nullptr;
    TierMixBars *m_mix = nullptr;
    SimulationMovesModel *m_moves = nullptr;
    SimulationGroupsModel *m_groups = nullptr;
    QTableView *m_matrix = nullptr, *m_groupView = nullptr;
    QComboBox *m_grouping = nullptr;
    QLabel *m_unknown = nullptr;
    QLabel *m_shadow = nullptr, *m_shadowStatus = nullptr;
    quint64 m_shadowTicket = 0;
};
