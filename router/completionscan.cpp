#include "completionscan.h"

namespace rl {

namespace {

// What the scan keeps of a top-level member of a completion or chunk.
void note(CompletionScan &scan, std::string_view key, std::string_view value)
{
    if (key == "usage") {
        const char *p = value.data();
        scan.setUsage(JsonValidator::build(p));
    } else if (key == "choices") {
        std::string_view inner = value;
        scan.choicesEmptyArray =
            inner.size() >= 2 && inner.front() == '[' && inner.back() == ']'
            && inner.substr(1, inner.size() - 2).find_first_not_of(" \t\r\n") == std::string_view::npos;
    } else if (key == "error") {
        scan.hasError = true;
    }
}

} // namespace

void CompletionScan::setUsage(nlohmann::json usage)
{
    // The first object is kept apart only once another "usage" follows it (a repeated key is rare).
    if (m_firstIsLast)
        m_firstUsageObject = std::move(*m_lastUsage);
    m_firstIsLast = !m_firstUsageObject && usage.is_object();
    m_lastUsage = std::move(usage);
}

const nlohmann::json *CompletionScan::firstUsageObject() const
{
    return m_firstIsLast ? &*m_lastUsage : m_firstUsageObject ? &*m_firstUsageObject : nullptr;
}

std::optional<CompletionScan> CompletionScan::scan(std::string_view text, const JsonLimits &limits)
{
    CompletionScan scan;
    const JsonValidator::Outcome outcome =
        JsonValidator::validate(text, limits, [&scan](std::string_view key, std::string_view, std::string_view value) {
            note(scan, key, value);
        });
    if (!outcome.valid)
        return std::nullopt;
    scan.object = outcome.object;
    return scan;
}

} // namespace rl
