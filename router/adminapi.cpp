#include "adminapi.h"

#include "bearertoken.h"
#include "boundedjson.h"
#include "digest.h"
#include "httpresponses.h"
#include "routing/decisionwriter.h"
#include "routing/requestreader.h"
#include "servablepolicy.h"
#include "usagepagewriter.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>

namespace rl {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

HttpResponse error(http::status status, std::string_view message, std::string_view code, unsigned version)
{
    return openAiErrorResponse(status, message, "admin_error", code, version);
}

json issuesJson(const std::vector<PolicyIssue> &issues)
{
    json out = json::array();
    for (const PolicyIssue &issue : issues)
        out.push_back({{"path", issue.path}, {"message", issue.message}, {"line", issue.line()}});
    return out;
}

// The value of `key` in a query string, or nullopt.
std::optional<std::string_view> queryValue(std::string_view query, std::string_view key)
{
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == key)
            return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

// Whether the query asks for the shadow policy: `shadow`, `shadow=`, `shadow=1` or `shadow=true`; nullopt for a
// `shadow` with another value, which is refused rather than read either way.
std::optional<bool> shadowQuery(std::string_view query)
{
    auto value = queryValue(query, "shadow");
    if (!value)
        return false;
    if (value->empty() || *value == "1" || *value == "true")
        return true;
    return std::nullopt;
}

HttpResponse noShadowPolicy(unsigned version)
{
    HttpResponse response = error(http::status::not_found,
                                  std::string("There is no shadow policy; PUT /admin/policy?shadow with If-Match: ")
                                      + PolicyHolder::kNoShadowETag + " to start shadow mode",
                                  "no_shadow_policy", version);
    response.set(http::field::etag, PolicyHolder::kNoShadowETag);
    return response;
}

HttpResponse invalidPolicy(const PolicyLoad &load, unsigned version)
{
    json body = json::parse(
        openAiErrorBody("The policy has " + std::to_string(load.errors.size()) + " error(s); nothing was changed",
                        "admin_error", "invalid_policy"));
    body["errors"] = issuesJson(load.errors);
    body["warnings"] = issuesJson(load.warnings);
    return jsonResponse(http::status::bad_request, toJsonText(body), version);
}

std::optional<HttpResponse> policyTooLarge(const HttpRequest &request)
{
    if (request.body().size() <= PolicyParser::kMaxDocumentBytes)
        return std::nullopt;
    return error(http::status::payload_too_large,
                 "The policy is " + std::to_string(request.body().size()) + " bytes; the limit is "
                     + std::to_string(PolicyParser::kMaxDocumentBytes) + " bytes",
                 "policy_too_large", request.version());
}

bool parseInt(std::string_view text, std::int64_t &out)
{
    if (text.empty())
        return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

} // namespace

std::optional<HttpResponse> AdminApi::authorize(const HttpRequest &request) const
{
    const unsigned version = request.version();
    if (m_config.adminToken.empty())
        return error(http::status::unauthorized,
                     "The admin API is off: set the environment variable " + m_config.adminTokenEnv
                         + " (admin_token_env) to a long random token where the router starts",
                     "admin_disabled", version);
    const std::string_view token = bearerToken(request[http::field::authorization]);
    if (secretsEqual(token, m_config.adminToken))
        return std::nullopt;
    return bearerChallenge(
        error(http::status::unauthorized,
              token.empty() ? "No admin token: send 'Authorization: Bearer <admin token>'" : "Wrong admin token",
              "invalid_admin_token", version));
}

HttpResponse AdminApi::handle(const HttpRequest &request)
{
    const unsigned version = request.version();
    if (auto refused = authorize(request))
        return std::move(*refused);

    std::string_view target = request.target();
    auto question = target.find('?');
    std::string_view path = target.substr(0, question);
    std::string_view query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    const http::verb method = request.method();
    auto wrongMethod = [&](const char *allowed) {
        HttpResponse response = error(http::status::method_not_allowed, std::string(path) + " accepts " + allowed,
                                      "method_not_allowed", version);
        response.set(http::field::allow, allowed);
        return response;
    };

    const std::optional<bool> shadow = shadowQuery(query);
    if (!shadow && (path == "/admin/policy" || path == "/admin/route"))
        return error(http::status::bad_request,
                     "'shadow' takes no value: ask for " + std::string(path)
                         + "?shadow, or leave it out for the live policy",
                     "bad_query", version);
    if (path == "/admin/policy") {
        if (*shadow) {
            if (method == http::verb::get)
                return getShadowPolicy(version);
            if (method == http::verb::put)
                return putShadowPolicy(request);
            if (method == http::verb::delete_)
                return deleteShadowPolicy(request);
            return wrongMethod("GET, PUT, DELETE");
        }
        if (method == http::verb::get)
            return getPolicy(version);
        if (method == http::verb::put)
            return putPolicy(request);
        // The live policy is replaced, never removed; DELETE is for the shadow one.
        return wrongMethod("GET, PUT");
    }
    if (path == "/admin/policy/validate")
        return method == http::verb::post ? validatePolicy(request) : wrongMethod("POST");
    if (path == "/admin/route")
        return method == http::verb::post ? route(request, *shadow) : wrongMethod("POST");
    if (path == "/admin/usage")
        return method == http::verb::get ? usage(request, query) : wrongMethod("GET");
    return error(http::status::not_found,
                 "No admin endpoint " + std::string(path)
                     + " (there are /admin/policy, /admin/policy?shadow, /admin/policy/validate, /admin/route and "
                       "/admin/usage)",
                 "not_found", version);
}

HttpResponse AdminApi::getPolicy(unsigned version) const
{
    PolicyHolder::Snapshot snapshot = m_policies.snapshot();
    HttpResponse response = jsonResponse(http::status::ok, *snapshot.document, version);
    response.set(http::field::etag, snapshot.etag);
    return response;
}

HttpResponse AdminApi::putPolicy(const HttpRequest &request)
{
    const unsigned version = request.version();
    std::string_view ifMatch = request[http::field::if_match];
    if (ifMatch.empty()) {
        HttpResponse response = error(http::status::precondition_required,
                                      "PUT /admin/policy needs If-Match with the ETag from GET /admin/policy, so that "
                                      "an edit made against an older policy cannot overwrite a newer one",
                                      "if_match_required", version);
        response.set(http::field::etag, m_policies.snapshot().etag);
        return response;
    }
    if (auto tooLarge = policyTooLarge(request))
        return std::move(*tooLarge);
    PolicyLoad load = parseServablePolicy(request.body(), m_config);
    if (!load.ok())
        return invalidPolicy(load, version);
    std::string expected(ifMatch);
    if (expected == "*")
        expected = m_policies.snapshot().etag;
    std::string persistError;
    PolicyHolder::Snapshot installed, previous;
    auto result = m_policies.replaceIf(
        expected, load.policy,
        [&](const PolicyHolder::Snapshot &candidate) {
            // Persisted before it is served, so a restart never goes back to an older policy.
            auto saved = m_ledger.savePolicy({*candidate.document, candidate.policy->version, candidate.etag},
                                             readClock(m_clock));
            if (!saved)
                persistError = saved.error().message;
            return saved.ok();
        },
        installed, previous);
    switch (result) {
    case PolicyHolder::SwapResult::StaleETag: {
        HttpResponse response =
            error(http::status::precondition_failed,
                  "The policy changed since you read it (If-Match " + std::string(ifMatch) + ", current "
                      + previous.etag + "); GET it again, re-apply your edit and PUT with the new ETag",
                  "policy_changed", version);
        response.set(http::field::etag, previous.etag);
        return response;
    }
    case PolicyHolder::SwapResult::VersionNotIncreasing: {
        std::fprintf(stderr,
                     "routeledger-router: refused a PUT of policy version %lld: version %lld is in force, and a new "
                     "policy must have a higher version\n",
                     static_cast<long long>(load.policy->version), static_cast<long long>(previous.policy->version));
        HttpResponse response =
            error(http::status::conflict,
                  "The policy has version " + std::to_string(load.policy->version) + ", but version "
                      + std::to_string(previous.policy->version)
                      + " is in force; a new policy must have a higher version (publish it as version "
                      + std::to_string(previous.policy->version + 1)
                      + " or later; to go back, publish the older policy again under a new version)",
                  "version_not_increasing", version);
        response.set(http::field::etag, previous.etag);
        return response;
    }
    case PolicyHolder::SwapResult::PersistFailed:
        return error(http::status::internal_server_error,
                     "The policy could not be saved, so it was not installed: " + persistError, "policy_not_saved",
                     version);
    case PolicyHolder::SwapResult::Unchanged:
    case PolicyHolder::SwapResult::Swapped: break;
    }
    const bool changed = result == PolicyHolder::SwapResult::Swapped;
    if (changed)
        std::fprintf(stderr, "routeledger-router: installed policy \"%s\" version %lld (was version %lld)\n",
                     installed.policy->name.c_str(), static_cast<long long>(installed.policy->version),
                     static_cast<long long>(previous.policy->version));
    ordered_json body = {{"installed", true},
                         {"changed", changed},
                         {"name", installed.policy->name},
                         {"version", installed.policy->version},
                         {"previous_version", previous.policy->version},
                         {"etag", installed.etag},
                         {"warnings", issuesJson(load.warnings)}};
    HttpResponse response = jsonResponse(http::status::ok, toJsonText(body), version);
    response.set(http::field::etag, installed.etag);
    return response;
}

HttpResponse AdminApi::getShadowPolicy(unsigned version) const
{
    std::optional<PolicyHolder::Snapshot> shadow = m_policies.shadow();
    if (!shadow)
        return noShadowPolicy(version);
    HttpResponse response = jsonResponse(http::status::ok, *shadow->document, version);
    response.set(http::field::etag, shadow->etag);
    return response;
}

HttpResponse AdminApi::putShadowPolicy(const HttpRequest &request)
{
    const unsigned version = request.version();
    std::string_view ifMatch = request[http::field::if_match];
    if (ifMatch.empty()) {
        HttpResponse response =
            error(http::status::precondition_required,
                  std::string("PUT /admin/policy?shadow needs If-Match with the ETag from GET /admin/policy?shadow (")
                      + PolicyHolder::kNoShadowETag
                      + " when there is no shadow policy), so that an edit made against an older shadow policy "
                        "cannot overwrite a newer one",
                  "if_match_required", version);
        response.set(http::field::etag, m_policies.shadowETag());
        return response;
    }
    if (auto tooLarge = policyTooLarge(request))
        return std::move(*tooLarge);
    // The same checks as the live policy's: a shadow policy this router could not serve would record decisions
    // that could never come true.
    PolicyLoad load = parseServablePolicy(request.body(), m_config);
    if (!load.ok())
        return invalidPolicy(load, version);
    std::string expected(ifMatch);
    if (expected == "*")
        expected = m_policies.shadowETag();
    std::string persistError;
    std::optional<PolicyHolder::Snapshot> installed, previous;
    auto result = m_policies.replaceShadowIf(
        expected, load.policy,
        [&](const std::optional<PolicyHolder::Snapshot> &candidate) {
            // Saved before it is used, so a restart keeps shadow mode as the admin left it.
            auto saved = m_ledger.saveShadowPolicy(
                StoredPolicy{*candidate->document, candidate->policy->version, candidate->etag}, readClock(m_clock));
            if (!saved)
                persistError = saved.error().message;
            return saved.ok();
        },
        installed, previous);
    switch (result) {
    case PolicyHolder::ShadowResult::StaleETag: {
        const std::string current = previous ? previous->etag : std::string(PolicyHolder::kNoShadowETag);
        HttpResponse response =
            error(http::status::precondition_failed,
                  "The shadow policy changed since you read it (If-Match " + std::string(ifMatch) + ", current "
                      + current + "); GET /admin/policy?shadow again and PUT with its ETag",
                  "policy_changed", version);
        response.set(http::field::etag, current);
        return response;
    }
    case PolicyHolder::ShadowResult::PersistFailed:
        return error(http::status::internal_server_error,
                     "The shadow policy could not be saved, so it was not installed: " + persistError,
                     "policy_not_saved", version);
    case PolicyHolder::ShadowResult::NoShadow: // only when removing
    case PolicyHolder::ShadowResult::Unchanged:
    case PolicyHolder::ShadowResult::Swapped: break;
    }
    const bool changed = result == PolicyHolder::ShadowResult::Swapped;
    const std::int64_t liveVersion = m_policies.policy()->version;
    if (changed)
        std::fprintf(stderr,
                     "routeledger-router: shadow policy \"%s\" version %lld installed beside live version %lld\n",
                     installed->policy->name.c_str(), static_cast<long long>(installed->policy->version),
                     static_cast<long long>(liveVersion));
    ordered_json body = {{"installed", true},
                         {"changed", changed},
                         {"shadow", true},
                         {"name", installed->policy->name},
                         {"version", installed->policy->version},
                         {"previous_version", previous ? ordered_json(previous->policy->version) : ordered_json()},
                         {"live_version", liveVersion},
                         {"etag", installed->etag},
                         {"warnings", issuesJson(load.warnings)}};
    HttpResponse response = jsonResponse(http::status::ok, toJsonText(body), version);
    response.set(http::field::etag, installed->etag);
    return response;
}

HttpResponse AdminApi::deleteShadowPolicy(const HttpRequest &request)
{
    const unsigned version = request.version();
    std::string_view ifMatch = request[http::field::if_match];
    if (ifMatch.empty()) {
        HttpResponse response = error(http::status::precondition_required,
                                      "DELETE /admin/policy?shadow needs If-Match with the ETag from GET "
                                      "/admin/policy?shadow, so that a shadow policy installed since you read it is "
                                      "not ended unseen",
                                      "if_match_required", version);
        response.set(http::field::etag, m_policies.shadowETag());
        return response;
    }
    std::string expected(ifMatch);
    if (expected == "*")
        expected = m_policies.shadowETag();
    std::string persistError;
    std::optional<PolicyHolder::Snapshot> installed, previous;
    auto result = m_policies.replaceShadowIf(
        expected, nullptr,
        [&](const std::optional<PolicyHolder::Snapshot> &) {
            auto saved = m_ledger.saveShadowPolicy(std::nullopt, readClock(m_clock));
            if (!saved)
                persistError = saved.error().message;
            return saved.ok();
        },
        installed, previous);
    switch (result) {
    case PolicyHolder::ShadowResult::NoShadow: return noShadowPolicy(version);
    case PolicyHolder::ShadowResult::StaleETag: {
        HttpResponse response =
            error(http::status::precondition_failed,
                  "The shadow policy changed since you read it (If-Match " + std::string(ifMatch) + ", current "
                      + previous->etag + "); GET /admin/policy?shadow again and DELETE with its ETag",
                  "policy_changed", version);
        response.set(http::field::etag, previous->etag);
        return response;
    }
    case PolicyHolder::ShadowResult::PersistFailed:
        return error(http::status::internal_server_error,
                     "The end of shadow mode could not be saved, so the shadow policy stays: " + persistError,
                     "policy_not_saved", version);
    case PolicyHolder::ShadowResult::Unchanged:
    case PolicyHolder::ShadowResult::Swapped: break;
    }
    std::fprintf(stderr, "routeledger-router: shadow policy \"%s\" version %lld removed; shadow mode is off\n",
                 previous->policy->name.c_str(), static_cast<long long>(previous->policy->version));
    ordered_json body = {{"removed", true},
                         {"name", previous->policy->name},
                         {"version", previous->policy->version},
                         {"etag", PolicyHolder::kNoShadowETag}};
    HttpResponse response = jsonResponse(http::status::ok, toJsonText(body), version);
    response.set(http::field::etag, PolicyHolder::kNoShadowETag);
    return response;
}

HttpResponse AdminApi::validatePolicy(const HttpRequest &request) const
{
    if (request.body().size() > PolicyParser::kMaxDocumentBytes)
        return error(http::status::payload_too_large,
                     "The policy is larger than " + std::to_string(PolicyParser::kMaxDocumentBytes) + " bytes",
                     "policy_too_large", request.version());
    PolicyLoad load = parseServablePolicy(request.body(), m_config);
    ordered_json body = {
        {"valid", load.ok()}, {"errors", issuesJson(load.errors)}, {"warnings", issuesJson(load.warnings)}};
    if (load.ok()) {
        body["name"] = load.policy->name;
        body["version"] = load.policy->version;
    }
    return jsonResponse(http::status::ok, toJsonText(body), request.version());
}

HttpResponse AdminApi::route(const HttpRequest &request, bool shadow) const
{
    std::shared_ptr<const Policy> policy;
    if (shadow) {
        auto snapshot = m_policies.shadow();
        if (!snapshot)
            return noShadowPolicy(request.version());
        policy = snapshot->policy;
    } else {
        policy = m_policies.policy();
    }
    // The admin states who is asking in the body's "routeledger" object, as the app's "Try a request" does.
    auto routeRequest = RequestReader::fromText(request.body(), readClock(m_clock));
    if (!routeRequest)
        return error(http::status::bad_request, routeRequest.error().message, "invalid_request", request.version());
    Decision decision = m_engine.decide(policy, routeRequest.value());
    return jsonResponse(http::status::ok, toJsonText(DecisionWriter::toJson(decision, routeRequest.value())),
                        request.version());
}

HttpResponse AdminApi::usage(const HttpRequest &request, std::string_view query)
{
    const unsigned version = request.version();
    std::int64_t after = 0;
    std::int64_t limit = static_cast<std::int64_t>(kDefaultUsagePage);
    if (auto value = queryValue(query, "after"); value && !value->empty() && (!parseInt(*value, after) || after < 0))
        return error(http::status::bad_request,
                     "after must be a cursor from a previous page's next_cursor (a whole number ≥ 0)", "bad_cursor",
                     version);
    if (auto value = queryValue(query, "limit");
        value && (!parseInt(*value, limit) || limit < 1 || limit > static_cast<std::int64_t>(kMaxUsagePage)))
        return error(http::status::bad_request,
                     "limit must be a whole number from 1 to " + std::to_string(kMaxUsagePage), "bad_limit", version);
    // Feedback has a cursor of its own (a feedback may come long after its event was read); it is only sent to
    // a poller that asks for it, so an older app reads the page it always did.
    std::optional<std::int64_t> feedbackAfter;
    if (auto value = queryValue(query, "feedback_after"); value) {
        std::int64_t cursor = 0;
        if (value->empty() || !parseInt(*value, cursor) || cursor < 0)
            return error(http::status::bad_request,
                         "feedback_after must be a cursor from a previous page's next_feedback_cursor (a whole number "
                         "≥ 0; 0 for the first page)",
                         "bad_cursor", version);
        feedbackAfter = cursor;
    }
    auto page = m_ledger.read(after, static_cast<std::size_t>(limit));
    if (!page)
        return error(http::status::service_unavailable, "The ledger cannot be read: " + page.error().message,
                     "ledger_unavailable", version);
    if (feedbackAfter) {
        auto feedback = m_ledger.readFeedback(*feedbackAfter, static_cast<std::size_t>(limit));
        if (!feedback)
            return error(http::status::service_unavailable, "The ledger cannot be read: " + feedback.error().message,
                         "ledger_unavailable", version);
        page->feedback = std::move(feedback.value());
    }
    return jsonResponse(http::status::ok, UsagePageWriter::write(page.value()), version);
}

} // namespace rl
