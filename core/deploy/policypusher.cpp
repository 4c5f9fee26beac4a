#include "deploy/policypusher.h"

#include "deploy/policydiff.h"
#include "net/httpclient.h"
#include "routing/policyparser.h"
#include "routing/policywriter.h"
#include "sources/baseurl.h"

#include <nlohmann/json.hpp>

#include <thread>

namespace rl {

using nlohmann::ordered_json;

std::string_view pushOutcomeName(PushOutcome outcome)
{
    switch (outcome) {
    case PushOutcome::Applied: return "applied";
    case PushOutcome::Rejected: return "rejected";
    case PushOutcome::Stale: return "stale";
    case PushOutcome::Unreachable: return "unreachable";
    case PushOutcome::ReadbackDiffers: return "readback_differs";
    }
    return "unreachable";
}

namespace {

constexpr std::size_t kMaxAnswerBytes = 16u << 20; // a policy is at most 4 MiB; its error list can be longer

// The policy being pushed, read once for every target.
struct PushedPolicy {
    std::string canonical;
    ordered_json json;
    std::int64_t version = 0;
};

std::string policyUrl(const PushTarget &target, std::string_view path = "/admin/policy")
{
    return trimmedBaseUrl(target.baseUrl, "/admin") + std::string(path);
}

std::vector<std::pair<std::string, std::string>> authorization(const PushTarget &target)
{
    return {{"Authorization", "Bearer " + target.adminToken}};
}

// The router's own words from an OpenAI-style error body ({"error": {"message": …}}), else the body's start.
std::string routerMessage(const HttpAnswer &answer)
{
    ordered_json body = ordered_json::parse(answer.body, nullptr, false);
    if (body.is_object() && body.contains("error") && body["error"].is_object() && body["error"].contains("message")
        && body["error"]["message"].is_string())
        return body["error"]["message"].get<std::string>();
    std::string text = answer.body.substr(0, 200);
    for (char &c : text)
        if (c == '\n' || c == '\r')
            c = ' ';
    return text.empty() ? std::string("no message") : text;
}

Error tokenError(const HttpAnswer &answer)
{
    return Error{"push.token",
                 "the router refused the admin token (HTTP " + std::to_string(answer.status) + ": "
                     + routerMessage(answer)
                     + "); set the token given for this router to the router's admin token (the value of the "
                       "variable its admin_token_env names)",
                 false};
}

Error refusedError(const HttpAnswer &answer, std::string_view what)
{
    return Error{"push.refused",
                 std::string(what) + " was refused (HTTP " + std::to_string(answer.status)
                     + "): " + routerMessage(answer),
                 false};
}

// The lines of a router's {"errors": [{"path", "message", "line"}]} (or "warnings") list, "PATH: message".
std::vector<std::string> issueLines(const ordered_json &body, const char *key, std::string_view prefix = {})
{
    std::vector<std::string> lines;
    if (!body.is_object() || !body.contains(key) || !body[key].is_array())
        return lines;
    for (const ordered_json &issue : body[key]) {
        std::string line;
        if (issue.is_object() && issue.contains("line") && issue["line"].is_string()) {
            line = issue["line"].get<std::string>();
        } else if (issue.is_object()) {
            std::string path = issue.value("path", std::string());
            line =
                (path.empty() ? std::string("/") : path) + ": " + issue.value("message", std::string("(no message)"));
        } else if (issue.is_string()) {
            line = issue.get<std::string>();
        } else {
            line = issue.dump();
        }
        lines.push_back(std::string(prefix) + line);
    }
    return lines;
}

// Every JSON pointer where `a` and `b` differ (the last resort when the worded diff finds nothing to say).
void differingPointers(const ordered_json &a, const ordered_json &b, const std::string &path,
                       std::vector<std::string> &out)
{
    if (out.size() >= 50)
        return;
    if (a.is_object() && b.is_object()) {
        for (auto it = a.begin(); it != a.end(); ++it) {
            const std::string child = PolicyIssues::child(path, it.key());
            if (!b.contains(it.key()))
                out.push_back(child + ": removed");
            else
                differingPointers(it.value(), b[it.key()], child, out);
        }
        for (auto it = b.begin(); it != b.end(); ++it)
            if (!a.contains(it.key()))
                out.push_back(PolicyIssues::child(path, it.key()) + ": added");
        return;
    }
    if (a.is_array() && b.is_array()) {
        const std::size_t common = std::min(a.size(), b.size());
        for (std::size_t i = 0; i < common; ++i)
            differingPointers(a[i], b[i], PolicyIssues::child(path, i), out);
        for (std::size_t i = common; i < a.size(); ++i)
            out.push_back(PolicyIssues::child(path, i) + ": removed");
        for (std::size_t i = common; i < b.size(); ++i)
            out.push_back(PolicyIssues::child(path, i) + ": added");
        return;
    }
    if (a != b)
        out.push_back((path.empty() ? std::string("/") : path) + ": " + a.dump() + " → " + b.dump());
}

// What differs from `from` (the pushed policy) to `to` (what the router holds), one line each.
std::vector<std::string> differences(const ordered_json &from, const std::string &toText)
{
    std::vector<std::string> lines;
    ordered_json to = ordered_json::parse(toText, nullptr, false);
    if (to.is_discarded() || !to.is_object()) {
        lines.push_back("the router's policy is not a JSON object");
        return lines;
    }
    const ordered_json fromVersion = from.value("version", ordered_json());
    const ordered_json toVersion = to.value("version", ordered_json());
    if (fromVersion != toVersion)
        lines.push_back("version " + fromVersion.dump() + " → " + toVersion.dump());
    for (const PolicyChange &change : PolicyDiff::between(from, to))
        lines.push_back(change.text);
    if (lines.empty() && from != to)
        differingPointers(from, to, "", lines);
    return lines;
}

HttpClient::Options clientOptions(const PolicyPusher::Options &options)
{
    HttpClient::Options http;
    http.connectTimeout = options.connectTimeout;
    http.transferTimeout = options.transferTimeout;
    http.caFile = options.caFile;
    http.maxAttempts = 1;
    http.maxBodyBytes = kMaxAnswerBytes;
    return http;
}

// The live policy's URL, or the shadow policy's (`?shadow`, docs/ROUTER.md).
std::string slotUrl(const PushTarget &target, bool shadow)
{
    return policyUrl(target) + (shadow ? "?shadow" : "");
}

// GET /admin/policy (or ?shadow) on `http` (see PolicyPusher::read). No shadow policy reads as an empty document
// with the ETag the router gives for "none".
Result<RouterPolicyState> readPolicy(HttpClient &http, const PushTarget &target, bool shadow = false)
{
    Result<HttpAnswer> answer = http.sendOnce({"GET", slotUrl(target, shadow), authorization(target), {}});
    if (!answer)
        return answer.error();
    if (answer->status == 401 || answer->status == 403)
        return tokenError(answer.value());
    if (shadow && answer->status == 404) {
        RouterPolicyState none;
        none.etag = answer->header("etag").empty() ? std::string("\"none\"") : answer->header("etag");
        return none;
    }
    if (answer->status != 200)
        return refusedError(answer.value(), "Reading the router's policy (GET /admin/policy)");
    RouterPolicyState state;
    state.etag = answer->header("etag");
    PolicyLoad load = PolicyParser::parse(answer->body);
    if (load.ok()) {
        state.document = PolicyWriter::toText(*load.policy);
        state.version = load.policy->version;
        return state;
    }
    // Not a policy this app can read (a gateway's variant of one): kept as JSON so the difference can be shown.
    ordered_json document = ordered_json::parse(answer->body, nullptr, false);
    if (document.is_discarded() || !document.is_object())
        return Error{"push.unreadable",
                     "GET " + policyUrl(target) + " did not return a policy document (a JSON object); is "
                         + target.baseUrl + " a routeledger-router?",
                     false};
    state.document = document.dump(2);
    if (document.contains("version") && document["version"].is_number_integer())
        state.version = document["version"].get<std::int64_t>();
    return state;
}

// One router's push, run on a thread of its own with its own HTTP client.
class TargetPush {
public:
    TargetPush(const PolicyPusher::Options &options, const PushedPolicy &policy, const PushTarget &target, bool dryRun,
               bool shadow)
        : m_http(clientOptions(options)), m_policy(policy), m_target(target), m_dryRun(dryRun), m_shadow(shadow)
    {
        m_result.target = target.name.empty() ? target.baseUrl : target.name;
        m_result.baseUrl = target.baseUrl;
    }

