#include "sources/sourcescheduler.h"

#include "sources/sourcepoller.h"

#include <algorithm>
#include <atomic>
#include <chrono>

namespace rl {

std::string_view sourceStateName(SourceStatus::State state)
{
    switch (state) {
    case SourceStatus::State::Waiting: return "waiting";
    case SourceStatus::State::Polling: return "polling";
    case SourceStatus::State::Paused: return "paused";
    case SourceStatus::State::Failing: return "failing";
    }
    return "waiting";
}

struct SourceScheduler::Worker {
    SourceSettings settings;
    std::string secret;
    std::thread thread;
    mutable std::mutex mutex; // guards everything below
    std::condition_variable wake;
    bool stop = false;
    bool pollRequested = false;
    SourceStatus status;
    std::atomic<bool> cancel{false};
};

SourceScheduler::SourceScheduler(IngestSink &store, Pricing pricing, Factory factory, Options options)
    : m_store(store), m_pricing(std::move(pricing)), m_factory(std::move(factory)), m_options(std::move(options))
{}

SourceScheduler::~SourceScheduler()
{
    stopAll();
}

std::int64_t SourceScheduler::now() const
{
    return readClock(m_options.nowMs);
}

void SourceScheduler::setListener(Listener listener)
{
    std::lock_guard lock(m_mutex);
    m_listener = std::move(listener);
}

void SourceScheduler::upsert(const SourceSettings &settings, const std::string &secret)
{
    remove(settings.name);
    auto worker = std::make_unique<Worker>();
    worker->settings = settings;
    worker->secret = secret;
    worker->status.name = settings.name;
    worker->status.state = settings.paused ? SourceStatus::State::Paused : SourceStatus::State::Waiting;
    worker->status.nextPollMs = now(); // a new or changed source is polled at once
    Worker &ref = *worker;
    {
        std::lock_guard lock(m_mutex);
        m_workers[settings.name] = std::move(worker);
    }
    ref.thread = std::thread([this, &ref] { run(ref); });
}

void SourceScheduler::remove(const std::string &name)
{
    std::unique_ptr<Worker> worker;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_workers.find(name);
        if (it == m_workers.end())
            return;
        worker = std::move(it->second);
        m_workers.erase(it);
    }
    {
        std::lock_guard lock(worker->mutex);
        worker->stop = true;
        worker->cancel = true;
    }
    worker->wake.notify_all();
    if (worker->thread.joinable())
        worker->thread.join();
}

void SourceScheduler::stopAll()
{
    std::vector<std::string> names;
    {
        std::lock_guard lock(m_mutex);
        for (const auto &[name, worker] : m_workers)
            names.push_back(name);
    }
    for (const std::string &name : names)
        remove(name);
}

void SourceScheduler::setPaused(const std::string &name, bool paused)
{
    std::lock_guard lock(m_mutex);
    auto it = m_workers.find(name);
    if (it == m_workers.end())
        return;
    Worker &worker = *it->second;
    {
        std::lock_guard workerLock(worker.mutex);
        worker.settings.paused = paused;
        worker.cancel = paused; // a pause stops a poll in flight; its committed pages stay
        if (!paused)
            worker.status.nextPollMs = now();
        if (worker.status.state != SourceStatus::State::Polling)
            worker.status.state = paused                                  ? SourceStatus::State::Paused
                                  : worker.status.consecutiveFailures > 0 ? SourceStatus::State::Failing
                                                                          : SourceStatus::State::Waiting;
    }
    worker.wake.notify_all();
}

void SourceScheduler::pollNow(const std::string &name)
{
    std::lock_guard lock(m_mutex);
    auto it = m_workers.find(name);
    if (it == m_workers.end())
        return;
    {
        std::lock_guard workerLock(it->second->mutex);
        it->second->pollRequested = true;
    }
    it->second->wake.notify_all();
}

