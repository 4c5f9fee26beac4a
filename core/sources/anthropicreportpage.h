#pragma once

#include "error.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rl {

// One page of an Anthropic Admin API report (gateway-apis.md §3: usage_report/messages, cost_report):
// `{"data": [{"starting_at", "ending_at", "results": [...]}], "has_more", "next_page"}`, with RFC 3339
// bucket times. Checks the envelope; the connectors read the results.
class AnthropicReportPage {
public:
    struct Bucket {
        std::int64_t startMs = 0;
        std::int64_t endMs = 0;
        std::size_t index = 0; // in data[]
    };

    nlohmann::json document;
    std::vector<Bucket> buckets;
    bool hasMore = false;
    std::string nextPage;
    std::int64_t latestEndMs = 0;

    const nlohmann::json &results(const Bucket &bucket) const { return document["data"][bucket.index]["results"]; }

    // `report` names the report in messages ("Anthropic usage", "Anthropic costs").
    static Result<AnthropicReportPage> read(std::string_view body, const std::string &report,
                                            const std::string &sourceName);
    static Error malformed(const std::string &report, const std::string &sourceName, const std::string &what);
    // The headers every Admin API call carries.
    static std::vector<std::pair<std::string, std::string>> headers(const std::string &adminKey);
};

} // namespace rl
