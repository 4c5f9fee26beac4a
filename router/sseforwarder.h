#pragma once

#include "pricing/tokenusage.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rl {

// Cuts an upstream's server-sent-event stream into whole events as bytes arrive, picks the token usage
// out of the event that carries it, and hands back what the client should get now. When the router
// asked for usage on the client's behalf, the usage-only event (`"choices":[]`) is held back, so the
// client sees exactly the stream it asked for.
class SseForwarder {
public:
    static constexpr std::size_t kMaxEventBytes = 1u << 20; // an event larger than this is an upstream fault

    explicit SseForwarder(bool suppressUsageEvent) : m_suppressUsageEvent(suppressUsageEvent) {}

    // Appends `bytes` and returns the complete events to forward (possibly empty). false: an event grew
    // past kMaxEventBytes.
    bool feed(std::string_view bytes, std::string &out);
    // What is left at the end of the stream (an unterminated last event), to forward as is.
    std::string takeRemainder();

    const std::optional<TokenUsage> &usage() const { return m_usage; }
    bool sawDone() const { return m_sawDone; }
    bool sawError() const { return m_sawError; }

private:
    void inspect(std::string_view event, std::string &out);

    bool m_suppressUsageEvent;
    std::string m_pending;
    std::size_t m_scanned = 0;
    std::optional<TokenUsage> m_usage;
    bool m_sawDone = false;
    bool m_sawError = false;
};

} // namespace rl
