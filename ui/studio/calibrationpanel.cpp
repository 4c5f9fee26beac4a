#include "calibrationpanel.h"

#include "calibrationcurve.h"
#include "policydraft.h"
#include "replayscopebar.h"
#include "simulationworker.h"
#include "widgets/money.h"
#include "widgets/stattile.h"

#include "simulate/complexitythresholds.h"

#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace {

QString count(qint64 n)
{
    return QLocale(QLocale::English).toString(n);
}

QDate utcDate(std::int64_t ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).date();
}

QString threshold(double value)
{
    return QString::number(value, 'f', 3);
}

QString points(double delta, int decimals)
{
    return QStringLiteral("%1%2 points")
        .arg(delta >= 0 ? QStringLiteral("+") : QString())
        .arg(delta * 100.0, 0, 'f', decimals);
}

} // namespace

CalibrationPanel::CalibrationPanel(const Theme &theme, SimulationWorker *worker, PolicyDraft *draft, QWidget *parent)
    : QWidget(parent), m_theme(theme), m_worker(worker), m_draft(draft), m_clock(rl::systemClock())
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 8, 0, 0);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    outer->addWidget(scroll);
    auto *content = new QWidget(scroll);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 8, 0);
    layout->setSpacing(8);

    m_scope = new ReplayScopeBar(content);
    m_scope->setObjectName(QStringLiteral("calibrateScope"));
    layout->addWidget(m_scope);

    m_targetKind = new QComboBox(content);
    m_targetKind->setObjectName(QStringLiteral("calibrateTargetKind"));
    m_targetKind->addItem(tr("Cheapest with quality at least"));
    m_targetKind->addItem(tr("Best quality with frontier share at most"));
    m_targetValue = new QDoubleSpinBox(content);
    m_targetValue->setObjectName(QStringLiteral("calibrateTargetValue"));
    m_targetValue->setRange(0.0, 100.0);
    m_targetValue->setDecimals(1);
    m_targetValue->setSuffix(QStringLiteral(" %"));
    m_targetValue->setValue(95.0);
    m_run = new QPushButton(tr("&Calibrate"), content);
    m_run->setObjectName(QStringLiteral("calibrateRun"));
    m_cancel = new QPushButton(tr("Cancel"), content);
    m_cancel->setObjectName(QStringLiteral("calibrateCancel"));
    auto *targetRow = new QHBoxLayout;
    targetRow->addWidget(m_targetKind, 1);
    targetRow->addWidget(m_targetValue);
    targetRow->addWidget(m_run);
    targetRow->addWidget(m_cancel);
    layout->addLayout(targetRow);

    m_labels = new QLineEdit(content);
    m_labels->setObjectName(QStringLiteral("calibrateLabels"));
    m_labels->setPlaceholderText(tr("optional: labelled prompts (JSON Lines)"));
    auto *browse = new QPushButton(tr("Browse…"), content);
    auto *labelsRow = new QHBoxLayout;
    labelsRow->addWidget(new QLabel(tr("Labels"), content));
    labelsRow->addWidget(m_labels, 1);
    labelsRow->addWidget(browse);
    layout->addLayout(labelsRow);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Labelled prompts"), m_labels->text(),
                                                          tr("JSON Lines (*.jsonl);;All files (*)"));
        if (!file.isEmpty())
            m_labels->setText(file);
    });

    m_status = new QLabel(content);
    m_status->setObjectName(QStringLiteral("calibrateStatus"));
    m_status->setWordWrap(true);
    m_status->setText(tr("Proposes the complexity thresholds of the draft's rules for a target, from the period's "
                         "requests, what clients said of the answers (feedback, escalations) and optional labelled "
                         "prompts. Nothing changes until you apply the proposal to the draft."));
    m_progress = new QProgressBar(content);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(6);
    layout->addWidget(m_status);
    layout->addWidget(m_progress);

    m_results = new QWidget(content);
    auto *results = new QVBoxLayout(m_results);
    results->setContentsMargins(0, 0, 0, 0);
    results->setSpacing(8);
    auto *tiles = new QGridLayout;
    tiles->setSpacing(8);
    m_spend = new StatTile(m_theme, tr("Predicted spend"), m_results);
    m_quality = new StatTile(m_theme, tr("Quality vs all-frontier"), m_results);
    m_frontier = new StatTile(m_theme, tr("Frontier share"), m_results);
    m_moved = new StatTile(m_theme, tr("Light share"), m_results);
    StatTile *order[] = {m_spend, m_quality, m_frontier, m_moved};
    for (int i = 0; i < 4; ++i)
        tiles->addWidget(order[i], i / 2, i % 2);
    results->addLayout(tiles);
    auto *curveCaption = new QLabel(tr("Each candidate's spend and quality: the ring is the draft now, the dot the "
                                       "proposal; click the curve to choose another point"),
                                    m_results);
    curveCaption->setFont(m_theme.captionFont());
    curveCaption->setWordWrap(true);
    results->addWidget(curveCaption);
    m_curve = new CalibrationCurve(m_theme, m_results);
    m_curve->setObjectName(QStringLiteral("calibrateCurve"));
    results->addWidget(m_curve);
    m_thresholds = new QGridLayout;
    m_thresholds->setHorizontalSpacing(16);
    results->addLayout(m_thresholds);
    m_evidence = new QLabel(m_results);
    m_evidence->setObjectName(QStringLiteral("calibrateEvidence"));
    m_evidence->setWordWrap(true);
    m_evidence->setFont(m_theme.captionFont());
    results->addWidget(m_evidence);
    m_apply = new QPushButton(tr("&Apply to draft"), m_results);
    m_apply->setObjectName(QStringLiteral("calibrateApply"));
    m_apply->setToolTip(tr("Writes the chosen thresholds into the draft's rules as one edit (Undo takes it back)"));
    auto *applyRow = new QHBoxLayout;
    applyRow->addWidget(m_apply);
    applyRow->addStretch(1);
    results->addLayout(applyRow);
    layout->addWidget(m_results);
    layout->addStretch(1);
    scroll->setWidget(content);
    m_results->setVisible(false);

    connect(m_run, &QPushButton::clicked, this, &CalibrationPanel::run);
    connect(m_cancel, &QPushButton::clicked, this, &CalibrationPanel::cancel);
    connect(m_apply, &QPushButton::clicked, this, &CalibrationPanel::applyToDraft);
    connect(m_curve, &CalibrationCurve::pointChosen, this, &CalibrationPanel::choose);
    connect(m_targetKind, &QComboBox::currentIndexChanged, this, [this](int index) {
        const QSignalBlocker block(m_targetValue);
        m_targetValue->setValue(index == 0 ? 95.0 : 20.0);
        retarget();
    });
    connect(m_targetValue, &QDoubleSpinBox::valueChanged, this, &CalibrationPanel::retarget);
    if (m_worker) {
        connect(m_worker, &SimulationWorker::progress, this, [this](quint64 ticket, qint64 done, qint64 total) {
            if (ticket != m_ticket)
                return;
            m_progress->setRange(0, 1000);
            m_progress->setValue(total > 0 ? static_cast<int>(1000 * done / total) : 0);
            m_status->setText(tr("Deciding %1 of %2 requests in each threshold band…").arg(count(done), count(total)));
        });
        connect(m_worker, &SimulationWorker::calibrated, this,
                [this](quint64 ticket, const rl::CalibrationResult &result) {
                    if (ticket != m_ticket)
                        return;
                    setRunning(false);
                    m_result = result;
                    m_chosen = result.proposed;
                    m_chosenReachesTarget = result.reached;
                    m_chosenByHand = false;
                    showResult();
                    emit finished();
                });
        connect(m_worker, &SimulationWorker::failed, this, [this](quint64 ticket, const QString &message, bool) {
            if (ticket != m_ticket)
                return;
            setRunning(false);
            m_status->setText(message);
            emit failed(message);
        });
    }
    setClock(m_clock);
    setRunning(false);
}

