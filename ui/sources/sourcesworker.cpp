#include "sources/sourcesworker.h"

#include "pricing/pricecatalog.h"
#include "sources/sourcekinds.h"

#include <QMetaObject>

SourcesWorker::SourcesWorker(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<SourceView>();
    qRegisterMetaType<QVector<SourceView>>();
    qRegisterMetaType<rl::SourceSettings>();
    qRegisterMetaType<std::vector<rl::IdentityMapping>>();
}

SourcesWorker::~SourcesWorker()
{
    stop();
}

void SourcesWorker::stop()
{
    if (m_scheduler)
        m_scheduler->stopAll(); // cancels transfers in flight; committed pages stay
    m_scheduler.reset();
}

void SourcesWorker::open(const QString &storePath)
{
    stop();
    auto opened = rl::UsageStore::open(storePath.toStdString());
    if (!opened) {
        emit failed(QString::fromStdString(opened.error().message));
        return;
    }
    m_store = std::make_unique<rl::UsageStore>(std::move(opened).value());
    auto pricing = m_store->pricing();
    auto settings = m_store->sourceSettings();
    if (!pricing || !settings) {
        emit failed(QString::fromStdString((!pricing ? pricing.error() : settings.error()).message));
        return;
    }
    m_settings = settings.value();
    rl::SourceScheduler::Options options;
    options.http.maxAttempts = 3;
    options.http.maxBodyBytes = 32u << 20; // a usage page is well under 1 MB; a 50 MB answer is refused unread
    options.http.retryAfterMax = std::chrono::minutes(5);
    m_scheduler = std::make_unique<rl::SourceScheduler>(*m_store, m_storeLock, std::move(pricing).value(),
                                                        &rl::SourceKinds::connectors, options);
    m_scheduler->setListener([this](const rl::SourceStatus &status, bool landed) {
        QMetaObject::invokeMethod(
            this, [this, status, landed] { statusArrived(status, landed); }, Qt::QueuedConnection);
    });
    m_held.clear();
    m_storedAtOpen.clear();
    if (auto totals = m_store->sourceTotals()) {
        for (const rl::UsageStore::SourceTotals &t : totals.value()) {
            // "<name> (costs)" belongs to "<name>"
            QString name = QString::fromStdString(t.name);
            if (const qsizetype part = name.indexOf(QStringLiteral(" (")); part > 0)
                name.truncate(part);
            Stored &stored = m_storedAtOpen[name];
            stored.records += t.records;
            stored.newestMs = std::max<qint64>(stored.newestMs, t.newestMs);
        }
    }
    for (const rl::SourceSettings &s : m_settings)
        m_held.insert(QString::fromStdString(s.name), tr("Reading the credential from the keychain…"));
    emit mappingsLoaded(m_store->identityMap().mappings());
    emit sourcesLoaded(views());
}

const rl::SourceSettings *SourcesWorker::find(const QString &name) const
{
    for (const rl::SourceSettings &s : m_settings)
        if (s.name == name.toStdString())
            return &s;
    return nullptr;
}

void SourcesWorker::start(const QString &name, const QString &secret)
{
    const rl::SourceSettings *settings = find(name);
    if (!settings || !m_scheduler)
        return;
    m_held.remove(name);
    m_scheduler->upsert(*settings, secret.toStdString());
    publish();
}

void SourcesWorker::hold(const QString &name, const QString &reason)
{
    if (!find(name))
        return;
    if (m_scheduler)
        m_scheduler->remove(name.toStdString());
    m_held.insert(name, reason);
    publish();
}

void SourcesWorker::save(const rl::SourceSettings &settings, const QString &secret, const QString &previousName)
{
    if (!m_store)
        return;
    std::vector<std::string> problems = rl::SourceKinds::problems(settings, !secret.isEmpty());
    if (!previousName.isEmpty() && previousName.toStdString() != settings.name
        && find(QString::fromStdString(settings.name)))
        problems.push_back("A source named \"" + settings.name + "\" exists already.");
    if (previousName.isEmpty() && find(QString::fromStdString(settings.name)))
        problems.push_back("A source named \"" + settings.name + "\" exists already.");
    if (!problems.empty()) {
        QString message;
        for (const std::string &p : problems)
            message += QString::fromStdString(p) + QLatin1Char(' ');
        emit failed(message.trimmed());
        return;
    }
    rl::SourceSettings stored = settings;
    const rl::SourceSettings *old = find(previousName.isEmpty() ? QString::fromStdString(settings.name) : previousName);
    const bool renamed = !previousName.isEmpty() && previousName.toStdString() != settings.name;
    const bool kindChanged = old && old->kind != settings.kind;
    if (old)
        stored.createdMs = old->createdMs;
    // Stop polling a renamed source first (outside the store lock: its thread may be waiting for it), so
    // no page lands under the old name meanwhile.
    if (renamed)
        m_scheduler->remove(previousName.toStdString());
    {
        std::lock_guard lock(m_storeLock);
        auto fail = [this](const rl::Error &error) { emit failed(QString::fromStdString(error.message)); };
        if (renamed)
            if (auto moved = m_store->renameSource(previousName.toStdString(), settings.name); !moved)
                return fail(moved.error());
        if (kindChanged) // another type reads other APIs with other cursors: start it afresh
            if (auto reset = m_store->resetCursors(settings.name); !reset)
                return fail(reset.error());
        if (auto written = m_store->saveSourceSettings(stored); !written)
            return fail(written.error());
        if (auto reread = m_store->sourceSettings())
            m_settings = reread.value();
    }
    if (renamed) {
        m_held.remove(previousName);
        m_storedAtOpen.insert(QString::fromStdString(settings.name), m_storedAtOpen.take(previousName));
    }
    m_held.remove(QString::fromStdString(settings.name));
    m_scheduler->upsert(*find(QString::fromStdString(settings.name)), secret.toStdString());
    emit saved(QString::fromStdString(settings.name));
    publish();
}

