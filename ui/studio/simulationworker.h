#pragma once

#include "dashboardsnapshot.h" // rl::UsageFilter's meta type
#include "simulate/calibrationresult.h"
#include "simulate/shadowcomparison.h"
#include "simulate/simulationresult.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <atomic>

Q_DECLARE_METATYPE(rl::SimulationResult)
Q_DECLARE_METATYPE(rl::ShadowComparison)
Q_DECLARE_METATYPE(rl::CalibrationResult)
Q_DECLARE_METATYPE(rl::CalibrationTarget)

// The studio's replays of history and calibrations (core/simulate), on a thread of its own: a replay reads every event
// of its period through its own read-only connection, so the GUI thread never waits on it. Progress comes as signals;
// cancel() may be called from any thread and stops the run at its next event. Each answer carries the ticket of
// its request, so the studio drops answers to runs it has replaced.
class SimulationWorker : public QObject {
    Q_OBJECT
public:
    explicit SimulationWorker(QObject *parent = nullptr);

    // A ticket no other request to any worker has had: the panels sharing a worker tell their answers apart.
    static quint64 newTicket();

    // Thread-safe: stops the run of `ticket` (it answers `failed` with `cancelled` true), whether it is in
    // progress or still queued.
    void cancel(quint64 ticket) { m_cancelled.store(ticket); }

public slots:
    // `baselineVersion` 0: the store's latest published version.
    void run(quint64 ticket, const QString &storePath, const QString &draftDocument, qint64 baselineVersion,
             const rl::UsageFilter &scope);

    // Calibrate: the draft's complexity thresholds for a target (core/simulate/calibration.h); `labelsPath`, when
    // not empty, a labelled-prompts file read for the run.
    void calibrate(quint64 ticket, const QString &storePath, const QString &draftDocument, const rl::UsageFilter &scope,
                   const rl::CalibrationTarget &target, const QString &labelsPath);

    // What the shadow policies recorded on live traffic in the scope (ShadowComparisons).
    void compareShadow(quint64 ticket, const QString &storePath, const rl::UsageFilter &scope);

signals:
    void shadowCompared(quint64 ticket, const rl::ShadowComparison &comparison, const QString &error);
    void progress(quint64 ticket, qint64 done, qint64 total);
    void finished(quint64 ticket, const rl::SimulationResult &result);
    void calibrated(quint64 ticket, const rl::CalibrationResult &result);
    void failed(quint64 ticket, const QString &message, bool cancelled);

private:
    std::atomic<quint64> m_cancelled{0};
};
