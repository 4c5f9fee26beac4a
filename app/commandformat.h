#pragma once

#include "error.h"
#include "routing/policy.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// Text and inputs shared by the headless commands that read policies and print money.
class CommandLine;

namespace headless {

std::string dollars(std::int64_t micro);  // "$1,234.56", "-$0.07"
std::string withCommas(std::int64_t n);   // "1,234,567"
std::string percentText(double fraction); // "12.3 %"
std::string percent(std::int64_t part, std::int64_t whole);
// Rows as columns: the first `leftColumns` left-aligned, the others right-aligned, two spaces between.
std::string tableText(const std::vector<std::vector<std::string>> &rows, std::size_t leftColumns = 1);

// --from and --to (YYYY-MM-DD, both included) as organisation days: both or neither. Returns what is wrong, for
// a usage error, or an empty text.
std::string readDays(const CommandLine &line, std::optional<std::int64_t> &fromDay,
                     std::optional<std::int64_t> &lastDay);

// A policy from text or a file; an invalid one is refused with its problems, each on a line.
rl::Result<std::shared_ptr<const rl::Policy>> parsePolicy(const std::string &text, const std::string &what);
rl::Result<std::shared_ptr<const rl::Policy>> readPolicy(const std::string &path);

} // namespace headless
