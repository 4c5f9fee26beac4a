#include "sseforwarder.h"

#include "boundedjson.h"

#include "completionscan.h"
#include "completionusage.h"

namespace rl {

namespace {

// The index just past the blank line that ends the event, searching from `from`; npos when there is none yet.
std::size_t findEventEnd(std::string_view text, std::size_t from)
{
    for (std::size_t i = from; i < text.size(); ++i) {
        if (text[i] != '\n')
            continue;
        if (i + 1 < text.size() && text[i + 1] == '\n')
            return i + 2;
        if (i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n')
            return i + 3;
    }
    return std::string_view::npos;
}

} // namespace

bool SseForwarder::feed(std::string_view bytes, std::string &out)
{
    m_pending.append(bytes);
    std::size_t start = 0;
    for (;;) {
        std::size_t end = findEventEnd(m_pending, std::max(start, m_scanned));
        if (end == std::string_view::npos) {
            // Next time, only the last two bytes can begin a boundary that new bytes complete.
            m_scanned = std::max(start, m_pending.size() >= 2 ? m_pending.size() - 2 : std::size_t(0));
            break;
        }
        inspect(std::string_view(m_pending).substr(start, end - start), out);
        start = end;
    }
    if (start > 0) {
        m_pending.erase(0, start);
        m_scanned -= start;
    }
    return m_pending.size() <= kMaxEventBytes;
}

std::string SseForwarder::takeRemainder()
{
    std::string rest;
    rest.swap(m_pending);
    m_scanned = 0;
    return rest;
}

void SseForwarder::inspect(std::string_view event, std::string &out)
{
    // Only events that mention usage or an error are parsed; content chunks pass through untouched.
    // The end marker is an event whose data is exactly [DONE] (content may mention it too).
    if (auto data = event.find("data:"); data != std::string_view::npos) {
        std::string_view payload = event.substr(data + 5);
        while (!payload.empty() && (payload.front() == ' '))
            payload.remove_prefix(1);
        while (!payload.empty() && (payload.back() == '\n' || payload.back() == '\r'))
            payload.remove_suffix(1);
        if (payload == "[DONE]")
            m_sawDone = true;
    }
    const bool mentionsUsage = event.find("\"usage\"") != std::string_view::npos;
    const bool mentionsError = event.find("\"error\"") != std::string_view::npos;
    if (mentionsUsage || mentionsError) {
        auto data = event.find("data:");
        if (data != std::string_view::npos) {
            std::string_view payload = event.substr(data + 5);
            // An event is at most 1 MiB; its structure is bounded like every answer's before it is scanned.
            const auto chunk =
                checkJsonShape(payload, kRequestBodyLimits) ? CompletionScan::scan(payload) : std::nullopt;
            if (chunk && chunk->object) {
                if (const nlohmann::json *usage = chunk->lastUsage(); usage != nullptr && usage->is_object()) {
                    m_usage = readCompletionUsage(*usage);
                    if (m_suppressUsageEvent && chunk->choicesEmptyArray)
                        return; // the client did not ask for it
                }
                if (chunk->hasError)
                    m_sawError = true;
            }
        }
    }
    out.append(event);
}

} // namespace rl
