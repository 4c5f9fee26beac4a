#include "sseforwarder.h"

#include "boundedjson.h"

#include "completionscan.h"
#include "completionusage.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace rl {

namespace {

// The index just past the blank line that ends the event, searching from `from`; npos when there is none yet.
// memchr finds the line ends: an event is mostly JSON, and a byte-by-byte loop was most of a stream's scan.
std::size_t findEventEnd(std::string_view text, std::size_t from)
{
    const char *const begin = text.data();
    const char *const end = begin + text.size();
    for (const char *p = begin + from; p < end; ++p) {
        p = static_cast<const char *>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        if (p == nullptr)
            break;
        if (end - p > 1 && p[1] == '\n')
            return static_cast<std::size_t>(p - begin) + 2;
        if (end - p > 2 && p[1] == '\r' && p[2] == '\n')
            return static_cast<std::size_t>(p - begin) + 3;
    }
    return std::string_view::npos;
}

// Whether `event` holds the keys "usage" and "error" (quoted): one pass for both, 16 bytes at a time. A candidate is a
// quote followed by `u` or `e`, rare in a chunk of content (none of its keys starts so), and is then compared.
// string_view::find stopped at every quote of the event's JSON, memmem took two passes of its own.
struct Mentions {
    bool usage = false;
    bool error = false;
};

Mentions mentionsOf(std::string_view event)
{
    Mentions found;
    const char *p = event.data();
    const char *const end = p + event.size();
    auto candidate = [&](const char *quote) {
        const std::string_view rest(quote, static_cast<std::size_t>(end - quote));
        if (rest.substr(0, 7) == "\"usage\"")
            found.usage = true;
        else if (rest.substr(0, 7) == "\"error\"")
            found.error = true;
    };
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i u = _mm_set1_epi8('u');
    const __m128i e = _mm_set1_epi8('e');
    for (; end - p >= 17; p += 16) {
        const __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 1));
        auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(
            _mm_cmpeq_epi8(here, quote), _mm_or_si128(_mm_cmpeq_epi8(next, u), _mm_cmpeq_epi8(next, e)))));
        for (; mask != 0; mask &= mask - 1)
            candidate(p + __builtin_ctz(mask));
    }
#endif
    for (; p < end; ++p) {
        if (*p == '"')
            candidate(p);
    }
    return found;
}

} // namespace

bool SseForwarder::feed(std::string_view bytes, std::string &out)
{
    // Whole events are inspected where they arrived: only an unfinished event is copied, to wait for the rest.
    const bool continuing = !m_pending.empty();
    if (continuing)
        m_pending.append(bytes);
    const std::string_view text = continuing ? std::string_view(m_pending) : bytes;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = findEventEnd(text, std::max(start, continuing ? m_scanned : std::size_t(0)));
        if (end == std::string_view::npos)
            break;
        inspect(text.substr(start, end - start), out);
        start = end;
    }
    if (continuing)
        m_pending.erase(0, start);
    else
        m_pending.assign(text.substr(start));
    // Next time, only the last two bytes can begin a boundary that new bytes complete.
    m_scanned = m_pending.size() >= 2 ? m_pending.size() - 2 : 0;
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
    if (const Mentions mentions = mentionsOf(event); mentions.usage || mentions.error) {
        auto data = event.find("data:");
        if (data != std::string_view::npos) {
            std::string_view payload = event.substr(data + 5);
            // An event is at most 1 MiB; its structure is bounded like every answer's before it is scanned.
            const auto chunk = CompletionScan::scan(payload, kRequestBodyLimits);
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