CalibrationPanel::~CalibrationPanel()
{
    cancel();
}

void CalibrationPanel::setClock(rl::Clock clock)
{
    m_clock = clock ? std::move(clock) : rl::systemClock();
    m_scope->setClock(m_clock);
}

void CalibrationPanel::setPeriod(const QDate &from, const QDate &to)
{
    m_scope->setPeriod(from, to);
}

void CalibrationPanel::setTeams(const QStringList &teams)
{
    m_scope->setTeams(teams);
}

void CalibrationPanel::setTarget(const rl::CalibrationTarget &target)
{
    const QSignalBlocker blockKind(m_targetKind);
    const QSignalBlocker blockValue(m_targetValue);
    m_targetKind->setCurrentIndex(target.kind == rl::CalibrationTarget::Kind::Quality ? 0 : 1);
    m_targetValue->setValue(target.value * 100.0);
    retarget();
}

void CalibrationPanel::setLabelsPath(const QString &path)
{
    m_labels->setText(path);
}

rl::CalibrationTarget CalibrationPanel::target() const
{
    rl::CalibrationTarget target;
    target.kind = m_targetKind->currentIndex() == 0 ? rl::CalibrationTarget::Kind::Quality
                                                    : rl::CalibrationTarget::Kind::FrontierShare;
    target.value = m_targetValue->value() / 100.0;
    return target;
}

