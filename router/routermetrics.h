#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace rl {

// Counters and histograms for GET /metrics, rendered in the Prometheus text format (version 0.0.4).
// Label sets are few (tiers × models × statuses), so a map under one mutex is cheap enough; gauges that
// other parts own (ledger lag, policy version, breakers) are read through callbacks at scrape time.
class RouterMetrics {
public:
    static constexpr std::array<double, 14> kLatencyBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                               0.25,  0.5,    1.0,   2.5,  5.0,   10.0, 30.0};

    void recordRequest(std::string_view tier, std::string_view model, std::string_view status, int httpStatus,
                       double seconds);
    void recordUpstreamError(std::string_view model, std::string_view kind);
    void recordFallback(std::string_view from, std::string_view to);
    void recordRejected(std::string_view reason); // requests refused before routing (400, 401, 413, …)
    void recordUnmetered(std::string_view model); // answers without usable token counts

    std::atomic<std::int64_t> openConnections{0};
    std::atomic<std::int64_t> inFlight{0};
    std::atomic<std::uint64_t> refusedConnections{0}; // beyond max_connections
    std::atomic<std::int64_t> adminRunning{0};        // admin calls being worked on (off the serving threads)
    // Requests whose shadow policy chose another tier than the live one (blocked counts as a tier of its own).
    std::atomic<std::uint64_t> shadowTierChanges{0};
    // Feedback accepted on POST /v1/feedback (a repeat of the same feedback included; refusals are `rejected`).
    std::atomic<std::uint64_t> feedbackReceived{0};
    // Requests recorded as an escalation of an earlier one (EscalationDetector).
    std::atomic<std::uint64_t> escalations{0};

    // Holds one unit of a gauge for its lifetime, so every path out of a session or a request (an
    // exception included) gives it back.
    class GaugeHold {
    public:
        explicit GaugeHold(std::atomic<std::int64_t> &gauge) : m_gauge(&gauge) { ++*m_gauge; }
        GaugeHold(GaugeHold &&other) noexcept : m_gauge(std::exchange(other.m_gauge, nullptr)) {}
        ~GaugeHold()
        {
            if (m_gauge != nullptr)
                --*m_gauge;
        }
        GaugeHold(const GaugeHold &) = delete;
        GaugeHold &operator=(const GaugeHold &) = delete;
        GaugeHold &operator=(GaugeHold &&) = delete;

    private:
        std::atomic<std::int64_t> *m_gauge;
    };

    // Extra lines appended to the exposition by their owners (ledger, policy, breakers).
    void addCollector(std::function<void(std::string &)> collector);
    std::string render() const;

private:
    struct Histogram {
        std::array<std::uint64_t, kLatencyBuckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex m_mutex;
    std::map<std::string, std::uint64_t> m_requests; // label text -> count
    std::map<std::string, Histogram> m_latency;      // label text -> histogram
    std::map<std::string, std::uint64_t> m_upstreamErrors;
    std::map<std::string, std::uint64_t> m_fallbacks;
    std::map<std::string, std::uint64_t> m_rejected;
    std::map<std::string, std::uint64_t> m_unmetered;
    std::vector<std::function<void(std::string &)>> m_collectors;
};

// Escapes a label value for the text format (backslash, quote, newline).
std::string prometheusLabel(std::string_view value);
// The same, appended to `out`.
void appendPrometheusLabel(std::string &out, std::string_view value);

} // namespace rl
