#pragma once

#include "clock.h"
#include "error.h"
#include "net/httpclient.h"
#include "pricing/pricing.h"
#include "sources/usageconnector.h"
#include "store/ingestsink.h"
#include "store/sourcesettings.h"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace rl {

// What the Sources page shows for one source.
struct SourceStatus {
    enum class State { Waiting, Polling, Paused, Failing };
    std::string name;
    State state = State::Waiting;
    std::int64_t lastAttemptMs = 0;
    std::int64_t lastSuccessMs = 0;
    std::optional<Error> lastError;   // of the last poll; cleared by a good one
    std::int64_t recordsIngested = 0; // events, buckets and cost lines stored since the scheduler started
    std::int64_t newestRecordMs = 0;  // newest record time seen from the source (lag = now - this)
    std::int64_t nextPollMs = 0;
    int consecutiveFailures = 0;
};

std::string_view sourceStateName(SourceStatus::State state);

// Polls every configured source on its own thread at its own interval: a slow or failing source never
// holds up another. Pages are fetched without the store and handed to the sink (which serialises the
// sources' writes: the app's store service, or SerializedIngest), each with its cursor in one transaction
// (SourcePoller), so a restart resumes where the store says. A failing source is
// retried sooner than its interval (15 s, doubling, up to the interval). Pause, resume and poll-now take
// effect at once; stopping cancels a transfer in flight.
class SourceScheduler {
public:
    using Connectors = std::vector<std::unique_ptr<UsageConnector>>;
    // Builds a source's connectors; they may keep references to the client and pricing given.
    using Factory = std::function<Result<Connectors>(const SourceSettings &, const std::string &secret, HttpClient &,
                                                     const Pricing &)>;
    using Listener = std::function<void(const SourceStatus &status, bool dataLanded)>;

    struct Options {
        HttpClient::Options http;
        std::size_t maxPagesPerPoll = 200; // then the poll goes on at once, letting other writers in
        std::int64_t firstRetryMs = 15'000;
        Clock nowMs; // empty: the system clock
    };

    SourceScheduler(IngestSink &store, Pricing pricing, Factory factory, Options options);
    ~SourceScheduler();
    SourceScheduler(const SourceScheduler &) = delete;
    SourceScheduler &operator=(const SourceScheduler &) = delete;

    // Called from the sources' threads after every state change.
    void setListener(Listener listener);

    // Starts polling a source, or restarts it with new settings or a new secret.
    void upsert(const SourceSettings &settings, const std::string &secret);
    void remove(const std::string &name);
    void setPaused(const std::string &name, bool paused);
    void pollNow(const std::string &name);
    void stopAll();

    std::vector<SourceStatus> statuses() const;
    std::optional<SourceStatus> status(const std::string &name) const;

private:
    struct Worker;
    void run(Worker &worker);
    void publish(Worker &worker, bool dataLanded);
    std::int64_t now() const;

    IngestSink &m_store;
    const Pricing m_pricing;
    Factory m_factory;
    Options m_options;
    mutable std::mutex m_mutex; // guards m_workers and m_listener
    std::map<std::string, std::unique_ptr<Worker>> m_workers;
    Listener m_listener;
};

} // namespace rl
