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
Result<bool> writeFileAtomically(const std::string &path, std::string_view contents);

std::string formatByteSize(std::uintmax_t bytes);

} // namespace rl
