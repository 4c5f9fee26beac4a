#include "commandline.h"

#include <charconv>
#include <cmath>

#include <cstdlib>

CommandLine::CommandLine(std::vector<std::string> args, std::set<std::string> valueFlags,
                         std::set<std::string> switches)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (arg.rfind("--", 0) != 0 || arg == "--") {
            m_positional.push_back(arg);
            continue;
        }
        std::string flag = arg;
        std::optional<std::string> inlineValue;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            flag = arg.substr(0, eq);
            inlineValue = arg.substr(eq + 1);
        }
        if (switches.count(flag)) {
            m_switches.insert(flag);
        } else if (valueFlags.count(flag)) {
            if (inlineValue) {
                m_values[flag] = *inlineValue;
            } else if (i + 1 < args.size()) {
                m_values[flag] = args[++i];
            } else {
                m_error = flag + " needs a value";
                return;
            }
        } else {
            m_error = "unknown option " + flag + "; see --help";
            return;
        }
    }
}

std::optional<std::string> CommandLine::value(const std::string &flag) const
{
    auto it = m_values.find(flag);
    if (it == m_values.end())
        return std::nullopt;
    return it->second;
}

namespace {

// 1 and 1000000000, not 1.000000 and 1000000000.000000 (nor 1e+09, the shortest form of a round number).
std::string shortestNumber(double value)
{
    if (value == std::floor(value) && std::fabs(value) < 1e15)
        return std::to_string(static_cast<long long>(value));
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return ec == std::errc() ? std::string(buffer, end) : std::to_string(value);
}

} // namespace

std::optional<double> CommandLine::number(const std::string &flag, double low, double high)
{
    auto text = value(flag);
    if (!text)
        return std::nullopt;
    char *end = nullptr;
    double parsed = std::strtod(text->c_str(), &end);
    // Written so that NaN, which compares false with everything, is refused too.
    if (text->empty() || *end != '\0' || !(parsed >= low && parsed <= high)) {
        m_error = flag + " expects a number from " + shortestNumber(low) + " to " + shortestNumber(high) + ", got \""
                  + *text + "\"";
        return std::nullopt;
    }
    return parsed;
}
