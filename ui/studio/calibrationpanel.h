#pragma once

#include "clock.h"
#include "simulate/calibrationresult.h"
#include "store/usagequeries.h"
#include "widgets/theme.h"

#include <QDate>
#include <QWidget>

#include <optional>

class CalibrationCurve;
class PolicyDraft;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class ReplayScopeBar;
class SimulationWorker;
class StatTile;

// The studio's Calibrate tab (issue 14): proposes the complexity thresholds of the draft's rules for a target (a
// quality level relative to all-frontier, or a frontier share) from a period's stored requests, their feedback and
// escalations and, optionally, a labelled-prompts file. Shows each candidate's predicted spend and quality on a
// curve with the draft's own point marked; another target or a click on the curve chooses another candidate at
// once (the figures of every candidate come back with the run). "Apply to draft" writes the chosen thresholds into
// the draft as one undoable edit. Runs on the simulation worker's thread with progress and cancel.
class CalibrationPanel : public QWidget {
    Q_OBJECT
public:
    CalibrationPanel(const Theme &theme, SimulationWorker *worker, PolicyDraft *draft, QWidget *parent = nullptr);
    ~CalibrationPanel() override; // cancels a run in flight

    void setStorePath(const QString &path) { m_storePath = path; }
    void setClock(rl::Clock clock);
    void setTeams(const QStringList &teams);
    void setPeriod(const QDate &from, const QDate &to);
    void setTarget(const rl::CalibrationTarget &target);
    void setLabelsPath(const QString &path);

    void run();
    void cancel();
    // Chooses the curve's point `index` instead of the target's best.
    void choose(int index);
    // Writes the chosen thresholds into the draft (one undoable edit); false, with the reason shown, if it cannot.
    bool applyToDraft();

    bool isRunning() const { return m_running; }
    const std::optional<rl::CalibrationResult> &result() const { return m_result; }
    const rl::CalibrationPoint &chosen() const { return m_chosen; }
    QString statusText() const;
    CalibrationCurve *curve() const { return m_curve; }

signals:
    void finished();
    void failed(const QString &message);
    void applied();

private:
    void showResult();
    void showChosen();
    void retarget();
    void setRunning(bool running);
    rl::CalibrationTarget target() const;

    Theme m_theme;
    SimulationWorker *m_worker = nullptr;
    PolicyDraft *m_draft = nullptr;
    rl::Clock m_clock;
    QString m_storePath;
    quint64 m_ticket = 0;
    bool m_running = false;
    std::optional<rl::CalibrationResult> m_result;
    rl::CalibrationPoint m_chosen;
    bool m_chosenReachesTarget = false;
    bool m_chosenByHand = false;

    ReplayScopeBar *m_scope = nullptr;
    QComboBox *m_targetKind = nullptr;
    QDoubleSpinBox *m_targetValue = nullptr;
    QLineEdit *m_labels = nullptr;
    QPushButton *m_run = nullptr, *m_cancel = nullptr, *m_apply = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr, *m_evidence = nullptr;
    QWidget *m_results = nullptr;
    StatTile *m_spend = nullptr, *m_quality = nullptr, *m_frontier = nullptr, *m_moved = nullptr;
    CalibrationCurve *m_curve = nullptr;
    QGridLayout *m_thresholds = nullptr;
};
