#pragma once

#include <cstdint>
#include <string>

namespace rl {

// A configured source as the Sources page edits it and the scheduler polls it. No secret: a source's
// credential lives in the OS keychain under the source's name.
struct SourceSettings {
    std::string name;             // unique; also names the source's rows and cursors in the store
    std::string kind;             // SourceKinds: "router", "litellm", "openai", "anthropic", "openrouter"
    std::string baseUrl;          // e.g. https://api.openai.com/v1
    std::int64_t intervalS = 300; // between polls
    bool paused = false;
    std::string options = "{}"; // kind-specific options, a JSON object
    std::int64_t createdMs = 0;
    // Whether its usage counts in the dashboard's spend. Off when another source already reports the same
    // traffic (a router in front of the OpenAI org whose usage API is also read): counted once, compared
    // on the Reconciliation page.
    bool inSpend = true;
};

} // namespace rl
