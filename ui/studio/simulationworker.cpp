#include "simulationworker.h"

#include "routing/labelledprompts.h"
#include "routing/policyparser.h"
#include "simulate/calibration.h"
#include "simulate/simulation.h"

SimulationWorker::SimulationWorker(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<rl::SimulationResult>();
    qRegisterMetaType<rl::UsageFilter>();
    qRegisterMetaType<rl::ShadowComparison>();
    qRegisterMetaType<rl::CalibrationResult>();
    qRegisterMetaType<rl::CalibrationTarget>();
}

quint64 SimulationWorker::newTicket()
{
    static std::atomic<quint64> last{0};
    return ++last;
}

void SimulationWorker::calibrate(quint64 ticket, const QString &storePath, const QString &draftDocument,
                                 const rl::UsageFilter &scope, const rl::CalibrationTarget &target,
                                 const QString &labelsPath)
{
    const rl::PolicyLoad draft = rl::PolicyParser::parse(draftDocument.toStdString());
    if (!draft.ok()) {
        emit failed(ticket, tr("The draft has problems; fix them (see Problems) and calibrate again."), false);
        return;
    }
    std::vector<rl::LabelledPrompt> labels;
    if (!labelsPath.isEmpty()) {
        auto read = rl::LabelledPrompts::readFile(labelsPath.toStdString());
        if (!read) {
            emit failed(ticket, QString::fromStdString(read.error().message), false);
            return;
        }
        labels = std::move(read).value();
    }
    auto reader = rl::HistoryReader::open(storePath.toStdString());
    if (!reader) {
        emit failed(ticket, QString::fromStdString(reader.error().message), false);
        return;
    }
    rl::CalibrationOptions options;
    options.scope = scope;
    options.target = target;
    options.labels = labelsPath.isEmpty() ? nullptr : &labels;
    options.progress = [&](std::int64_t done, std::int64_t total) {
        emit progress(ticket, done, total);
        return m_cancelled.load() != ticket;
    };
    auto result = rl::Calibration::run(reader.value(), draft.policy, options);
    if (!result) {
        const bool cancelled = result.error().code == "calibrate.cancelled";
        emit failed(ticket, cancelled ? tr("Cancelled.") : QString::fromStdString(result.error().message), cancelled);
        return;
    }
    emit calibrated(ticket, result.value());
}

void SimulationWorker::run(quint64 ticket, const QString &storePath, const QString &draftDocument,
                           qint64 baselineVersion, const rl::UsageFilter &scope)
{
    const rl::PolicyLoad draft = rl::PolicyParser::parse(draftDocument.toStdString());
    if (!draft.ok()) {
        emit failed(ticket, tr("The draft has problems; fix them (see Problems) and simulate again."), false);
        return;
    }
    auto reader = rl::HistoryReader::open(storePath.toStdString());
    if (!reader) {
        emit failed(ticket, QString::fromStdString(reader.error().message), false);
        return;
    }
    auto document =
        reader->publishedPolicy(baselineVersion > 0 ? std::optional<std::int64_t>(baselineVersion) : std::nullopt);
    if (!document || !document.value()) {
        emit failed(ticket,
                    document ? tr("There is no published version to compare with; publish the draft once, then "
                                  "simulate the next change against it.")
                             : QString::fromStdString(document.error().message),
                    false);
        return;
    }
    const rl::PolicyLoad baseline = rl::PolicyParser::parse(*document.value());
    if (!baseline.ok()) {
        emit failed(ticket, tr("The published version could not be read as a policy."), false);
        return;
    }
    rl::SimulationOptions options;
    options.scope = scope;
    options.progress = [&](std::int64_t done, std::int64_t total) {
        emit progress(ticket, done, total);
        return m_cancelled.load() != ticket;
    };
    auto result = rl::Simulation::run(reader.value(), baseline.policy, draft.policy, options);
    if (!result) {
        const bool cancelled = result.error().code == "simulate.cancelled";
        emit failed(ticket, cancelled ? tr("Cancelled.") : QString::fromStdString(result.error().message), cancelled);
        return;
    }
    emit finished(ticket, result.value());
}

void SimulationWorker::compareShadow(quint64 ticket, const QString &storePath, const rl::UsageFilter &scope)
{
    auto reader = rl::HistoryReader::open(storePath.toStdString());
    if (!reader) {
        emit shadowCompared(ticket, {}, QString::fromStdString(reader.error().message));
        return;
    }
    auto comparison = rl::ShadowComparisons::read(reader.value(), scope);
    if (!comparison) {
        emit shadowCompared(ticket, {}, QString::fromStdString(comparison.error().message));
        return;
    }
    emit shadowCompared(ticket, comparison.value(), QString());
}
