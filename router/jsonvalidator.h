#pragma once

#include "boundedjson.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string_view>

namespace rl {

// A strict JSON validator over the bytes (RFC 8259, as nlohmann's parser reads it: UTF-8 checked in strings,
// surrogate pairs checked in \u escapes, numbers that overflow a double refused, a leading UTF-8 BOM skipped),
// which notes where the top level's members are, and a builder of the document of what it accepted. nlohmann's own
// lexer spends ~80 instructions a byte (it copies every string into a token buffer one char at a time): for a chat
// completion, and for a client's request, that was the largest single cost of a proxied request.
class JsonValidator {
public:
    // Deeper than this is refused: callers bound depth far lower first (checkJsonShape), and the recursion must
    // not reach the end of the stack whatever the input.
    static constexpr int kMaxDepth = 1024;

    // Called for each member of a top-level object, in order: its key as a parsed document has it (escapes
    // decoded), the member's text from the key's opening quote to the end of its value, and the value's text.
    using OnMember = std::function<void(std::string_view key, std::string_view member, std::string_view value)>;

    struct Outcome {
        bool valid = false;  // `text` is one JSON value (what json::accept accepts) within the limits
        bool object = false; // ... and it is an object
    };

    // No limit but kMaxDepth.
    static constexpr JsonLimits kNoLimits{kMaxDepth, static_cast<std::size_t>(-1)};

    // `limits` are counted as checkJsonShape counts them (depth of brackets, containers plus separators), so a
    // text it accepts is also one checkJsonShape accepts: a caller that must say why a text was refused runs
    // checkJsonShape then, instead of on every text.
    static Outcome validate(std::string_view text, const JsonLimits &limits,
                            const OnMember &onTopLevelMember = nullptr);

    // The document of the value that starts at `p` (after optional whitespace) in a text validate() accepted, left
    // just past it: what nlohmann's parser makes of it (numbers typed alike, a repeated key's last value kept).
    static nlohmann::json build(const char *&p);
};

} // namespace rl
