#include "simulationpanel.h"

#include "replayscopebar.h"
#include "simulationgroupsmodel.h"
#include "simulationmovesmodel.h"
#include "simulationworker.h"
#include "tiermixbars.h"
#include "widgets/money.h"
#include "widgets/stattile.h"

#include <QComboBox>
#include <QDateEdit>
#include <QDateTime>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace {

QString count(qint64 n)
{
    return QLocale(QLocale::English).toString(n);
}

QString signedMoney(qint64 micro)
{
    return money::signedFull(micro);
}

double shortfallRate(const rl::PolicyFigures &f)
{
    return f.scoredRequests ? f.expectedShortfalls / static_cast<double>(f.scoredRequests) : 0.0;
}

QDate utcDate(std::int64_t ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).date();
}

} // namespace

SimulationPanel::SimulationPanel(const Theme &theme, SimulationWorker *worker, QWidget *parent)
    : QWidget(parent), m_theme(theme), m_worker(worker), m_clock(rl::systemClock())
{
    m_moves = new SimulationMovesModel(m_theme, this);
    m_groups = new SimulationGroupsModel(m_theme, this);

    // Everything scrolls, so the tab never makes the window wider or taller than 1280×800 needs.
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

    auto *controls = new QGridLayout;
    controls->setHorizontalSpacing(8);
    controls->setVerticalSpacing(6);
    m_scope = new ReplayScopeBar(content);
    m_scope->setObjectName(QStringLiteral("simulateScope"));
    m_baseline = new QComboBox(content);
    m_baseline->setObjectName(QStringLiteral("simulateBaseline"));
    m_baseline->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_baseline->setMinimumContentsLength(14);
    m_run = new QPushButton(tr("&Simulate"), content);
    m_run->setObjectName(QStringLiteral("simulateRun"));
    m_run->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), content);
    m_cancel->setObjectName(QStringLiteral("simulateCancel"));
    auto *against = new QHBoxLayout;
    against->addWidget(new QLabel(tr("Draft against"), content));
    against->addWidget(m_baseline, 1);
    against->addWidget(m_run);
    against->addWidget(m_cancel);
    controls->addWidget(m_scope, 0, 0);
    controls->addLayout(against, 1, 0);
    layout->addLayout(controls);

    m_progress = new QProgressBar(content);
    m_progress->setObjectName(QStringLiteral("simulateProgress"));
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(6);
    m_status = new QLabel(content);
    m_status->setObjectName(QStringLiteral("simulateStatus"));
    m_status->setWordWrap(true);
    m_status->setText(tr("Replays the stored requests of the period under the draft and under the version it is "
                         "compared with, through the same routing core the routers run. Nothing is changed."));
    layout->addWidget(m_status);
    layout->addWidget(m_progress);

    m_results = new QWidget(content);
    auto *results = new QVBoxLayout(m_results);
    results->setContentsMargins(0, 0, 0, 0);
    results->setSpacing(8);
    auto *tiles = new QGridLayout;
    tiles->setSpacing(8);
    m_spend = new StatTile(m_theme, tr("Spend under the draft"), m_results);
    m_saved = new StatTile(m_theme, tr("Saved vs all-frontier, draft"), m_results);
    m_movedTile = new StatTile(m_theme, tr("Requests that change tier"), m_results);
    m_quality = new StatTile(m_theme, tr("Est. answers worse than frontier"), m_results);
    StatTile *order[] = {m_spend, m_saved, m_movedTile, m_quality};
    for (int i = 0; i < 4; ++i) // two by two: the tab is narrow beside the side panel
        tiles->addWidget(order[i], i / 2, i % 2);
    results->addLayout(tiles);
    auto *mixCaption = new QLabel(tr("Tier mix of the compared requests"), m_results);
    mixCaption->setFont(m_theme.captionFont());
    results->addWidget(mixCaption);
    m_mix = new TierMixBars(m_theme, m_results);
    m_mix->setObjectName(QStringLiteral("simulateMix"));
    results->addWidget(m_mix);

    auto *tables = new QVBoxLayout;
    tables->setSpacing(8);
    auto *matrixBox = new QVBoxLayout;
    auto *matrixCaption =
        new QLabel(tr("Where the requests go: rows are their tier under the published version, columns under the "
                      "draft; each cell gives the requests and what the move changes in cost"),
                   m_results);
    matrixCaption->setFont(m_theme.captionFont());
    matrixCaption->setWordWrap(true);
    m_matrix = new QTableView(m_results);
    m_matrix->setObjectName(QStringLiteral("simulateMatrix"));
    m_matrix->setModel(m_moves);
    m_matrix->setSelectionMode(QAbstractItemView::NoSelection);
    m_matrix->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_matrix->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_matrix->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    matrixBox->addWidget(matrixCaption);
    matrixBox->addWidget(m_matrix, 1);
    auto *groupBox = new QVBoxLayout;
    m_grouping = new QComboBox(m_results);
    m_grouping->setObjectName(QStringLiteral("simulateGrouping"));
    m_grouping->addItem(tr("Moves by the draft's rule"));
    m_grouping->addItem(tr("Moves by team"));
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_groups);
    proxy->setSortRole(SimulationGroupsModel::SortRole);
    m_groupView = new QTableView(m_results);
    m_groupView->setObjectName(QStringLiteral("simulateGroups"));
    m_groupView->setModel(proxy);
    m_groupView->setSortingEnabled(true);
    m_groupView->sortByColumn(SimulationGroupsModel::Requests, Qt::DescendingOrder);
    m_groupView->verticalHeader()->hide();
    m_groupView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_groupView->horizontalHeader()->setSectionResizeMode(SimulationGroupsModel::Group, QHeaderView::Stretch);
    m_groupView->setMinimumHeight(160);
    groupBox->addWidget(m_grouping);
    groupBox->addWidget(m_groupView, 1);
    tables->addLayout(matrixBox);
    tables->addLayout(groupBox);
    results->addLayout(tables, 1);
    m_unknown = new QLabel(m_results);
    m_unknown->setObjectName(QStringLiteral("simulateUnknown"));
    m_unknown->setWordWrap(true);
    m_unknown->setTextInteractionFlags(Qt::TextSelectableByMouse);
    results->addWidget(m_unknown);
    layout->addWidget(m_results, 1);

    // Shadow mode: what replay cannot know (prompt rules on real prompts) measured on live traffic.
    auto *shadowTitle = new QLabel(tr("In shadow on live traffic"), content);
    QFont titleFont = m_theme.bodyFont();
    titleFont.setBold(true);
    shadowTitle->setFont(titleFont);
    layout->addWidget(shadowTitle);
    auto *shadowButtons = new QHBoxLayout;
    auto *runShadow = new QPushButton(tr("Run this draft in shadow…"), content);
    runShadow->setObjectName(QStringLiteral("runInShadow"));
    runShadow->setToolTip(tr("On the routers checked on the Push tab: every request is still served by the live "
                             "policy, and also decided by this draft, whose choice is only recorded"));
    auto *endShadow = new QPushButton(tr("End shadow"), content);
    endShadow->setObjectName(QStringLiteral("endShadow"));
    auto *refreshShadowButton = new QPushButton(tr("Refresh"), content);
    refreshShadowButton->setObjectName(QStringLiteral("refreshShadow"));
    shadowButtons->addWidget(runShadow);
    shadowButtons->addWidget(endShadow);
    shadowButtons->addWidget(refreshShadowButton);
    shadowButtons->addStretch(1);
    layout->addLayout(shadowButtons);
    m_shadowStatus = new QLabel(content);
    m_shadowStatus->setObjectName(QStringLiteral("shadowStatus"));
    m_shadowStatus->setWordWrap(true);
    m_shadowStatus->setFont(m_theme.captionFont());
    m_shadowStatus->hide();
    layout->addWidget(m_shadowStatus);
    m_shadow = new QLabel(content);
    m_shadow->setObjectName(QStringLiteral("shadowComparison"));
    m_shadow->setWordWrap(true);
    m_shadow->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_shadow->setText(tr("No shadow decisions recorded in this period. Run a draft in shadow on the routers: it "
                         "measures what replay cannot (prompt rules on real prompts) without changing what is "
                         "served; then poll the routers (Sources) and refresh."));
    layout->addWidget(m_shadow);
    layout->addStretch(0);
    connect(runShadow, &QPushButton::clicked, this, &SimulationPanel::runInShadowRequested);
    connect(endShadow, &QPushButton::clicked, this, &SimulationPanel::endShadowRequested);
    connect(refreshShadowButton, &QPushButton::clicked, this, &SimulationPanel::refreshShadow);
    scroll->setWidget(content);
    m_results->setVisible(false);

    connect(m_run, &QPushButton::clicked, this, &SimulationPanel::run);
    connect(m_cancel, &QPushButton::clicked, this, &SimulationPanel::cancel);
    connect(m_grouping, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_groups->setGrouping(index == 0 ? SimulationGroupsModel::By::Rule : SimulationGroupsModel::By::Team);
    });
    if (m_worker) {
        connect(m_worker, &SimulationWorker::progress, this, [this](quint64 ticket, qint64 done, qint64 total) {
            if (ticket != m_ticket)
                return;
            m_progress->setRange(0, 1000);
            m_progress->setValue(total > 0 ? static_cast<int>(1000 * done / total) : 0);
            m_status->setText(tr("Replaying %1 of %2 requests…").arg(count(done), count(total)));
        });
        connect(m_worker, &SimulationWorker::finished, this,
                [this](quint64 ticket, const rl::SimulationResult &result) {
                    if (ticket != m_ticket)
                        return;
                    setRunning(false);
                    showResult(result);
                    refreshShadow();
                    emit finished();
                });
        connect(m_worker, &SimulationWorker::shadowCompared, this,
                [this](quint64 ticket, const rl::ShadowComparison &comparison, const QString &error) {
                    if (ticket != m_shadowTicket)
                        return;
                    if (!error.isEmpty())
                        m_shadow->setText(error);
                    else if (comparison.requests > 0)
                        m_shadow->setText(QString::fromStdString(comparison.summary()));
                    emit shadowCompared();
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

SimulationPanel::~SimulationPanel()
{
    cancel();
}

void SimulationPanel::setClock(rl::Clock clock)
{
    m_clock = clock ? std::move(clock) : rl::systemClock();
    m_scope->setClock(m_clock);
}

void SimulationPanel::setPeriod(const QDate &from, const QDate &to)
{
    m_scope->setPeriod(from, to);
}

void SimulationPanel::setTeams(const QStringList &teams)
{
    m_scope->setTeams(teams);
}

void SimulationPanel::setTeam(const QString &team)
{
    m_scope->setTeam(team);
}

void SimulationPanel::setVersions(const QList<qint64> &versions)
{
    m_baseline->clear();
    for (auto it = versions.rbegin(); it != versions.rend(); ++it)
        m_baseline->addItem(it == versions.rbegin() ? tr("published version %1 (latest)").arg(*it)
                                                    : tr("published version %1").arg(*it),
                            *it);
    setRunning(m_running);
}

void SimulationPanel::run()
{
    if (!m_worker || m_storePath.isEmpty()) {
        m_status->setText(tr("Simulation needs a store with history; open one with --store."));
        return;
    }
    if (m_baseline->count() == 0) {
        m_status->setText(tr("There is no published version to compare with; publish the draft once, then "
                             "simulate the next change against it."));
        return;
    }
    if (!m_scope->isValid()) {
        m_status->setText(tr("The period ends before it starts; choose a 'to' date on or after the 'from' date."));
        return;
    }
    const rl::UsageFilter scope = this->scope();
    const QString draft = m_draft ? m_draft() : QString();
    const qint64 baseline = m_baseline->currentData().toLongLong();
    const quint64 ticket = m_ticket = SimulationWorker::newTicket();
    setRunning(true);
    m_progress->setRange(0, 0);
    m_status->setText(tr("Reading the period's requests…"));
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, ticket, path = m_storePath, draft, baseline, scope] {
            worker->run(ticket, path, draft, baseline, scope);
        },
        Qt::QueuedConnection);
}

rl::UsageFilter SimulationPanel::scope() const
{
    return m_scope->scope();
}

void SimulationPanel::refreshShadow()
{
    if (!m_worker || m_storePath.isEmpty())
        return;
    const quint64 ticket = m_shadowTicket = SimulationWorker::newTicket();
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, ticket, path = m_storePath, scope = scope()] {
            worker->compareShadow(ticket, path, scope);
        },
        Qt::QueuedConnection);
}

