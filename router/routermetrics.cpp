#include "routermetrics.h"

#include <cstdio>

namespace rl {

std::string prometheusLabel(std::string_view value)
{
    std::string out;
    appendPrometheusLabel(out, value);
    return out;
}

void appendPrometheusLabel(std::string &out, std::string_view value)
{
    out.reserve(out.size() + value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
}

namespace {

std::string formatDouble(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
    return buffer;
}

void renderCounter(std::string &out, const char *name, const char *help,
                   const std::map<std::string, std::uint64_t> &values)
{
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += " counter\n";
    for (const auto &[labels, value] : values) {
        out += name;
        out += '{';
        out += labels;
        out += "} ";
        out += std::to_string(value);
        out += '\n';
    }
}

} // namespace

void RouterMetrics::recordRequest(std::string_view tier, std::string_view model, std::string_view status,
                                  int httpStatus, double seconds)
{
    // The label texts are written into buffers each thread keeps: a series is a map lookup, and only a new series
    // copies its text (this ran once a request, with five strings built for it).
    thread_local std::string labels;
    thread_local std::string tierLabel;
    tierLabel.assign("tier=\"");
    appendPrometheusLabel(tierLabel, tier);
    tierLabel += '"';
    labels.assign(tierLabel).append(",model=\"");
    appendPrometheusLabel(labels, model);
    labels.append("\",status=\"").append(status).append("\",code=\"").append(std::to_string(httpStatus)).append(1, '"');
    std::lock_guard lock(m_mutex);
    if (auto it = m_requests.find(labels); it != m_requests.end())
        ++it->second;
    else
        ++m_requests[labels];
    auto series = m_latency.find(tierLabel);
    if (series == m_latency.end())
        series = m_latency.emplace(tierLabel, Histogram{}).first;
    Histogram &histogram = series->second;
    for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
        if (seconds <= kLatencyBuckets[i])
            ++histogram.buckets[i];
    }
    ++histogram.count;
    histogram.sum += seconds;
}

void RouterMetrics::recordUpstreamError(std::string_view model, std::string_view kind)
{
    std::string labels = "model=\"" + prometheusLabel(model) + "\",kind=\"" + std::string(kind) + "\"";
    std::lock_guard lock(m_mutex);
    ++m_upstreamErrors[labels];
}

void RouterMetrics::recordFallback(std::string_view from, std::string_view to)
{
    std::string labels = "from=\"" + prometheusLabel(from) + "\",to=\"" + prometheusLabel(to) + "\"";
    std::lock_guard lock(m_mutex);
    ++m_fallbacks[labels];
}

void RouterMetrics::recordRejected(std::string_view reason)
{
    std::string labels = "reason=\"" + std::string(reason) + "\"";
    std::lock_guard lock(m_mutex);
    ++m_rejected[labels];
}

void RouterMetrics::recordUnmetered(std::string_view model)
{
    std::string labels = "model=\"" + prometheusLabel(model) + "\"";
    std::lock_guard lock(m_mutex);
    ++m_unmetered[labels];
}

void RouterMetrics::addCollector(std::function<void(std::string &)> collector)
{
    std::lock_guard lock(m_mutex);
    m_collectors.push_back(std::move(collector));
}

std::string RouterMetrics::render() const
{
    std::string out;
    out.reserve(8192);
    std::lock_guard lock(m_mutex);
    renderCounter(out, "routeledger_requests_total",
                  "Chat completion requests by served tier, model, outcome and HTTP status.", m_requests);
    out += "# HELP routeledger_request_duration_seconds Time from request to the last byte of the answer.\n"
           "# TYPE routeledger_request_duration_seconds histogram\n";
    for (const auto &[labels, histogram] : m_latency) {
        for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
            out += "routeledger_request_duration_seconds_bucket{" + labels + ",le=\"" + formatDouble(kLatencyBuckets[i])
                   + "\"} " + std::to_string(histogram.buckets[i]) + "\n";
        }
        out += "routeledger_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} "
               + std::to_string(histogram.count) + "\n";
        out += "routeledger_request_duration_seconds_sum{" + labels + "} " + formatDouble(histogram.sum) + "\n";
        out += "routeledger_request_duration_seconds_count{" + labels + "} " + std::to_string(histogram.count) + "\n";
    }
    renderCounter(out, "routeledger_upstream_errors_total",
                  "Failed upstream attempts by model and kind (timeout, rate_limited, server_error).",
                  m_upstreamErrors);
    renderCounter(out, "routeledger_fallbacks_total", "Moves from one upstream model to the next.", m_fallbacks);
    renderCounter(out, "routeledger_rejected_requests_total", "Requests refused before routing, by reason.",
                  m_rejected);
    renderCounter(out, "routeledger_unmetered_responses_total",
                  "Answers without usable token counts (no or malformed `usage`): recorded as unmetered.", m_unmetered);
    out += "# HELP routeledger_refused_connections_total Connections refused at the max_connections cap.\n"
           "# TYPE routeledger_refused_connections_total counter\nrouteledger_refused_connections_total "
           + std::to_string(refusedConnections.load()) + "\n";
    out += "# HELP routeledger_shadow_tier_changes_total Requests the shadow policy would have sent to another tier "
           "than the live one did (or blocked, or let through).\n"
           "# TYPE routeledger_shadow_tier_changes_total counter\nrouteledger_shadow_tier_changes_total "
           + std::to_string(shadowTierChanges.load()) + "\n";
    out += "# HELP routeledger_feedback_received_total Feedback accepted on POST /v1/feedback (repeats included).\n"
           "# TYPE routeledger_feedback_received_total counter\nrouteledger_feedback_received_total "
           + std::to_string(feedbackReceived.load()) + "\n";
    out += "# HELP routeledger_escalations_total Requests that asked again for an earlier one's prompt at a more "
           "capable tier.\n"
           "# TYPE routeledger_escalations_total counter\nrouteledger_escalations_total "
           + std::to_string(escalations.load()) + "\n";
    out += "# HELP routeledger_open_connections Client connections open now.\n"
           "# TYPE routeledger_open_connections gauge\nrouteledger_open_connections "
           + std::to_string(openConnections.load()) + "\n";
    out += "# HELP routeledger_in_flight_requests Requests being served now.\n"
           "# TYPE routeledger_in_flight_requests gauge\nrouteledger_in_flight_requests "
           + std::to_string(inFlight.load()) + "\n";
    out += "# HELP routeledger_admin_requests_running Admin API calls being worked on now (off the serving threads).\n"
           "# TYPE routeledger_admin_requests_running gauge\nrouteledger_admin_requests_running "
           + std::to_string(adminRunning.load()) + "\n";
    for (const auto &collector : m_collectors)
        collector(out);
    return out;
}

} // namespace rl
