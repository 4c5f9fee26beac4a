#pragma once

// Helpers for tests that drive tests/sources/fixture-server.js: scripting responses (checked against the
// services' documented shapes), reading what the client sent, and counting rows of a store.
#include "net/httpclient.h"
#include "nodeserver.h"
#include "schemaregistry.h"
#include "store/usagestore.h"

#include <QDebug>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fixture {

// tests/sources/schemas, loaded once per test executable.
inline const SchemaRegistry &schemaRegistry()
{
    static const SchemaRegistry registry(ROUTELEDGER_TEST_DATA "/sources/schemas");
    return registry;
}

// How `body` differs from what the service behind `path` sends (tests/sources/schemas); empty when it matches
// or when no schema describes `path`. A broken schema folder is a problem for every path.
inline std::vector<std::string> schemaProblems(std::string_view path, const nlohmann::json &body)
{
    const SchemaRegistry &registry = schemaRegistry();
    if (!registry.loadErrors().empty())
        return registry.loadErrors();
    const JsonSchemaCheck *schema = registry.forPath(path);
    return schema ? schema->problems(body) : std::vector<std::string>();
}

// `problems` with the same fault in several list items said once: the first place, and how many more.
inline std::vector<std::string> foldedProblems(const std::vector<std::string> &problems)
{
    std::vector<std::pair<std::string, std::size_t>> firsts; // first message of a kind, how many of that kind
    std::map<std::string, std::size_t> kinds;                // the message with list indices as *, its entry
    for (const std::string &problem : problems) {
        std::string kind;
        for (std::size_t i = 0; i < problem.size(); ++i) {
            const bool index =
                problem[i] == '/' && i + 1 < problem.size() && std::isdigit(static_cast<unsigned char>(problem[i + 1]));
            kind += problem[i];
            if (index) {
                kind += '*';
                while (i + 1 < problem.size() && std::isdigit(static_cast<unsigned char>(problem[i + 1])))
                    ++i;
            }
        }
        auto [at, added] = kinds.emplace(kind, firsts.size());
        if (added)
            firsts.push_back({problem, 0});
        else
            ++firsts[at->second].second;
    }
    std::vector<std::string> out;
    for (const auto &[problem, more] : firsts)
        out.push_back(more == 0 ? problem : problem + " (and " + std::to_string(more) + " more like it)");
    return out;
}

// POSTs `body` to one of the fixture server's control endpoints ("/control/reset", "/control/script",
// "/control/litellm", "/control/litellm/upsert"): true when the server answered.
inline bool control(const NodeServer &server, const std::string &path, const nlohmann::json &body)
{
    rl::HttpClient http;
    return http.sendOnce({"POST", server.url(QString::fromStdString(path)).toStdString(), {}, body.dump()}).ok();
}

// Installs `scripts` ({"<path>": [response, ...]}, see fixture-server.js). Every response that is a success (a
// status of 200, or none) with a JSON object or list as its body must have the shape the real service sends:
// otherwise the problems are printed and nothing is installed (false). A response made off-shape on purpose
// says why: "off_schema": "<reason>" (a renamed field, a page the service would never send).
inline bool script(const NodeServer &server, const nlohmann::json &scripts)
{
    bool conforming = true;
    for (const auto &[path, responses] : scripts.items()) {
        if (!responses.is_array())
            continue;
        for (std::size_t i = 0; i < responses.size(); ++i) {
            const nlohmann::json &response = responses[i];
            if (!response.is_object())
                continue;
            const QString where = QString("fixture::script: %1, response %2 of %3")
                                      .arg(QString::fromStdString(path))
                                      .arg(i + 1)
                                      .arg(responses.size());
            if (auto reason = response.find("off_schema"); reason != response.end()) {
                if (!reason->is_string() || reason->get<std::string>().empty()) {
                    qWarning().noquote() << where + ": \"off_schema\" must say why the body may differ";
                    conforming = false;
                }
                continue;
            }
            const auto status = response.find("status");
            if (status != response.end() && *status != 200)
                continue; // error bodies have shapes of their own
            const auto body = response.find("body");
            if (body == response.end() || !(body->is_object() || body->is_array()))
                continue; // no body, or text the connector must refuse
            const std::vector<std::string> problems = schemaProblems(path, *body);
            if (problems.empty())
                continue;
            conforming = false;
            const JsonSchemaCheck *schema = schemaRegistry().forPath(path);
            const std::string against = schema ? schema->name() : std::string("tests/sources/schemas");
            qWarning().noquote() << where + " is not what the service sends (" + QString::fromStdString(against)
                                        + "; mark a deliberate fault with \"off_schema\": \"<reason>\"):";
            for (const std::string &problem : foldedProblems(problems))
                qWarning().noquote() << "    " + QString::fromStdString(problem);
        }
    }
    if (!conforming)
        return false;
    return control(server, "/control/script", scripts);
}

inline bool reset(const NodeServer &server)
{
    return control(server, "/control/reset", nlohmann::json::object());
}

inline nlohmann::json requests(const NodeServer &server)
{
    rl::HttpClient control;
    auto answer = control.sendOnce({"GET", server.url("/control/requests").toStdString(), {}, {}});
    return answer ? nlohmann::json::parse(answer->body) : nlohmann::json::array();
}

inline std::int64_t scalar(rl::UsageStore &store, const std::string &sql)
{
    auto query = store.database().prepare(sql);
    return query && query->step().valueOr(false) ? query->int64(0) : -1;
}

// An HttpClient that records its waits instead of sleeping.
inline rl::HttpClient::Options quickHttp(int maxAttempts = 2,
                                         std::chrono::milliseconds transferTimeout = std::chrono::milliseconds(3000))
{
    rl::HttpClient::Options o;
    o.sleep = [](std::chrono::milliseconds) {};
    o.maxAttempts = maxAttempts;
    o.transferTimeout = transferTimeout;
    return o;
}

} // namespace fixture