void SimulationPanel::showShadowStatus(const QString &text)
{
    m_shadowStatus->setText(text);
    m_shadowStatus->setVisible(!text.isEmpty());
}

QString SimulationPanel::shadowText() const
{
    return m_shadow->text();
}

void SimulationPanel::cancel()
{
    if (m_running && m_worker)
        m_worker->cancel(m_ticket);
}

void SimulationPanel::setRunning(bool running)
{
    m_running = running;
    m_run->setEnabled(!running && m_baseline->count() > 0);
    m_cancel->setEnabled(running);
    m_progress->setVisible(running);
}

QString SimulationPanel::statusText() const
{
    return m_status->text();
}

QString SimulationPanel::unknownText() const
{
    return m_unknown->text();
}

void SimulationPanel::showResult(const rl::SimulationResult &r)
{
    m_result = r;
    m_results->setVisible(true);
    const auto scope = r.team.empty() ? tr("all teams") : tr("team %1").arg(QString::fromStdString(r.team));
    m_status->setText(tr("%1 requests of %2 to %3 (%4) replayed under draft version %5 and published version %6; "
                         "%7 compared.")
                          .arg(count(r.events), utcDate(r.fromMs).toString(Qt::ISODate),
                               utcDate(r.toMs - 1).toString(Qt::ISODate), scope)
                          .arg(r.draft.version)
                          .arg(r.baseline.version)
                          .arg(count(r.compared)));
    const qint64 delta = r.draft.costMicro - r.baseline.costMicro;
    const double change =
        r.baseline.costMicro ? 100.0 * static_cast<double>(delta) / static_cast<double>(r.baseline.costMicro) : 0.0;
    m_spend->setValue(money::full(r.draft.costMicro),
                      tr("%1 (%2 %) against %3 under version %4")
                          .arg(signedMoney(delta))
                          .arg(change, 0, 'f', 1)
                          .arg(money::full(r.baseline.costMicro))
                          .arg(r.baseline.version),
                      delta > 0   ? m_theme.blocked()
                      : delta < 0 ? m_theme.good()
                                  : QColor());
    m_saved->setValue(money::full(r.draft.savedMicro()),
                      tr("%1 under version %2; the frontier tier's first model at the same tokens")
                          .arg(money::full(r.baseline.savedMicro()))
                          .arg(r.baseline.version));
    qint64 moved = 0;
    for (const rl::TierMove &move : r.moved)
        moved += move.requests;
    m_movedTile->setValue(
        count(moved),
        tr("%1 of the compared requests; blocked: %2 → %3")
            .arg(money::percent(r.compared ? static_cast<double>(moved) / static_cast<double>(r.compared) : 0.0, 1))
            .arg(count(r.baseline.blocked), count(r.draft.blocked)));
    const double before = shortfallRate(r.baseline), after = shortfallRate(r.draft);
    m_quality->setValue(money::percent(after, 2),
                        tr("%1 under version %2; estimated from each request's complexity score, until feedback "
                           "calibrates it")
                            .arg(money::percent(before, 2))
                            .arg(r.baseline.version),
                        after > before + 0.0005 ? m_theme.warning() : QColor());

    std::vector<std::string> tiers = r.draft.tierNames;
    for (const std::string &tier : r.baseline.tierNames)
        if (std::find(tiers.begin(), tiers.end(), tier) == tiers.end())
            tiers.push_back(tier);
    for (const char *extra : {"none", "blocked"})
        if (r.baseline.tierRequests.count(extra) || r.draft.tierRequests.count(extra))
            tiers.emplace_back(extra);
    m_mix->setBars(tiers, {{tr("Version %1").arg(r.baseline.version), r.baseline.tierRequests},
                           {tr("Draft"), r.draft.tierRequests}});
    m_moves->setResult(r);
    m_groups->setResult(r);
    // The matrix as tall as its rows: it never needs to scroll, and leaves no empty space.
    m_matrix->resizeRowsToContents();
    int height = m_matrix->horizontalHeader()->sizeHint().height() + 2 * m_matrix->frameWidth();
    for (int row = 0; row < m_moves->rowCount(); ++row)
        height += m_matrix->rowHeight(row);
    m_matrix->setFixedHeight(height);
    const int groupRows = std::min(m_groups->rowCount(), 8);
    m_groupView->setFixedHeight(m_groupView->horizontalHeader()->sizeHint().height() + 2 * m_groupView->frameWidth()
                                + std::max(groupRows, 2) * m_groupView->verticalHeader()->defaultSectionSize() + 4);

    if (r.unknown.requests == 0) {
        m_unknown->setText(tr("Every request's outcome is known from what was stored."));
    } else {
        QStringList reasons;
        for (const auto &[reason, n] : r.unknown.reasons)
            reasons << tr("%1: %2").arg(count(n), QString::fromStdString(reason));
        m_unknown->setText(tr("<b>%1 requests</b> could not be replayed exactly and are left out of the figures "
                              "above: under the draft they would cost between %2 and %3 (%4 to %5 under version %6). "
                              "Shadow mode measures them on live traffic.<br>%7")
                               .arg(count(r.unknown.requests), money::full(r.unknown.draftCostMinMicro),
                                    money::full(r.unknown.draftCostMaxMicro),
                                    money::full(r.unknown.baselineCostMinMicro),
                                    money::full(r.unknown.baselineCostMaxMicro))
                               .arg(r.baseline.version)
                               .arg(reasons.join(QStringLiteral("<br>"))));
    }
}
