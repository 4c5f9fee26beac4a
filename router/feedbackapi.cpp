#include "feedbackapi.h"

#include "boundedjson.h"
#include "httpresponses.h"
#include "httptext.h"

#include <nlohmann/json.hpp>

namespace rl {

namespace {

constexpr const char *kShape = "send {\"request_id\": \"…\", \"score\": 0.8} or {\"request_id\": \"…\", \"thumbs\": "
                               "\"up\"} (\"down\"), with an optional \"comment\"";

// A feedback body is a handful of values; anything deeper or larger is not one.
constexpr JsonLimits kFeedbackLimits{8, 64};

Error invalid(const std::string &what)
{
    return Error{"invalid_feedback", what, false};
}

std::size_t codePoints(std::string_view text)
{
    std::size_t count = 0;
    for (char c : text)
        count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0; // continuation bytes do not start one
    return count;
}

} // namespace

Result<FeedbackRecord> FeedbackApi::read(std::string_view contentType, std::string_view body, std::int64_t nowMs)
{
    if (!startsWithNoCase(contentType, "application/json"))
        return Error{"unsupported_media_type",
                     "Content-Type must be application/json (got '" + std::string(contentType) + "')", false};
    if (auto shape = checkJsonShape(body, kFeedbackLimits); !shape)
        return invalid("The feedback body has " + shape.error().message + "; " + kShape);
    // The parser refuses text that is not UTF-8, so a stored comment is always clean.
    const nlohmann::json document = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    if (document.is_discarded())
        return Error{"invalid_json", std::string("The feedback body is not JSON in UTF-8; ") + kShape, false};
    if (!document.is_object())
        return invalid(std::string("The feedback body must be a JSON object; ") + kShape);
    for (auto it = document.begin(); it != document.end(); ++it) {
        if (it.key() != "request_id" && it.key() != "score" && it.key() != "thumbs" && it.key() != "comment")
            return invalid("Unknown key '" + it.key() + "': feedback takes request_id, score or thumbs, and comment");
    }
    FeedbackRecord feedback;
    feedback.timeMs = nowMs;
    auto id = document.find("request_id");
    if (id == document.end() || !id->is_string() || id->get_ref<const std::string &>().empty())
        return invalid("request_id is missing or not a string: send the X-RouteLedger-Request-Id header of the answer "
                       "you rate");
    feedback.requestId = id->get<std::string>();
    if (feedback.requestId.size() > kMaxRequestIdBytes)
        return invalid("request_id is longer than " + std::to_string(kMaxRequestIdBytes)
                       + " bytes, which no request id of this router is: send the X-RouteLedger-Request-Id header of "
                         "the answer you rate");
    auto score = document.find("score");
    auto thumbs = document.find("thumbs");
    if (score != document.end() && thumbs != document.end())
        return invalid("Send either score or thumbs, not both");
    if (score == document.end() && thumbs == document.end())
        return invalid("Neither score nor thumbs: add \"score\" (a number from 0 to 1) or \"thumbs\" (\"up\" or "
                       "\"down\")");
    if (score != document.end()) {
        if (!score->is_number())
            return invalid("score must be a number from 0 to 1 (e.g. 0.8), not " + std::string(score->type_name()));
        feedback.score = score->get<double>();
        if (!(feedback.score >= 0.0 && feedback.score <= 1.0))
            return invalid("score " + toJsonText(*score) + " is outside 0 to 1: rescale it (0 bad, 1 perfect)");
    } else {
        if (!thumbs->is_string() || (*thumbs != "up" && *thumbs != "down"))
            return invalid("thumbs must be \"up\" or \"down\" (got " + toJsonText(*thumbs) + ")");
        feedback.thumbsUp = *thumbs == "up";
        feedback.score = *feedback.thumbsUp ? 1.0 : 0.0;
    }
    if (auto comment = document.find("comment"); comment != document.end() && !comment->is_null()) {
        if (!comment->is_string())
            return invalid("comment must be a string");
        feedback.comment = comment->get<std::string>();
        if (const std::size_t length = codePoints(feedback.comment); length > kMaxCommentChars)
            return invalid("comment is " + std::to_string(length) + " characters long; the limit is "
                           + std::to_string(kMaxCommentChars) + ": shorten it");
    }
    return feedback;
}

HttpResponse FeedbackApi::handle(const HttpRequest &request, const ClientIdentity &who)
{
    const unsigned version = request.version();
    auto refuse = [&](http::status status, std::string_view message, std::string_view code) {
        m_metrics.recordRejected(code);
        return openAiErrorResponse(status, message, "invalid_request_error", code, version);
    };
    Result<FeedbackRecord> feedback = read(request[http::field::content_type], request.body(), readClock(m_clock));
    if (!feedback)
        return refuse(feedback.error().code == "unsupported_media_type" ? http::status::unsupported_media_type
                                                                        : http::status::bad_request,
                      feedback.error().message, feedback.error().code);
    auto outcome = m_ledger.recordFeedback(who.keyId, feedback.value());
    if (!outcome)
        return openAiErrorResponse(http::status::service_unavailable,
                                   "The router's ledger cannot store feedback right now (" + outcome.error().message
                                       + "); send it again in a moment",
                                   "server_error", "ledger_unavailable", version);
    if (outcome.value() == FeedbackOutcome::UnknownRequest)
        return refuse(http::status::not_found,
                      "No request '" + feedback->requestId
                          + "' of this API key: rate an answer this router gave to this key, by its "
                            "X-RouteLedger-Request-Id header",
                      "request_not_found");
    m_metrics.feedbackReceived.fetch_add(1, std::memory_order_relaxed);
    nlohmann::json body = {{"object", "feedback"},
                           {"request_id", feedback->requestId},
                           {"score", feedback->score},
                           {"changed", outcome.value() == FeedbackOutcome::Stored}};
    if (feedback->thumbsUp)
        body["thumbs"] = *feedback->thumbsUp ? "up" : "down";
    return jsonResponse(http::status::ok, toJsonText(body), version);
}

} // namespace rl
