#include "chatrequest.h"

#include "httptext.h"
#include "jsonvalidator.h"
#include "routing/requestreader.h"

#include <algorithm>
#include <vector>

namespace rl {

namespace {

// A top-level member of the client's body, by whether the router sets it itself.
struct BodyMember {
    enum class Kind { Forwarded, Model, RouteLedger, StreamOptions };
    Kind kind;
    std::string_view text; // "key": value, as the client wrote it
};

BodyMember::Kind kindOf(std::string_view key)
{
    if (key == "model")
        return BodyMember::Kind::Model;
    if (key == "routeledger")
        return BodyMember::Kind::RouteLedger;
    if (key == "stream_options")
        return BodyMember::Kind::StreamOptions;
    return BodyMember::Kind::Forwarded;
}

// `text` as a JSON string.
void appendJsonString(std::string &out, std::string_view text)
{
    const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F && c != '"' && c != '\\';
    });
    if (plain)
        out.append(1, '"').append(text).append(1, '"');
    else
        out += toJsonText(nlohmann::json(text));
}

} // namespace

Result<ChatRequest> ChatRequest::read(std::string_view contentType, std::string_view body, const ClientIdentity &who,
                                      std::int64_t nowMs)
{
    if (!startsWithNoCase(contentType, "application/json"))
        return Error{"unsupported_media_type",
                     "Content-Type must be application/json (got '" + std::string(contentType) + "')", false};
    ChatRequest chat;
    // Validated as nlohmann's parser would, noting where the top-level members are, then the document built from
    // the checked bytes (a third of the parser's instructions).
    std::vector<BodyMember> members;
    members.reserve(16); // a chat request has a dozen top-level members at most, but for extensions
    const JsonValidator::Outcome json = JsonValidator::validate(
        body, kBodyLimits, [&members](std::string_view key, std::string_view member, std::string_view) {
            members.push_back({kindOf(key), member});
        });
    if (!json.valid) {
        // Too much structure is refused as such, whether or not the text is JSON (the bounds are counted alike).
        if (auto shape = checkJsonShape(body, kBodyLimits); !shape)
            return Error{"invalid_request",
                         "The request body has " + shape.error().message
                             + "; no chat request needs that much structure, so send a smaller body",
                         false};
    }
    if (!json.valid || !json.object)
        return Error{"invalid_json",
                     "The request body is not a JSON object; send {\"model\": \"auto\", \"messages\": [...]}", false};
    const char *start = body.data();
    if (body.substr(0, 3) == "\xEF\xBB\xBF")
        start += 3; // a UTF-8 byte order mark, which the validator skipped too
    chat.body = JsonValidator::build(start);
    auto route = RequestReader::fromJson(chat.body, nowMs);
    if (!route)
        return Error{"invalid_request", route.error().message, false};
    chat.route = std::move(route.value());
    // The body's own "routeledger" object is for the CLI and the app; over the wire, identity and budget
    // come from the key or trusted headers, and the estimates are the router's own.
    RouteRequest &rr = chat.route;
    rr.team = who.team;
    rr.user = who.user;
    rr.app = who.app;
    rr.tags = who.tags;
    rr.budgetUsed = who.budgetUsed;
    rr.timeMs = nowMs;
    rr.complexity.reset();
    rr.inputTokens.reset();
    rr.task.reset();

    chat.body.erase("routeledger");
    // Usage is asked for on streams so the ledger can bill them, and held back from a client that did
    // not ask for it.
    if (rr.stream) {
        nlohmann::json &options = chat.body["stream_options"];
        if (!options.is_object())
            options = nlohmann::json::object();
        auto include = options.find("include_usage");
        if (include == options.end() || *include != true) {
            options["include_usage"] = true;
            chat.suppressUsageEvent = true;
        }
        // Usually the router's own {"include_usage":true}, written as is; a client's other options are serialized.
        chat.m_streamOptions =
            options.size() == 1 && chat.suppressUsageEvent ? R"({"include_usage":true})" : toJsonText(options);
    }
    // Upstream, the client's members go as written; those the router sets are written by upstreamBody.
    for (const BodyMember &member : members) {
        const bool routers = member.kind == BodyMember::Kind::Model || member.kind == BodyMember::Kind::RouteLedger
                             || (member.kind == BodyMember::Kind::StreamOptions && rr.stream);
        if (routers)
            continue;
        if (!chat.m_forwardedMembers.empty())
            chat.m_forwardedMembers += ',';
        chat.m_forwardedMembers += member.text;
    }
    return chat;
}

std::string ChatRequest::upstreamBody(std::string_view providerModel) const
{
    std::string out;
    out.reserve(providerModel.size() + m_streamOptions.size() + m_forwardedMembers.size() + 40);
    out += "{\"model\":";
    appendJsonString(out, providerModel);
    if (!m_streamOptions.empty())
        out.append(",\"stream_options\":").append(m_streamOptions);
    if (!m_forwardedMembers.empty())
        out.append(1, ',').append(m_forwardedMembers);
    out += '}';
    return out;
}

} // namespace rl