    PushResult run()
    {
        Result<RouterPolicyState> before = readPolicy(m_http, m_target, m_shadow);
        if (!before)
            return fail(before.error());
        hold(before.value());
        if (before->document == m_policy.canonical)
            return finish(PushOutcome::Applied, (m_dryRun ? "would apply: " : "applied: ")
                                                    + std::string("already in force (version ")
                                                    + std::to_string(before->version) + "); nothing to install");
        return m_dryRun ? validate(before.value()) : install(before.value());
    }

private:
    PushResult validate(const RouterPolicyState &before)
    {
        Result<HttpAnswer> answer =
            m_http.sendOnce({"POST", policyUrl(m_target, "/admin/policy/validate"), jsonHeaders(), m_policy.canonical});
        if (!answer)
            return fail(answer.error());
        if (answer->status == 401 || answer->status == 403)
            return fail(tokenError(answer.value()));
        if (answer->status != 200)
            return fail(refusedError(answer.value(), "Validating the policy"));
        ordered_json body = ordered_json::parse(answer->body, nullptr, false);
        if (!body.is_object() || !body.contains("valid") || !body["valid"].is_boolean())
            return finish(PushOutcome::Rejected, "the router's validation answer is not {valid, errors, warnings}");
        if (!body["valid"].get<bool>()) {
            m_result.details = issueLines(body, "errors");
            return finish(PushOutcome::Rejected,
                          "the router would refuse it: " + std::to_string(m_result.details.size())
                              + " error(s); nothing was changed");
        }
        if (m_target.expectedEtag && *m_target.expectedEtag != before.etag) {
            m_result.details = differences(m_policy.json, before.document);
            return finish(PushOutcome::Stale, "the router's policy changed since it was installed from here: it holds "
                                              "version "
                                                  + std::to_string(before.version) + " (ETag " + before.etag
                                                  + ", expected " + *m_target.expectedEtag + ")");
        }
        if (!m_shadow && before.version >= m_policy.version) { // a shadow policy's version is free
            m_result.details = differences(m_policy.json, before.document);
            return finish(PushOutcome::Stale, notNewer(before.version));
        }
        m_result.details = issueLines(body, "warnings", "warning: ");
        return finish(PushOutcome::Applied, "would apply: valid on this router, version "
                                                + std::to_string(before.version) + " → "
                                                + std::to_string(m_policy.version));
    }

