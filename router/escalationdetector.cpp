#include "escalationdetector.h"

#include "routing/decision.h"

namespace rl {

std::uint64_t EscalationDetector::promptHash(std::string_view text)
{
    // FNV-1a over the normalized bytes, computed as they are produced: the normalized text is never built.
    std::uint64_t hash = 14695981039346656037ull;
    auto add = [&hash](unsigned char byte) {
        hash ^= byte;
        hash *= 1099511628211ull;
    };
    bool space = false;
    bool started = false;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u == ' ' || u == '\t' || u == '\n' || u == '\r' || u == '\f' || u == '\v') {
            space = started;
            continue;
        }
        if (u < 0x80
            && ((u >= '!' && u <= '/') || (u >= ':' && u <= '@') || (u >= '[' && u <= '`') || (u >= '{' && u <= '~')))
            continue; // punctuation: "Why?" and "why" are the same question
        if (space)
            add(' ');
        space = false;
        started = true;
        add(u >= 'A' && u <= 'Z' ? static_cast<unsigned char>(u - 'A' + 'a') : u);
    }
    return hash;
}

int EscalationDetector::askedTier(const Decision &decision, std::string_view requestedModel)
{
    if (decision.policy) {
        if (const int tier = decision.policy->tierIndex(requestedModel); tier >= 0)
            return tier;
        if (const int tier = decision.policy->tierOfModel(requestedModel); tier >= 0)
            return tier;
    }
    return decision.tierBeforeBudget;
}

void EscalationDetector::forget(std::int64_t nowMs)
{
    while (!m_arrivals.empty()
           && (m_arrivals.size() > m_options.maxEntries || nowMs - m_arrivals.front().timeMs > m_options.windowMs)) {
        const Arrival &oldest = m_arrivals.front();
        if (auto it = m_latest.find(oldest.key); it != m_latest.end() && it->second.sequence == oldest.sequence)
            m_latest.erase(it);
        m_arrivals.pop_front();
    }
}

std::optional<std::string> EscalationDetector::observe(const Request &request)
{
    if ((request.user.empty() && request.app.empty()) || request.tier < 0 || request.prompt.empty())
        return std::nullopt;
    const std::uint64_t hash = promptHash(request.prompt);
    // User and app are separated by a byte neither holds (they are clean UTF-8 text), then the hash.
    std::string key;
    key.reserve(request.user.size() + request.app.size() + 18);
    key.append(request.user).push_back('\0');
    key.append(request.app).push_back('\0');
    for (int shift = 0; shift < 64; shift += 8)
        key.push_back(static_cast<char>((hash >> shift) & 0xff));

    std::lock_guard lock(m_mutex);
    forget(request.timeMs);
    std::optional<std::string> escalates;
    Entry &entry = m_latest[key];
    if (!entry.requestId.empty() && request.timeMs - entry.timeMs <= m_options.windowMs && request.tier < entry.tier)
        escalates = entry.requestId;
    // The latest request stands for the prompt from now on: asked a third time higher still, it is the one escalated.
    entry.requestId = std::string(request.requestId);
    entry.tier = request.tier;
    entry.timeMs = request.timeMs;
    entry.sequence = ++m_sequence;
    m_arrivals.push_back(Arrival{std::move(key), request.timeMs, entry.sequence});
    forget(request.timeMs);
    return escalates;
}

std::size_t EscalationDetector::size() const
{
    std::lock_guard lock(m_mutex);
    return m_latest.size();
}

} // namespace rl
