// Feeds arbitrary bytes to the router's chat request path, as a client could send them: header lines,
// a blank line, then the body. Whatever happens must end in a refusal with an error code, or in a request
// that routes and whose upstream body is valid UTF-8 JSON that parses back to an object; never a crash,
// unbounded recursion or an exception.
#include "chatrequest.h"
#include "clientidentifier.h"
#include "digest.h"
#include "httptext.h"
#include "routerconfig.h"
#include "routing/policyparser.h"
#include "routing/routingengine.h"

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace {

const char *const kPolicy = R"({"schema": "routeledger.policy/v1", "name": "fuzz", "version": 1,
  "tiers": [{"name": "frontier", "models": ["a/big"]}, {"name": "mid", "models": ["a/mid"]},
            {"name": "light", "models": ["a/small"]}],
  "default_tier": "mid",
  "rules": [{"id": "secrets", "when": {"prompt": {"matches": "(?i)BEGIN (RSA )?PRIVATE KEY"}}, "then": {"block": "no"}},
            {"id": "legal", "when": {"team": {"in": ["legal"]}}, "then": {"tier": "frontier"}},
            {"id": "easy", "when": {"all": [{"complexity": {"lt": 0.35}}, {"input_tokens": {"lte": 4000}}]},
             "then": {"tier": "light"}},
            {"id": "tools", "when": {"has_tools": {"eq": true}}, "then": {"tier": "frontier"}}]})";

struct Setup {
    rl::RouterConfig withKeys, open;
    std::unique_ptr<rl::ClientIdentifier> keyed, trusting;
    std::shared_ptr<const rl::Policy> policy;
    rl::RoutingEngine engine;
    Setup()
    {
        withKeys.requireClientKey = true;
        withKeys.clients.push_back({rl::sha256Hex("sk-legal"), "legal", "ana", "contracts", {"prod"}});
        open.trustIdentityHeaders = true;
        keyed = std::make_unique<rl::ClientIdentifier>(withKeys);
        trusting = std::make_unique<rl::ClientIdentifier>(open);
        policy = rl::PolicyParser::parse(kPolicy).policy;
        if (!policy)
            std::abort();
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static Setup setup;
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    const std::size_t split = input.find("\n\n");
    const std::string_view head = split == std::string_view::npos ? std::string_view() : input.substr(0, split);
    const std::string_view body = split == std::string_view::npos ? input : input.substr(split + 2);

    std::map<std::string, std::string, std::less<>> headers;
    for (std::string_view rest = head; !rest.empty();) {
        const std::size_t end = rest.find('\n');
        const std::string_view line = rest.substr(0, end);
        if (const std::size_t colon = line.find(':'); colon != std::string_view::npos)
            headers[std::string(line.substr(0, colon))] = std::string(rl::trimmedValue(line.substr(colon + 1)));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
    auto lookup = [&](std::string_view name) -> std::string_view {
        auto it = headers.find(name);
        return it == headers.end() ? std::string_view() : std::string_view(it->second);
    };

    for (const rl::ClientIdentifier *identifier : {setup.keyed.get(), setup.trusting.get()}) {
        auto who = identifier->identify(lookup);
        if (!who) {
            if (who.error().code.empty())
                std::abort();
            continue;
        }
        const std::string contentType = headers.count("Content-Type") ? headers["Content-Type"] : "application/json";
        auto chat = rl::ChatRequest::read(contentType, body, who.value(), 1'764'547'200'000);
        if (!chat) {
            if (chat.error().code.empty() || chat.error().message.empty())
                std::abort();
            continue;
        }
        const rl::Decision decision = setup.engine.decide(setup.policy, chat.value().route);
        if (!decision.blocked && decision.model.empty())
            std::abort();
        const std::string upstream = chat.value().upstreamBody("mid");
        const nlohmann::json again = nlohmann::json::parse(upstream, nullptr, false);
        if (again.is_discarded() || !again.is_object() || again.contains("routeledger") || again["model"] != "mid")
            std::abort();
    }
    return 0;
}