    PushResult install(const RouterPolicyState &before)
    {
        const std::string ifMatch = m_target.expectedEtag.value_or(before.etag);
        auto headers = jsonHeaders();
        headers.emplace_back("If-Match", ifMatch);
        Result<HttpAnswer> answer = m_http.sendOnce({"PUT", slotUrl(m_target, m_shadow), headers, m_policy.canonical});
        if (!answer)
            return fail(answer.error());
        const long status = answer->status;
        if (status == 401 || status == 403)
            return fail(tokenError(answer.value()));
        if (status == 400) {
            ordered_json body = ordered_json::parse(answer->body, nullptr, false);
            m_result.details = issueLines(body, "errors");
            return finish(PushOutcome::Rejected, routerMessage(answer.value()));
        }
        if (status == 412 || status == 409)
            return stale(status, ifMatch, answer.value());
        if (status != 200)
            return fail(refusedError(answer.value(), "Installing the policy"));

        ordered_json body = ordered_json::parse(answer->body, nullptr, false);
        std::optional<std::int64_t> previous;
        if (body.is_object() && body.contains("previous_version") && body["previous_version"].is_number_integer())
            previous = body["previous_version"].get<std::int64_t>();
        std::vector<std::string> warnings = issueLines(body, "warnings", "warning: ");

        Result<RouterPolicyState> after = readPolicy(m_http, m_target, m_shadow);
        if (!after) {
            hold({answer->header("etag"), m_policy.version, std::string()});
            return finish(after.error().code.rfind("net.", 0) == 0 ? PushOutcome::Unreachable : PushOutcome::Rejected,
                          "the router answered 200 to the PUT, but reading the policy back failed: "
                              + after.error().message);
        }
        hold(after.value());
        if (after->document != m_policy.canonical) {
            m_result.details = differences(m_policy.json, after->document);
            return finish(PushOutcome::ReadbackDiffers,
                          "the router accepted the policy (HTTP 200) but serves a different one: "
                              + std::to_string(m_result.details.size()) + " difference(s)");
        }
        m_result.details = std::move(warnings);
        if (m_shadow)
            return finish(PushOutcome::Applied,
                          "in shadow: version " + std::to_string(m_policy.version)
                              + (before.document.empty() ? std::string(" (no shadow before)")
                                                         : " (was version " + std::to_string(before.version) + ")")
                              + ", read back identical; the live policy is unchanged");
        return finish(PushOutcome::Applied, "applied: version " + std::to_string(m_policy.version) + " (was version "
                                                + std::to_string(previous.value_or(before.version))
                                                + "), read back identical");
    }