void CalibrationPanel::run()
{
    if (!m_worker || m_storePath.isEmpty()) {
        m_status->setText(tr("Calibrate needs a store with history; open one with --store."));
        return;
    }
    if (!m_scope->isValid()) {
        m_status->setText(tr("The period ends before it starts; choose a 'to' date on or after the 'from' date."));
        return;
    }
    const rl::UsageFilter scope = m_scope->scope();
    const QString draft = m_draft ? m_draft->canonicalText() : QString();
    const quint64 ticket = m_ticket = SimulationWorker::newTicket();
    setRunning(true);
    m_progress->setRange(0, 0);
    m_status->setText(tr("Reading the period's requests…"));
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, ticket, path = m_storePath, draft, scope, target = target(), labels = m_labels->text()] {
            worker->calibrate(ticket, path, draft, scope, target, labels);
        },
        Qt::QueuedConnection);
}

void CalibrationPanel::cancel()
{
    if (m_running && m_worker)
        m_worker->cancel(m_ticket);
}

void CalibrationPanel::setRunning(bool running)
{
    m_running = running;
    m_run->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_progress->setVisible(running);
}

QString CalibrationPanel::statusText() const
{
    return m_status->text();
}

void CalibrationPanel::retarget()
{
    // Every candidate's figures came back with the run: another target is chosen at once.
    if (!m_result || !m_result->table)
        return;
    m_chosen = m_result->table->best(target(), m_chosenReachesTarget);
    m_chosenByHand = false;
    showChosen();
}

void CalibrationPanel::choose(int index)
{
    if (!m_result || index < 0 || static_cast<std::size_t>(index) >= m_result->curve.size())
        return;
    m_chosen = m_result->curve[static_cast<std::size_t>(index)];
    m_chosenByHand = true;
    showChosen();
}

void CalibrationPanel::showResult()
{
    const rl::CalibrationResult &r = *m_result;
    m_results->setVisible(true);
    m_curve->setPoints(r.curve, r.current);
    QString evidence =
        tr("From %1 requests with a complexity score (of %2 in %3 to %4): %5 rated by clients, of "
           "which %6 escalated; %7 labelled prompts.")
            .arg(count(r.scored), count(r.events), utcDate(r.fromMs).toString(Qt::ISODate),
                 utcDate(r.toMs - 1).toString(Qt::ISODate), count(r.ratings), count(r.escalations), count(r.labels));
    if (r.ratings == 0 && r.labels == 0)
        evidence += tr(" With neither, quality is the scorer's own estimate: collect feedback (POST /v1/feedback on "
                       "the routers) or add labels for a measured one.");
    if (r.unknown > 0)
        evidence +=
            tr(" %1 requests were left out: their outcome depends on what was not recorded.").arg(count(r.unknown));
    m_evidence->setText(evidence);
    showChosen();
}

