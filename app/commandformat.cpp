#include "commandformat.h"

#include "commandline.h"

#include "routing/policyparser.h"
#include "store/orgcalendar.h"
#include "textfile.h"

#include <algorithm>
#include <cstdio>

namespace headless {

std::string dollars(std::int64_t micro)
{
    const bool negative = micro < 0;
    const std::int64_t cents = (negative ? -micro : micro) / 10'000;
    std::string digits = std::to_string(cents / 100);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
        digits.insert(static_cast<std::size_t>(i), ",");
    char tail[8];
    std::snprintf(tail, sizeof tail, ".%02lld", static_cast<long long>(cents % 100));
    return (negative ? "-$" : "$") + digits + tail;
}

std::string withCommas(std::int64_t n)
{
    std::string digits = std::to_string(n < 0 ? -n : n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
        digits.insert(static_cast<std::size_t>(i), ",");
    return (n < 0 ? "-" : "") + digits;
}

std::string percentText(double fraction)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %%", 100.0 * fraction);
    return text;
}

std::string percent(std::int64_t part, std::int64_t whole)
{
    return percentText(whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0);
}

std::string tableText(const std::vector<std::vector<std::string>> &rows, std::size_t leftColumns)
{
    std::vector<std::size_t> widths;
    for (const auto &row : rows) {
        widths.resize(std::max(widths.size(), row.size()), 0);
        for (std::size_t c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());
    }
    std::string out;
    for (const auto &row : rows) {
        std::string text;
        for (std::size_t c = 0; c < row.size(); ++c) {
            const std::string pad(widths[c] - row[c].size(), ' ');
            text += (c == 0 ? "" : "  ") + (c < leftColumns ? row[c] + pad : pad + row[c]);
        }
        while (!text.empty() && text.back() == ' ')
            text.pop_back();
        out += text + "\n";
    }
    return out;
}

std::string readDays(const CommandLine &line, std::optional<std::int64_t> &fromDay,
                     std::optional<std::int64_t> &lastDay)
{
    if (line.has("--from") != line.has("--to"))
        return line.has("--from") ? "--from needs --to" : "--to needs --from";
    if (!line.has("--from"))
        return {};
    const std::string fromText = *line.value("--from"), toText = *line.value("--to");
    fromDay = rl::OrgCalendar::dayFromText(fromText);
    lastDay = rl::OrgCalendar::dayFromText(toText);
    if (!fromDay || !lastDay)
        return "--from and --to expect dates as YYYY-MM-DD, got \"" + (!fromDay ? fromText : toText) + "\"";
    if (*lastDay < *fromDay)
        return "--to (" + toText + ") comes before --from (" + fromText + ")";
    return {};
}

rl::Result<std::shared_ptr<const rl::Policy>> parsePolicy(const std::string &text, const std::string &what)
{
    rl::PolicyLoad load = rl::PolicyParser::parse(text);
    if (load.ok())
        return load.policy;
    std::string message = what + " is not a valid policy; fix these and try again:";
    for (const rl::PolicyIssue &issue : load.errors)
        message += "\n  " + issue.line();
    return rl::Error{"policy.invalid", message, false};
}

rl::Result<std::shared_ptr<const rl::Policy>> readPolicy(const std::string &path)
{
    rl::Result<std::string> text = rl::readTextFile(path, rl::PolicyParser::kMaxDocumentBytes);
    if (!text)
        return text.error();
    return parsePolicy(text.value(), path);
}

} // namespace headless