    PushResult stale(long status, const std::string &ifMatch, const HttpAnswer &answer)
    {
        Result<RouterPolicyState> now = readPolicy(m_http, m_target, m_shadow);
        if (!now) {
            m_result.routerEtag = answer.header("etag");
            return finish(PushOutcome::Stale, "the router refused the PUT (HTTP " + std::to_string(status) + ": "
                                                  + routerMessage(answer)
                                                  + "), and reading its policy failed: " + now.error().message);
        }
        hold(now.value());
        m_result.details = differences(m_policy.json, now->document);
        if (status == 409)
            return finish(PushOutcome::Stale, notNewer(now->version));
        const std::string since = m_target.expectedEtag ? "since it was installed from here" : "since it was read";
        return finish(PushOutcome::Stale, "the router's policy changed " + since + ": it holds version "
                                              + std::to_string(now->version) + " (ETag " + now->etag + ", If-Match was "
                                              + ifMatch + "); review it, or overwrite knowingly with a higher version");
    }

    std::string notNewer(std::int64_t routerVersion) const
    {
        return "the router holds version " + std::to_string(routerVersion) + ", and this policy's version "
               + std::to_string(m_policy.version) + " is not higher: review the router's policy, or publish as version "
               + std::to_string(routerVersion + 1) + " or later";
    }

    std::vector<std::pair<std::string, std::string>> jsonHeaders() const
    {
        auto headers = authorization(m_target);
        headers.emplace_back("Content-Type", "application/json");
        return headers;
    }

    void hold(const RouterPolicyState &state)
    {
        m_result.routerVersion = state.version;
        m_result.routerEtag = state.etag;
        m_result.routerDocument = state.document;
    }

    PushResult fail(const Error &error)
    {
        const bool network = error.code.rfind("net.", 0) == 0;
        return finish(network ? PushOutcome::Unreachable : PushOutcome::Rejected, error.message);
    }

    PushResult finish(PushOutcome outcome, std::string summary)
    {
        m_result.outcome = outcome;
        m_result.summary = std::move(summary);
        // A router that echoed the token back must not get it into a log or the audit trail.
        if (m_target.adminToken.size() >= 8) {
            auto scrub = [&](std::string &text) {
                for (auto at = text.find(m_target.adminToken); at != std::string::npos;
                     at = text.find(m_target.adminToken, at))
                    text.replace(at, m_target.adminToken.size(), "(the admin token)");
            };
            scrub(m_result.summary);
            for (std::string &line : m_result.details)
                scrub(line);
        }
        return std::move(m_result);
    }

