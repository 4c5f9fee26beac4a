#pragma once

#include "error.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace rl {

// What a source sent that cannot be read: the one place that writes `source.malformed`, so that every
// connector and reader names the same things (what was read, from which source and endpoint, the field and
// what it should have been) and the same fix. A reader makes one for its page and calls error() per problem.
class MalformedPage {
public:
    std::string report;   // what was read, as a user knows it: "OpenAI usage", "LiteLLM budgets"
    std::string source;   // the source's name
    std::string endpoint; // the path read ("/organization/costs"); empty when the reader cannot know it
    std::string service;  // what the source's URL should lead to: "the OpenAI API", "a routeledger-router"

    // `problem` names the field (or path) and what was expected there: "bucket 2: 'end_time' is missing or not
    // a whole number". Retryable: a page refused whole is read again at the next poll.
    Error error(std::string_view problem) const;
    // `body` as a JSON object, checked against kSourcePageLimits (boundedjson.h) before it is parsed; error()
    // when it is not one.
    Result<nlohmann::json> parseObject(std::string_view body) const;
};

} // namespace rl
