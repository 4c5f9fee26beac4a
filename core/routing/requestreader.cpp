#include "routing/requestreader.h"

#include "boundedjson.h"

#include <nlohmann/json.hpp>

namespace rl {

using nlohmann::json;

namespace {

Error invalid(const std::string &message)
{
    return Error{"request.invalid", message, false};
}

std::string kindOf(const json &value)
{
    if (value.is_string())
        return "a string";
    if (value.is_array())
        return "an array";
    if (value.is_object())
        return "an object";
    if (value.is_null())
        return "null";
    if (value.is_boolean())
        return "a boolean";
    return "a number";
}

// Appends a message's text; returns false with `error` set when its content has the wrong shape.
bool appendContent(const json &content, std::size_t index, RouteRequest &request, std::string &error)
{
    if (content.is_null())
        return true; // an assistant message that only calls tools
    if (content.is_string()) {
        request.prompt += content.get_ref<const std::string &>();
        return true;
    }
    if (!content.is_array()) {
        error = "messages[" + std::to_string(index) + "].content must be a string or an array of parts, not "
                + kindOf(content);
        return false;
    }
    bool first = true;
    for (const json &part : content) {
        if (!part.is_object())
            continue;
        auto typeField = part.find("type");
        const std::string type = typeField != part.end() && typeField->is_string() ? typeField->get<std::string>() : "";
        if (type == "text") {
            auto text = part.find("text");
            if (text != part.end() && text->is_string()) {
                if (!first)
                    request.prompt += '\n';
                request.prompt += text->get_ref<const std::string &>();
                first = false;
            }
        } else if (type == "image_url" || type == "image" || type == "input_image") {
            request.hasImages = true;
        }
    }
    return true;
}

} // namespace

Result<RouteRequest> RequestReader::fromText(std::string_view body, std::int64_t nowMs)
{
    if (auto shape = checkJsonShape(body, kRequestBodyLimits); !shape)
        return invalid("request body has " + shape.error().message + "; send a plain chat-completions object");
    json document = json::parse(body.begin(), body.end(), nullptr, false);
    if (document.is_discarded())
        return invalid("request body is not valid JSON; send an OpenAI chat-completions object");
    return fromJson(document, nowMs);
}

Result<RouteRequest> RequestReader::fromJson(const json &body, std::int64_t nowMs)
{
    if (!body.is_object())
        return invalid("request body must be a JSON object, not " + kindOf(body));
    RouteRequest request;
    request.timeMs = nowMs;

    if (auto model = body.find("model"); model != body.end()) {
        if (!model->is_string())
            return invalid("\"model\" must be a string: \"auto\", a tier name or a model id");
        request.requestedModel = model->get<std::string>();
        if (request.requestedModel.empty())
            request.requestedModel = "auto";
    }
    if (auto stream = body.find("stream"); stream != body.end() && !stream->is_null()) {
        if (!stream->is_boolean())
            return invalid("\"stream\" must be true or false");
        request.stream = stream->get<bool>();
    }
    if (auto tools = body.find("tools"); tools != body.end() && tools->is_array() && !tools->empty())
        request.hasTools = true;
    if (auto functions = body.find("functions");
        functions != body.end() && functions->is_array() && !functions->empty())
        request.hasTools = true;

    auto messages = body.find("messages");
    if (messages == body.end())
        return invalid("request has no \"messages\"; send at least one message");
    if (!messages->is_array())
        return invalid("\"messages\" must be an array, not " + kindOf(*messages));
    if (messages->empty())
        return invalid("\"messages\" is empty; send at least one message");

    std::string error;
    bool sawUser = false;
    for (std::size_t i = 0; i < messages->size(); ++i) {
        const json &message = (*messages)[i];
        if (!message.is_object())
            return invalid("messages[" + std::to_string(i) + "] must be an object with role and content");
        auto role = message.find("role");
        if (role == message.end() || !role->is_string())
            return invalid("messages[" + std::to_string(i) + "] has no \"role\"");
        if (message.contains("tool_calls") || message.contains("function_call") || *role == "tool")
            request.hasTools = true;
        if (i > 0)
            request.prompt += '\n';
        const std::size_t start = request.prompt.size();
        if (auto content = message.find("content");
            content != message.end() && !appendContent(*content, i, request, error))
            return invalid(error);
        if (*role == "user") {
            sawUser = true;
            request.scoredOffset = start;
            request.scoredLength = request.prompt.size() - start;
        }
    }
    request.messageCount = messages->size();
    // No user message (a system prompt alone): score everything there is.
    if (!sawUser) {
        request.scoredOffset = 0;
        request.scoredLength = request.prompt.size();
    }

    if (auto extra = body.find("routeledger"); extra != body.end()) {
        if (!extra->is_object())
            return invalid("\"routeledger\" must be an object {team, user, app, tags, budget_used}");
        for (const char *key : {"team", "user", "app"}) {
            if (auto it = extra->find(key); it != extra->end()) {
                if (!it->is_string())
                    return invalid(std::string("routeledger.") + key + " must be a string");
                std::string &target = key[0] == 't' ? request.team : key[0] == 'u' ? request.user : request.app;
                target = it->get<std::string>();
            }
        }
        if (auto tags = extra->find("tags"); tags != extra->end()) {
            if (!tags->is_array())
                return invalid("routeledger.tags must be an array of strings");
            for (const json &tag : *tags) {
                if (!tag.is_string())
                    return invalid("routeledger.tags must be an array of strings");
                request.tags.push_back(tag.get<std::string>());
            }
        }
        if (auto used = extra->find("budget_used"); used != extra->end()) {
            if (!used->is_number() || used->get<double>() < 0)
                return invalid("routeledger.budget_used must be the fraction of the budget used, like 0.93");
            request.budgetUsed = used->get<double>();
        }
        // Known values that skip the estimators: simulations replaying recorded features, and tests.
        if (auto complexity = extra->find("complexity"); complexity != extra->end()) {
            if (!complexity->is_number() || complexity->get<double>() < 0 || complexity->get<double>() > 1)
                return invalid("routeledger.complexity must be a number between 0 and 1");
            request.complexity = complexity->get<double>();
        }
        if (auto tokens = extra->find("input_tokens"); tokens != extra->end()) {
            if (!tokens->is_number_integer() || tokens->get<std::int64_t>() < 0)
                return invalid("routeledger.input_tokens must be a whole number, 0 or more");
            request.inputTokens = tokens->get<std::int64_t>();
        }
        if (auto task = extra->find("task"); task != extra->end()) {
            std::optional<Task> known = task->is_string() ? taskFromName(task->get<std::string>()) : std::nullopt;
            if (!known)
                return invalid("routeledger.task must be one of: chat, code, math, extraction, summarize, translate, "
                               "creative, reasoning");
            request.task = known;
        }
        if (auto time = extra->find("time_ms"); time != extra->end()) {
            if (!time->is_number_integer())
                return invalid("routeledger.time_ms must be UTC milliseconds");
            request.timeMs = time->get<std::int64_t>();
        }
    }
    return request;
}

} // namespace rl
