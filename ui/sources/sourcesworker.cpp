#include "sources/sourcesworker.h"

#include "pricing/pricecatalog.h"
#include "sources/sourcekinds.h"
#include "storeservice.h"

#include <QMetaObject>

SourcesWorker::SourcesWorker(StoreService *store, QObject *parent) : QObject(parent), m_store(store)
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

void SourcesWorker::open()
{
    stop();
    if (!m_store)
        return;
    struct Opened {
        rl::Result<rl::Pricing> pricing;
        rl::Result<std::vector<rl::SourceSettings>> settings;
        rl::Result<std::vector<rl::UsageStore::SourceTotals>> totals;
        std::vector<rl::IdentityMapping> mappings;
    };
    Opened opened = m_store->call([](rl::UsageStore &store) {
        return Opened{store.pricing(), store.sourceSettings(), store.sourceTotals(), store.identityMap().mappings()};
    });
    if (!opened.pricing || !opened.settings) {
        emit failed(
            QString::fromStdString((!opened.pricing ? opened.pricing.error() : opened.settings.error()).message));
        return;
    }
    m_settings = opened.settings.value();
    rl::SourceScheduler::Options options;
    options.http.maxAttempts = 3;
    options.http.maxBodyBytes = 32u << 20; // a usage page is well under 1 MB; a 50 MB answer is refused unread
    options.http.retryAfterMax = std::chrono::minutes(5);
    m_scheduler = std::make_unique<rl::SourceScheduler>(*m_store, std::move(opened.pricing).value(),
                                                        &rl::SourceKinds::connectors, options);
    m_scheduler->setListener([this](const rl::SourceStatus &status, bool landed) {
        QMetaObject::invokeMethod(
            this, [this, status, landed] { statusArrived(status, landed); }, Qt::QueuedConnection);
    });
    m_held.clear();
    m_storedAtOpen.clear();
    if (opened.totals) {
        for (const rl::UsageStore::SourceTotals &t : opened.totals.value()) {
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
    emit mappingsLoaded(opened.mappings);
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
    const rl::Result<std::vector<rl::SourceSettings>> written = m_store->call([&](rl::UsageStore &store) {
        if (renamed)
            if (auto moved = store.renameSource(previousName.toStdString(), settings.name); !moved)
                return rl::Result<std::vector<rl::SourceSettings>>(moved.error());
        if (kindChanged) // another type reads other APIs with other cursors: start it afresh
            if (auto reset = store.resetCursors(settings.name); !reset)
                return rl::Result<std::vector<rl::SourceSettings>>(reset.error());
        if (auto saved = store.saveSourceSettings(stored); !saved)
            return rl::Result<std::vector<rl::SourceSettings>>(saved.error());
        return store.sourceSettings();
    });
    if (!written) {
        emit failed(QString::fromStdString(written.error().message));
        return;
    }
    m_settings = written.value();
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
    const rl::Result<std::vector<rl::SourceSettings>> remaining = m_store->call([&](rl::UsageStore &store) {
        if (auto removed = store.removeSourceSettings(name.toStdString()); !removed)
            return rl::Result<std::vector<rl::SourceSettings>>(removed.error());
        return store.sourceSettings();
    });
    if (!remaining) {
        emit failed(QString::fromStdString(remaining.error().message));
        return;
    }
    m_settings = remaining.value();
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
        const rl::SourceSettings saved = s;
        if (auto written = m_store->call([&saved](rl::UsageStore &store) { return store.saveSourceSettings(saved); });
            !written)
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
    if (auto reset = m_store->call([&name](rl::UsageStore &store) { return store.resetCursors(name.toStdString()); });
        !reset) {
        emit failed(QString::fromStdString(reset.error().message));
        return;
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
    if (m_store)
        if (auto stored = m_store->call([](rl::UsageStore &store) { return store.pricing(); }))
            pricing = stored.value();
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
    struct Saved {
        std::optional<rl::Error> error;
        std::vector<rl::IdentityMapping> mappings; // what the store holds afterwards, saved or not
    };
    Saved saved = m_store->call([&mappings](rl::UsageStore &store) {
        Saved out;
        if (auto written = store.setIdentityMappings(mappings); !written)
            out.error = written.error();
        out.mappings = store.identityMap().mappings();
        return out;
    });
    if (saved.error) {
        emit failed(QString::fromStdString(saved.error->message));
        emit mappingsLoaded(saved.mappings);
        return;
    }
    emit mappingsLoaded(saved.mappings);
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