std::vector<SourceStatus> SourceScheduler::statuses() const
{
    std::vector<SourceStatus> out;
    std::lock_guard lock(m_mutex);
    for (const auto &[name, worker] : m_workers) {
        std::lock_guard workerLock(worker->mutex);
        out.push_back(worker->status);
    }
    return out;
}

std::optional<SourceStatus> SourceScheduler::status(const std::string &name) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_workers.find(name);
    if (it == m_workers.end())
        return std::nullopt;
    std::lock_guard workerLock(it->second->mutex);
    return it->second->status;
}

void SourceScheduler::publish(Worker &worker, bool dataLanded)
{
    SourceStatus snapshot;
    {
        std::lock_guard lock(worker.mutex);
        snapshot = worker.status;
    }
    Listener listener;
    {
        std::lock_guard lock(m_mutex);
        listener = m_listener;
    }
    if (listener)
        listener(snapshot, dataLanded);
}

void SourceScheduler::run(Worker &worker)
{
    HttpClient::Options httpOptions = m_options.http;
    httpOptions.cancelled = [&worker] { return worker.cancel.load(); };
    httpOptions.sleep = [&worker](std::chrono::milliseconds wait) {
        std::unique_lock lock(worker.mutex);
        worker.wake.wait_for(lock, wait, [&] { return worker.stop || worker.cancel.load(); });
    };
    HttpClient http(httpOptions);
    Result<Connectors> connectors = m_factory(worker.settings, worker.secret, http, m_pricing);

    for (;;) {
        {
            std::unique_lock lock(worker.mutex);
            for (;;) {
                if (worker.stop)
                    return;
                if (worker.pollRequested)
                    break;
                if (!worker.settings.paused) {
                    const std::int64_t wait = worker.status.nextPollMs - now();
                    if (wait <= 0)
                        break;
                    worker.wake.wait_for(lock, std::chrono::milliseconds(std::min<std::int64_t>(wait, 1000)));
                } else {
                    worker.wake.wait(lock);
                }
            }
            worker.pollRequested = false;
            worker.cancel = false;
            worker.status.state = SourceStatus::State::Polling;
            worker.status.lastAttemptMs = now();
        }
        publish(worker, false);

        std::optional<Error> failure;
        std::int64_t stored = 0, newest = 0;
        bool caughtUp = true;
        if (!connectors) {
            failure = connectors.error();
        } else {
            for (const auto &connector : connectors.value()) {
                PollReport report = SourcePoller::pollOnce(m_store, *connector, m_options.maxPagesPerPoll);
                stored += static_cast<std::int64_t>(report.inserted + report.buckets + report.costLines);
                newest = std::max(newest, report.newestRecordMs);
                caughtUp = caughtUp && report.caughtUp;
                if (report.error && !failure)
                    failure = report.error;
                if (worker.cancel)
                    break;
            }
        }

        {
            std::lock_guard lock(worker.mutex);
            SourceStatus &s = worker.status;
            const std::int64_t t = now();
            s.recordsIngested += stored;
            s.newestRecordMs = std::max(s.newestRecordMs, newest);
            const bool cancelled = failure && failure->code == "net.cancelled";
            if (failure && !cancelled) {
                s.lastError = failure;
                ++s.consecutiveFailures;
                const std::int64_t backoff = m_options.firstRetryMs << std::min(s.consecutiveFailures - 1, 10);
                s.nextPollMs = t + std::min(backoff, worker.settings.intervalS * 1000);
            } else if (!failure) {
                s.lastSuccessMs = t;
                s.lastError.reset();
                s.consecutiveFailures = 0;
                s.nextPollMs = caughtUp ? t + worker.settings.intervalS * 1000 : t;
            }
            s.state = worker.settings.paused      ? SourceStatus::State::Paused
                      : s.consecutiveFailures > 0 ? SourceStatus::State::Failing
                                                  : SourceStatus::State::Waiting;
        }
        publish(worker, stored > 0);
    }
}

} // namespace rl
