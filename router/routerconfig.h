#pragma once

#include "error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rl {

// One upstream provider: an OpenAI-compatible base URL and the models it serves (`provider/name` ids).
struct ProviderConfig {
    std::string name;
    std::string baseUrl;   // http:// or https://, with the path prefix, e.g. https://api.openai.com/v1
    std::string apiKeyEnv; // empty: no Authorization header upstream
    std::string apiKey;    // read from apiKeyEnv at load time; never logged or stored
    std::vector<std::string> models;
    std::string caFile; // extra CA bundle for TLS verification (self-hosted gateways); empty: system CAs
};

// A client API key, by its SHA-256, and who it stands for.
struct ClientConfig {
    std::string keySha256; // 64 lowercase hex digits
    std::string team, user, app;
    std::vector<std::string> tags;
};

struct BreakerConfig {
    int failureThreshold = 5;     // consecutive failures that open the breaker
    std::int64_t openMs = 30'000; // how long it stays open before one half-open probe
};

// Escalation detection (EscalationDetector): how long a prompt is remembered per user and app, and how many
// prompts at most (memory stays bounded; the oldest are forgotten first). A window of 0 turns detection off.
struct EscalationConfig {
    std::int64_t windowS = 300;
    std::int64_t maxEntries = 100'000;
};

// routeledger-router's configuration (DESIGN.md §3.4): one JSON file, paths relative to it. Unknown keys
// are errors, so a typo never silently falls back to a default.
struct RouterConfig {
    std::string listenHost = "127.0.0.1";
    std::uint16_t listenPort = 8080;
    std::string adminTokenEnv = "ROUTELEDGER_ADMIN_TOKEN";
    std::string adminToken; // from adminTokenEnv; empty: the admin API answers 401 to everyone
    std::string policyFile;
    std::string ledgerPath;
    std::string priceCatalogFile; // empty: the built-in catalog
    bool trustIdentityHeaders = false;
    bool requireClientKey = false; // default: true when `clients` is not empty
    std::size_t maxBodyBytes = 4u << 20;
    std::size_t maxHeaderBytes = 16u << 10;
    // Client connections open at once; one more is answered 503 and closed (counted in /metrics).
    std::int64_t maxConnections = 4096;
    int threads = 0;                           // 0: one per core
    std::int64_t clientTimeoutMs = 30'000;     // to receive a whole request; also the keep-alive idle limit
    std::int64_t connectTimeoutMs = 5'000;     // upstream TCP (+TLS) connect
    std::int64_t firstByteTimeoutMs = 120'000; // upstream response headers (a non-streamed answer is all of it)
    std::int64_t idleTimeoutMs = 60'000;       // upstream silence between streamed chunks
    std::int64_t groupCommitMs = 50;           // ledger group-commit window
    std::int64_t shutdownGraceMs = 10'000;     // SIGTERM: time for in-flight requests to finish
    BreakerConfig breaker;
    EscalationConfig escalation;
    std::vector<ProviderConfig> providers;
    std::vector<ClientConfig> clients;
    std::string configDir; // folder of the config file, for relative paths

    // Reads and checks the file, listing every problem ("key: message") in one Error.
    static Result<RouterConfig> load(const std::string &path);
    static Result<RouterConfig> parse(std::string_view text, const std::string &configDir);
    // The provider serving `modelId` (`provider/name`), or nullptr.
    const ProviderConfig *providerFor(std::string_view modelId) const;
};

} // namespace rl
