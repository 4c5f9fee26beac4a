#pragma once

#include "error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rl {

// Reads a whole file, refusing files over `maxBytes` before reading them (a 50 MB "policy" is an error,
// not a memory spike).
Result<std::string> readTextFile(const std::string &path, std::size_t maxBytes);

// Writes through a temporary file in the same folder and renames it over `path`, so that a reader sees
// the old file or the new one, never half of one.
Result<void> writeFileAtomically(const std::string &path, std::string_view contents);

std::string formatByteSize(std::uintmax_t bytes);

// Length of the valid UTF-8 sequence that starts at text[i], or 0 when the bytes there are not one
// (overlong forms, surrogates and code points past U+10FFFF are not valid).
std::size_t utf8SequenceLength(std::string_view text, std::size_t i);
// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD and control characters
// dropped, at most `maxBytes` long: for text that arrives as raw bytes (HTTP headers) and goes on into
// JSON.
std::string cleanText(std::string_view text, std::size_t maxBytes);

} // namespace rl