void CalibrationPanel::showChosen()
{
    if (!m_result)
        return;
    const rl::CalibrationResult &r = *m_result;
    const rl::CalibrationPoint &now = r.current;
    const rl::CalibrationPoint &next = m_chosen;
    m_curve->setChosen(next);
    const qint64 delta = next.costMicro - now.costMicro;
    m_spend->setValue(money::full(next.costMicro), tr("%1 against the draft now").arg(money::signedFull(delta)),
                      delta <= 0 ? m_theme.good() : m_theme.warning());
    m_quality->setValue(money::percent(next.quality, 1), points(next.quality - now.quality, 1) + tr(" against now"),
                        next.quality >= now.quality ? m_theme.good() : m_theme.warning());
    m_frontier->setValue(money::percent(next.frontierShare, 1),
                         points(next.frontierShare - now.frontierShare, 1) + tr(" against now"), m_theme.tierColor(0));
    std::int64_t known = 0;
    for (std::int64_t n : next.tierRequests)
        known += n;
    const std::size_t light = r.tierNames.empty() ? 0 : r.tierNames.size() - 1;
    const double lightShare = known > 0 && light < next.tierRequests.size()
                                  ? static_cast<double>(next.tierRequests[light]) / static_cast<double>(known)
                                  : 0.0;
    const double lightNow = known > 0 && light < now.tierRequests.size()
                                ? static_cast<double>(now.tierRequests[light]) / static_cast<double>(known)
                                : 0.0;
    m_moved->setValue(money::percent(lightShare, 1), points(lightShare - lightNow, 1) + tr(" against now"),
                      m_theme.tierColor(static_cast<int>(light)));

    // The thresholds: rule, now, proposed.
    while (QLayoutItem *item = m_thresholds->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    const QStringList headers = {tr("Threshold of rules"), tr("Now"), tr("Proposed")};
    for (int c = 0; c < headers.size(); ++c) {
        auto *header = new QLabel(headers[c], m_results);
        header->setFont(m_theme.captionFont());
        m_thresholds->addWidget(header, 0, c, c == 0 ? Qt::AlignLeft : Qt::AlignRight);
    }
    for (std::size_t i = 0; i < r.thresholds.size(); ++i) {
        QStringList rules;
        for (const std::string &rule : r.thresholds[i].rules)
            rules << QString::fromStdString(rule);
        const int row = static_cast<int>(i) + 1;
        m_thresholds->addWidget(new QLabel(rules.join(QStringLiteral(", ")), m_results), row, 0);
        m_thresholds->addWidget(new QLabel(threshold(r.thresholds[i].value), m_results), row, 1, Qt::AlignRight);
        auto *proposed = new QLabel(i < next.thresholds.size() ? threshold(next.thresholds[i]) : QString(), m_results);
        QFont bold = proposed->font();
        bold.setBold(true);
        proposed->setFont(bold);
        proposed->setObjectName(QStringLiteral("calibrateProposed%1").arg(i));
        m_thresholds->addWidget(proposed, row, 2, Qt::AlignRight);
    }
    m_thresholds->setColumnStretch(0, 1);

    QString status;
    if (m_chosenByHand)
        status = tr("The point you chose on the curve.");
    else if (m_chosenReachesTarget)
        status = tr("The proposal meets the target.");
    else
        status = target().kind == rl::CalibrationTarget::Kind::Quality
                     ? tr("No thresholds reach this quality: the proposal is the best quality there is.")
                     : tr("No thresholds get the frontier share this low (other rules send requests there): the "
                          "proposal is the lowest share there is.");
    m_status->setText(status);
    m_apply->setEnabled(next.thresholds != now.thresholds);
}

bool CalibrationPanel::applyToDraft()
{
    if (!m_result || !m_draft)
        return false;
    auto document = rl::ComplexityThresholds::apply(m_draft->document(), m_result->thresholds, m_chosen.thresholds);
    if (!document) {
        m_status->setText(QString::fromStdString(document.error().message));
        return false;
    }
    QStringList values;
    for (double value : m_chosen.thresholds)
        values << threshold(value);
    m_draft->edit(tr("Calibrate complexity thresholds to %1").arg(values.join(QStringLiteral(", "))),
                  std::move(document).value());
    m_status->setText(tr("Applied to the draft (Undo takes it back). Simulate to see what it does beside the "
                         "published version; calibrate again to refine."));
    emit applied();
    return true;
}
