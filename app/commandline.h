#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

// A small parser for `routeledger SUBCOMMAND [--flag VALUE] [--switch] [POSITIONAL…]`. Unknown flags are
// errors that name the flag, so a typo never silently falls back to a default.
class CommandLine {
public:
    CommandLine(std::vector<std::string> args, std::set<std::string> valueFlags, std::set<std::string> switches);

    bool ok() const { return m_error.empty(); }
    const std::string &error() const { return m_error; }
    bool has(const std::string &flag) const { return m_values.count(flag) || m_switches.count(flag); }
    std::optional<std::string> value(const std::string &flag) const;
    const std::vector<std::string> &positional() const { return m_positional; }

    // Parses a number flag; on failure sets error() and returns nullopt.
    std::optional<double> number(const std::string &flag, double low, double high);

private:
    std::map<std::string, std::string> m_values;
    std::set<std::string> m_switches;
    std::vector<std::string> m_positional;
    std::string m_error;
};
