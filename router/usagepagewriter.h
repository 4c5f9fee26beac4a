#pragma once

#include "usageledger.h"

#include <string>
#include <string_view>

namespace rl {

// Writes GET /admin/usage pages (docs/ROUTER.md) straight into a string: a page of 1,000 events is
// about 650 KB, and building it as a JSON document first cost the router most of its time per page.
// Text that is not valid UTF-8 (identity headers are bytes) is written with U+FFFD in its place, so a
// page is always valid JSON.
class UsagePageWriter {
public:
    static std::string write(const LedgerPage &page);
    static void appendEvent(std::string &out, const LedgerEvent &event);
    static void appendFeedback(std::string &out, const LedgerFeedback &feedback);
    static void appendString(std::string &out, std::string_view text);
};

} // namespace rl
