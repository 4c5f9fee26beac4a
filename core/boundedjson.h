#pragma once

#include "error.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace rl {

// How much structure a JSON text from outside may have. nlohmann's parser is iterative, but serializing
// (dump) and comparing are recursive: without a depth limit, 80,000 nested arrays in a 160 KB body reach
// the end of the stack. The value count bounds the parse's memory (each value costs 16 bytes plus its
// container), which the byte size alone does not: 4 MiB of `[],` is 1.4 million arrays, ~120 MB.
struct JsonLimits {
    static constexpr int kDefaultMaxDepth = 128;
    int maxDepth = kDefaultMaxDepth;
    std::size_t maxValues = static_cast<std::size_t>(-1); // no limit unless the caller sets one
};

// A request body from a client (a chat request, a dry-run request): tool schemas nest a few dozen levels
// at most, and a quarter of a million values is ten thousand messages with room to spare (~20 MB parsed,
// at worst, whatever the byte size).
inline constexpr JsonLimits kRequestBodyLimits{JsonLimits::kDefaultMaxDepth, 250'000};
// A page from a usage source (at most 32 MB): two million values is a thousand rows of two thousand
// fields; the parse stays under ~200 MB however the page is built.
inline constexpr JsonLimits kSourcePageLimits{JsonLimits::kDefaultMaxDepth, 2'000'000};

// One pass over the bytes, building nothing: `json.too_deep` or `json.too_many_values` when `text` has
// more structure than `limits` allow. Says nothing about whether the text is valid JSON.
Result<void> checkJsonShape(std::string_view text, const JsonLimits &limits);

// Serializes with every string that is not valid UTF-8 repaired (U+FFFD), so an error message that
// quotes the bytes a client sent can always be written; nlohmann's plain dump() throws on them.
std::string toJsonText(const nlohmann::json &value);
std::string toJsonText(const nlohmann::ordered_json &value);

} // namespace rl
