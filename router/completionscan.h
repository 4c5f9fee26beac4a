#pragma once

#include "jsonvalidator.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

namespace rl {

// What the router needs from a chat completion, or from one streamed chunk, read in one pass that also checks
// it is JSON: the top level's "usage", "choices" and "error", without building the rest of the document. A
// completion used to be read three times (json::accept, a scan for "usage", a parse of it); a streamed chunk
// was parsed into a whole document.
class CompletionScan {
public:
    // nullopt: `text` is not one JSON value (what json::accept refuses), or has more structure than `limits` (or
    // nests deeper than 1,024 levels); checkJsonShape on a refused text says whether its structure was the reason.
    static std::optional<CompletionScan> scan(std::string_view text,
                                              const JsonLimits &limits = JsonValidator::kNoLimits);

    // The first top-level "usage" whose value is an object (what a completion is billed by), or nullptr.
    const nlohmann::json *firstUsageObject() const;
    // The last top-level "usage", of any type (the one a parsed document keeps), or nullptr.
    const nlohmann::json *lastUsage() const { return m_lastUsage ? &*m_lastUsage : nullptr; }

    bool object = false;            // the value is an object
    bool choicesEmptyArray = false; // the last top-level "choices" is []
    bool hasError = false;          // a top-level "error" key

    // Called by the scan for each top-level "usage", in order.
    void setUsage(nlohmann::json usage);

private:
    std::optional<nlohmann::json> m_lastUsage;
    std::optional<nlohmann::json> m_firstUsageObject; // set only when it is not the last
    bool m_firstIsLast = false;
};

} // namespace rl
