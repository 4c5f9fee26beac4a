#pragma once

#include "sources/sourceview.h"
#include "store/identitymap.h"
#include "store/usagestore.h"

#include <QObject>
#include <QSet>

#include <memory>
#include <vector>

class StoreService;

Q_DECLARE_METATYPE(rl::SourceSettings)
Q_DECLARE_METATYPE(std::vector<rl::IdentityMapping>)

// The app's side of the sources, on its own thread: the configured sources' settings and the
// SourceScheduler that polls them (each source on a thread of its own). It writes nothing itself: settings,
// mappings and the pollers' pages go through the store service. The GUI talks to it through queued signals
// only. Secrets arrive from the keychain through `start`/`save` and live in memory only.
class SourcesWorker : public QObject {
    Q_OBJECT
public:
    // `store` is null when no store is open: every slot then does nothing.
    explicit SourcesWorker(StoreService *store, QObject *parent = nullptr);
    ~SourcesWorker() override;

public slots:
    // Reads the sources' settings and identity mappings (sourcesLoaded, mappingsLoaded follow).
    void open();
    // A source's secret, read from the keychain: the source starts polling.
    void start(const QString &name, const QString &secret);
    // Why a source cannot start (its credential is missing, the keychain is locked).
    void hold(const QString &name, const QString &reason);
    // Saves new or edited settings (the secret is already in the keychain) and (re)starts the source.
    void save(const rl::SourceSettings &settings, const QString &secret, const QString &previousName);
    void remove(const QString &name);
    void setPaused(const QString &name, bool paused);
    void pollNow(const QString &name);
    // Forgets the source's cursors and reads it again from its start (rows already stored are kept and
    // not duplicated): the way out of a cursor the source no longer understands.
    void readAgain(const QString &name, const QString &secret);
    // Reads one page from each of the source's connectors without storing anything.
    void test(const rl::SourceSettings &settings, const QString &secret);
    void saveMappings(const std::vector<rl::IdentityMapping> &mappings);
    void stop();

signals:
    // After open: the settings, so the GUI can read each source's credential.
    void sourcesLoaded(const QVector<SourceView> &sources);
    void sourcesChanged(const QVector<SourceView> &sources);
    void mappingsLoaded(const std::vector<rl::IdentityMapping> &mappings);
    void dataLanded();
    void tested(const QString &name, bool ok, const QString &report);
    void saved(const QString &name);
    void failed(const QString &message);

private:
    void statusArrived(const rl::SourceStatus &status, bool dataLanded);
    void publish();
    QVector<SourceView> views() const;
    const rl::SourceSettings *find(const QString &name) const;

    StoreService *m_store = nullptr;
    std::unique_ptr<rl::SourceScheduler> m_scheduler;
    std::vector<rl::SourceSettings> m_settings;
    QHash<QString, QString> m_held; // name -> why it is not polled
    struct Stored {
        qint64 records = 0, newestMs = 0;
    };
    QHash<QString, Stored> m_storedAtOpen; // per configured source, all its parts together
};
