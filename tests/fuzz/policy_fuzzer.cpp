// Feeds arbitrary bytes to the policy parser. Whatever it accepts must serialize, parse again to the same
// text, and route a request without crashing; whatever it refuses must come with at least one error.
#include "routing/policyparser.h"
#include "routing/policywriter.h"
#include "routing/routingengine.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const rl::PolicyLoad load = rl::PolicyParser::parse(text);
    if (!load.ok()) {
        if (load.errors.empty())
            std::abort();
        return 0;
    }
    const std::string written = rl::PolicyWriter::toText(*load.policy);
    const rl::PolicyLoad again = rl::PolicyParser::parse(written);
    if (!again.ok() || rl::PolicyWriter::toText(*again.policy) != written)
        std::abort();

    rl::RouteRequest request;
    request.team = "legal";
    request.tags = {"batch"};
    request.prompt = text.substr(0, 256);
    request.scoredLength = request.prompt.size();
    request.budgetUsed = 0.95;
    const rl::Decision decision = rl::RoutingEngine().decide(load.policy, request);
    if (!decision.blocked && decision.model.empty())
        std::abort();
    return 0;
}
