#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rl {

// One problem found in a policy document, at a JSON-pointer path ("" is the whole document).
struct PolicyIssue {
    std::string path;
    std::string message;

    // "PATH: message", the form the CLI, the router's 400 body and the app all show.
    std::string line() const { return (path.empty() ? std::string("/") : path) + ": " + message; }
    bool operator==(const PolicyIssue &) const = default;
};

// Collects every error and warning of one parse, so that a user sees all problems at once.
class PolicyIssues {
public:
    void error(std::string path, std::string message) { m_errors.push_back({std::move(path), std::move(message)}); }
    void warning(std::string path, std::string message) { m_warnings.push_back({std::move(path), std::move(message)}); }

    const std::vector<PolicyIssue> &errors() const { return m_errors; }
    const std::vector<PolicyIssue> &warnings() const { return m_warnings; }
    std::size_t errorCount() const { return m_errors.size(); }

    // Appends one JSON-pointer segment, escaping '~' and '/' as RFC 6901 says.
    static std::string child(std::string_view path, std::string_view key)
    {
        std::string out(path);
        out += '/';
        for (char c : key) {
            if (c == '~')
                out += "~0";
            else if (c == '/')
                out += "~1";
            else
                out += c;
        }
        return out;
    }
    static std::string child(std::string_view path, std::size_t index) { return child(path, std::to_string(index)); }

private:
    std::vector<PolicyIssue> m_errors;
    std::vector<PolicyIssue> m_warnings;
};

} // namespace rl
