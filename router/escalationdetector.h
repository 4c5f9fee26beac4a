#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rl {

struct Decision;

// Escalations (issue 14): the same user and app asking again, within a time window, with a near-identical prompt
// at a more capable tier (a lower tier index) than before: a strong sign that the cheaper answer failed.
//
// Only a 64-bit hash of the normalized prompt is kept (lower-case, punctuation stripped, whitespace collapsed),
// never the text; with the request id, the tier and the time, per (user, app). Memory is bounded: entries older
// than the window are forgotten, and past `maxEntries` the oldest go first. In memory only: a restart forgets
// them. Times come from the caller (the router's clock), so scripted sequences test it without waiting.
class EscalationDetector {
public:
    struct Options {
        std::int64_t windowMs = 300'000;
        std::size_t maxEntries = 100'000;
    };

    // One request as the detector sees it. `tier`: the tier index asked for (0 = most capable), see askedTier().
    struct Request {
        std::string_view user;
        std::string_view app;
        std::string_view prompt; // the scored part (the last user message)
        int tier = -1;
        std::string_view requestId;
        std::int64_t timeMs = 0;
    };

    explicit EscalationDetector(Options options) : m_options(options) {}

    // Records the request and returns the id of the earlier one it escalates, if any. A request without a user
    // and an app, without a tier (blocked, or a pinned model outside every tier) or with an empty prompt is
    // neither an escalation nor remembered. Thread-safe.
    std::optional<std::string> observe(const Request &request);

    // The hash of `text` normalized: ASCII letters lower-cased, ASCII punctuation dropped, runs of whitespace
    // one space, none at either end. Bytes above ASCII (other scripts) are kept as they are.
    static std::uint64_t promptHash(std::string_view text);
    // The tier a request asked for: the tier it pinned by name or through one of its models (a pinned frontier
    // model is tier 0 whatever a rule decided), otherwise the one the policy chose before the budget guard.
    static int askedTier(const Decision &decision, std::string_view requestedModel);

    std::size_t size() const;

private:
    struct Entry {
        std::string requestId;
        int tier = -1;
        std::int64_t timeMs = 0;
        std::uint64_t sequence = 0;
    };
    struct Arrival {
        std::string key;
        std::int64_t timeMs = 0;
        std::uint64_t sequence = 0;
    };
    void forget(std::int64_t nowMs);

    const Options m_options;
    mutable std::mutex m_mutex;
    std::unordered_map<std::string, Entry> m_latest; // (user, app, prompt hash) -> its latest request
    std::deque<Arrival> m_arrivals;                  // in arrival order, to expire and cap
    std::uint64_t m_sequence = 0;
};

} // namespace rl