void SourcesWorker::remove(const QString &name)
{
    if (!m_store)
        return;
    m_scheduler->remove(name.toStdString());
    {
        std::lock_guard lock(m_storeLock);
        if (auto removed = m_store->removeSourceSettings(name.toStdString()); !removed) {
            emit failed(QString::fromStdString(removed.error().message));
            return;
        }
        if (auto reread = m_store->sourceSettings())
            m_settings = reread.value();
    }
    m_held.remove(name);
    publish();
}

void SourcesWorker::setPaused(const QString &name, bool paused)
{
    if (!m_store)
        return;
    for (rl::SourceSettings &s : m_settings) {
        if (s.name != name.toStdString())
            continue;
        s.paused = paused;
        std::lock_guard lock(m_storeLock);
        if (auto written = m_store->saveSourceSettings(s); !written)
            emit failed(QString::fromStdString(written.error().message));
    }
    m_scheduler->setPaused(name.toStdString(), paused);
    publish();
}

void SourcesWorker::pollNow(const QString &name)
{
    if (m_scheduler)
        m_scheduler->pollNow(name.toStdString());
}

void SourcesWorker::readAgain(const QString &name, const QString &secret)
{
    const rl::SourceSettings *settings = find(name);
    if (!settings || !m_scheduler)
        return;
    m_scheduler->remove(name.toStdString()); // outside the store lock: its thread may be waiting for it
    {
        std::lock_guard lock(m_storeLock);
        if (auto reset = m_store->resetCursors(name.toStdString()); !reset) {
            emit failed(QString::fromStdString(reset.error().message));
            return;
        }
    }
    if (!secret.isEmpty()) {
        m_held.remove(name);
        m_scheduler->upsert(*settings, secret.toStdString());
    }
    publish();
}

void SourcesWorker::test(const rl::SourceSettings &settings, const QString &secret)
{
    const QString name = QString::fromStdString(settings.name);
    std::vector<std::string> problems = rl::SourceKinds::problems(settings, !secret.isEmpty());
    if (!problems.empty()) {
        emit tested(name, false, QString::fromStdString(problems.front()));
        return;
    }
    rl::HttpClient::Options options;
    options.maxAttempts = 1; // an answer now, not after retries
    options.connectTimeout = std::chrono::seconds(10);
    options.transferTimeout = std::chrono::seconds(30);
    rl::HttpClient http(options);
    rl::Pricing pricing(rl::PriceCatalog::builtIn());
    if (m_store) {
        std::lock_guard lock(m_storeLock);
        if (auto stored = m_store->pricing())
            pricing = stored.value();
    }
    auto connectors = rl::SourceKinds::connectors(settings, secret.toStdString(), http, pricing);
    if (!connectors) {
        emit tested(name, false, QString::fromStdString(connectors.error().message));
        return;
    }
    QStringList lines;
    bool ok = true;
    for (const auto &connector : connectors.value()) {
        auto page = connector->fetch(std::nullopt); // the first page only; nothing is stored
        const QString part = QString::fromStdString(connector->sourceName());
        if (!page) {
            ok = false;
            lines << tr("✗ %1: %2").arg(part, QString::fromStdString(page.error().message));
            continue;
        }
        const rl::IngestBatch &batch = page->batch;
        lines << tr("✓ %1: connected; the first page has %2 requests, %3 usage buckets and %4 cost lines%5.")
                     .arg(part)
                     .arg(batch.events.size())
                     .arg(batch.buckets.size())
                     .arg(batch.costs.size())
                     .arg(page->hasMore ? tr(" (more to read)") : QString());
    }
    emit tested(name, ok, lines.join(QLatin1Char('\n')));
}

void SourcesWorker::saveMappings(const std::vector<rl::IdentityMapping> &mappings)
{
    if (!m_store)
        return;
    rl::Result<void> saved = [&] {
        std::lock_guard lock(m_storeLock);
        return m_store->setIdentityMappings(mappings);
    }();
    if (!saved) {
        emit failed(QString::fromStdString(saved.error().message));
        emit mappingsLoaded(m_store->identityMap().mappings());
        return;
    }
    emit mappingsLoaded(m_store->identityMap().mappings());
    emit dataLanded(); // every page shows the records under their new teams
}

void SourcesWorker::statusArrived(const rl::SourceStatus &, bool landed)
{
    publish();
    if (landed)
        emit dataLanded();
}

QVector<SourceView> SourcesWorker::views() const
{
    QVector<SourceView> out;
    for (const rl::SourceSettings &s : m_settings) {
        SourceView view;
        view.settings = s;
        view.status.name = s.name;
        const QString name = QString::fromStdString(s.name);
        if (m_held.contains(name))
            view.notPolled = m_held.value(name);
        else if (m_scheduler)
            if (auto status = m_scheduler->status(s.name))
                view.status = *status;
        // The scheduler counts this session; the store knows what came before.
        const Stored stored = m_storedAtOpen.value(name);
        view.status.recordsIngested += stored.records;
        view.status.newestRecordMs = std::max<std::int64_t>(view.status.newestRecordMs, stored.newestMs);
        out.push_back(std::move(view));
    }
    return out;
}

void SourcesWorker::publish()
{
    emit sourcesChanged(views());
}