    HttpClient m_http;
    const PushedPolicy &m_policy;
    const PushTarget &m_target;
    const bool m_dryRun;
    const bool m_shadow;
    PushResult m_result;
};

// Ends shadow mode on one router: GET ?shadow for its ETag, DELETE with If-Match.
PushResult endShadowOn(const PolicyPusher::Options &options, const PushTarget &target)
{
    HttpClient http(clientOptions(options));
    PushResult result;
    result.target = target.name.empty() ? target.baseUrl : target.name;
    result.baseUrl = target.baseUrl;
    auto finishWith = [&](PushOutcome outcome, std::string summary) {
        result.outcome = outcome;
        result.summary = std::move(summary);
        return result;
    };
    auto failWith = [&](const Error &error) {
        return finishWith(error.code.rfind("net.", 0) == 0 ? PushOutcome::Unreachable : PushOutcome::Rejected,
                          error.message);
    };
    Result<RouterPolicyState> before = readPolicy(http, target, true);
    if (!before)
        return failWith(before.error());
    if (before->document.empty())
        return finishWith(PushOutcome::Applied, "no shadow policy was running; nothing to end");
    auto headers = authorization(target);
    headers.emplace_back("If-Match", before->etag);
    Result<HttpAnswer> answer = http.sendOnce({"DELETE", slotUrl(target, true), headers, {}});
    if (!answer)
        return failWith(answer.error());
    if (answer->status == 401 || answer->status == 403)
        return failWith(tokenError(answer.value()));
    if (answer->status == 412)
        return finishWith(PushOutcome::Stale, "the shadow policy changed while it was being ended ("
                                                  + routerMessage(answer.value()) + "); end it again");
    if (answer->status != 200 && answer->status != 404)
        return failWith(refusedError(answer.value(), "Ending shadow mode"));
    result.routerVersion = before->version;
    return finishWith(PushOutcome::Applied,
                      "shadow mode ended (it ran version " + std::to_string(before->version) + ")");
}

} // namespace

PolicyPusher::PolicyPusher(Options options) : m_options(std::move(options)) {}

Result<RouterPolicyState> PolicyPusher::read(const PushTarget &target, bool shadow) const
{
    HttpClient http(clientOptions(m_options));
    return readPolicy(http, target, shadow);
}

std::vector<PushResult> PolicyPusher::endShadow(const std::vector<PushTarget> &targets) const
{
    std::vector<PushResult> results(targets.size());
    std::vector<std::thread> threads;
    threads.reserve(targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i)
        threads.emplace_back([&, i] { results[i] = endShadowOn(m_options, targets[i]); });
    for (std::thread &thread : threads)
        thread.join();
    return results;
}

std::vector<PushResult> PolicyPusher::push(const std::string &policyDocument, const std::vector<PushTarget> &targets,
                                           bool dryRun, bool shadow) const
{
    std::vector<PushResult> results(targets.size());
    PolicyLoad load = PolicyParser::parse(policyDocument);
    if (!load.ok()) {
        for (std::size_t i = 0; i < targets.size(); ++i) {
            PushResult &result = results[i];
            result.target = targets[i].name.empty() ? targets[i].baseUrl : targets[i].name;
            result.baseUrl = targets[i].baseUrl;
            result.outcome = PushOutcome::Rejected;
            result.summary =
                "the policy is invalid (" + std::to_string(load.errors.size()) + " error(s)); nothing was sent";
            for (const PolicyIssue &issue : load.errors)
                result.details.push_back(issue.line());
        }
        return results;
    }
    PushedPolicy policy;
    policy.canonical = PolicyWriter::toText(*load.policy);
    policy.json = ordered_json::parse(policy.canonical);
    policy.version = load.policy->version;

    std::vector<std::thread> threads;
    threads.reserve(targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i) {
        threads.emplace_back([&, i] {
            const auto start = std::chrono::steady_clock::now();
            TargetPush attempt(m_options, policy, targets[i], dryRun, shadow);
            results[i] = attempt.run();
            results[i].elapsedMs =
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    return results;
}

} // namespace rl
