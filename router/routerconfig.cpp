#include "routerconfig.h"

#include "boundedjson.h"

#include "textfile.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <string_view>

namespace rl {

namespace {

using nlohmann::json;

class ConfigReader {
public:
    std::vector<std::string> problems;

    void problem(const std::string &key, const std::string &message) { problems.push_back(key + ": " + message); }

    void checkKeys(const json &object, const std::string &path, std::initializer_list<std::string_view> allowed)
    {
        for (auto it = object.begin(); it != object.end(); ++it) {
            bool known = false;
            for (std::string_view key : allowed)
                known = known || key == it.key();
            if (!known)
                problem(path + it.key(), "unknown key (allowed: " + joined(allowed) + ")");
        }
    }

    bool string(const json &object, const char *key, const std::string &path, std::string &out, bool required)
    {
        auto it = object.find(key);
        if (it == object.end()) {
            if (required)
                problem(path + key, "missing; it is required");
            return false;
        }
        if (!it->is_string() || (required && it->get_ref<const std::string &>().empty())) {
            problem(path + key, "must be a non-empty string");
            return false;
        }
        out = it->get<std::string>();
        return true;
    }

    template <typename T>
    void integer(const json &object, const char *key, const std::string &path, T &out, std::int64_t min,
                 std::int64_t max)
    {
        auto it = object.find(key);
        if (it == object.end())
            return;
        if (!it->is_number_integer() || it->get<std::int64_t>() < min || it->get<std::int64_t>() > max) {
            problem(path + key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
            return;
        }
        out = static_cast<T>(it->get<std::int64_t>());
    }

    void boolean(const json &object, const char *key, const std::string &path, bool &out)
    {
        auto it = object.find(key);
        if (it == object.end())
            return;
        if (!it->is_boolean()) {
            problem(path + key, "must be true or false");
            return;
        }
        out = it->get<bool>();
    }

    std::vector<std::string> strings(const json &object, const char *key, const std::string &path)
    {
        std::vector<std::string> out;
        auto it = object.find(key);
        if (it == object.end())
            return out;
        if (!it->is_array()) {
            problem(path + key, "must be a list of strings");
            return out;
        }
        for (const json &value : *it) {
            if (!value.is_string() || value.get_ref<const std::string &>().empty())
                problem(path + key, "must be a list of non-empty strings");
            else
                out.push_back(value.get<std::string>());
        }
        return out;
    }

private:
    static std::string joined(std::initializer_list<std::string_view> keys)
    {
        std::string out;
        for (std::string_view key : keys) {
            if (!out.empty())
                out += ", ";
            out += key;
        }
        return out;
    }
};

std::string resolvePath(const std::string &configDir, const std::string &path)
{
    if (path.empty() || std::filesystem::path(path).is_absolute())
        return path;
    return (std::filesystem::path(configDir) / path).lexically_normal().string();
}

bool isLowerHex64(std::string_view text)
{
    if (text.size() != 64)
        return false;
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

} // namespace

Result<RouterConfig> RouterConfig::load(const std::string &path)
{
    auto text = readTextFile(path, 4u << 20);
    if (!text)
        return Error{"config.unreadable", "Cannot read the router config " + path + ": " + text.error().message, false};
    std::string dir = std::filesystem::absolute(std::filesystem::path(path)).parent_path().string();
    auto config = parse(text.value(), dir);
    if (!config)
        return Error{config.error().code, "The router config " + path + " has problems:\n" + config.error().message,
                     false};
    return config;
}

Result<RouterConfig> RouterConfig::parse(std::string_view text, const std::string &configDir)
{
    if (auto shape = checkJsonShape(text, JsonLimits{}); !shape)
        return Error{"config.invalid", "  the file has " + shape.error().message, false};
    json document = json::parse(text.begin(), text.end(), nullptr, false);
    if (document.is_discarded() || !document.is_object())
        return Error{"config.invalid", "  the file is not a JSON object; see the example in resources/router/", false};

    ConfigReader reader;
    RouterConfig config;
    config.configDir = configDir;
    reader.checkKeys(document, "",
                     {"listen", "admin_token_env", "policy_file", "ledger", "price_catalog", "trust_identity_headers",
                      "require_client_key", "max_body_bytes", "max_header_bytes", "max_connections", "threads",
                      "timeouts", "group_commit_ms", "shutdown_grace_ms", "breaker", "escalation", "providers",
                      "clients"});

    std::string listen;
    if (reader.string(document, "listen", "", listen, false)) {
        auto colon = listen.rfind(':');
        int port = -1;
        if (colon != std::string::npos && colon + 1 < listen.size() && colon + 6 >= listen.size()) {
            port = 0;
            for (char c : listen.substr(colon + 1))
                port = (c >= '0' && c <= '9' && port >= 0) ? port * 10 + (c - '0') : -1;
        }
        if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535)
            reader.problem("listen", "must be HOST:PORT, e.g. 127.0.0.1:8080 (port 0 picks a free one)");
        else {
            config.listenHost = listen.substr(0, colon);
            if (config.listenHost.size() > 2 && config.listenHost.front() == '[' && config.listenHost.back() == ']')
                config.listenHost = config.listenHost.substr(1, config.listenHost.size() - 2);
            config.listenPort = static_cast<std::uint16_t>(port);
        }
    }
    reader.string(document, "admin_token_env", "", config.adminTokenEnv, false);
    if (!config.adminTokenEnv.empty()) {
        if (const char *token = std::getenv(config.adminTokenEnv.c_str()))
            config.adminToken = token;
    }
    if (reader.string(document, "policy_file", "", config.policyFile, true))
        config.policyFile = resolvePath(configDir, config.policyFile);
    if (reader.string(document, "ledger", "", config.ledgerPath, true))
        config.ledgerPath = resolvePath(configDir, config.ledgerPath);
    if (reader.string(document, "price_catalog", "", config.priceCatalogFile, false))
        config.priceCatalogFile = resolvePath(configDir, config.priceCatalogFile);
    reader.boolean(document, "trust_identity_headers", "", config.trustIdentityHeaders);
    reader.integer(document, "max_body_bytes", "", config.maxBodyBytes, 1024, std::int64_t(1) << 30);
    reader.integer(document, "max_header_bytes", "", config.maxHeaderBytes, 1024, 1 << 20);
    reader.integer(document, "max_connections", "", config.maxConnections, 1, 1'000'000);
    reader.integer(document, "threads", "", config.threads, 0, 256);
    reader.integer(document, "group_commit_ms", "", config.groupCommitMs, 1, 10'000);
    reader.integer(document, "shutdown_grace_ms", "", config.shutdownGraceMs, 0, 3'600'000);

    if (auto it = document.find("timeouts"); it != document.end()) {
        if (!it->is_object())
            reader.problem("timeouts", "must be an object");
        else {
            reader.checkKeys(*it, "timeouts/", {"client_ms", "connect_ms", "first_byte_ms", "idle_ms"});
            reader.integer(*it, "client_ms", "timeouts/", config.clientTimeoutMs, 100, 3'600'000);
            reader.integer(*it, "connect_ms", "timeouts/", config.connectTimeoutMs, 10, 600'000);
            reader.integer(*it, "first_byte_ms", "timeouts/", config.firstByteTimeoutMs, 10, 3'600'000);
            reader.integer(*it, "idle_ms", "timeouts/", config.idleTimeoutMs, 10, 3'600'000);
        }
    }
    if (auto it = document.find("breaker"); it != document.end()) {
        if (!it->is_object())
            reader.problem("breaker", "must be an object");
        else {
            reader.checkKeys(*it, "breaker/", {"failure_threshold", "open_ms"});
            reader.integer(*it, "failure_threshold", "breaker/", config.breaker.failureThreshold, 1, 1000);
            reader.integer(*it, "open_ms", "breaker/", config.breaker.openMs, 1, 3'600'000);
        }
    }

    if (auto it = document.find("escalation"); it != document.end()) {
        if (!it->is_object())
            reader.problem("escalation", "must be an object, e.g. {\"window_s\": 300, \"max_entries\": 100000}");
        else {
            reader.checkKeys(*it, "escalation/", {"window_s", "max_entries"});
            reader.integer(*it, "window_s", "escalation/", config.escalation.windowS, 0, 86'400);
            reader.integer(*it, "max_entries", "escalation/", config.escalation.maxEntries, 1, 10'000'000);
        }
    }

    auto providers = document.find("providers");
    if (providers == document.end() || !providers->is_array() || providers->empty())
        reader.problem("providers", "must list at least one provider ({\"name\", \"base_url\", \"models\"})");
    else {
        for (std::size_t i = 0; i < providers->size(); ++i) {
            const json &entry = (*providers)[i];
            std::string path = "providers/" + std::to_string(i) + "/";
            if (!entry.is_object()) {
                reader.problem(path, "must be an object");
                continue;
            }
            reader.checkKeys(entry, path, {"name", "base_url", "api_key_env", "models", "ca_file"});
            ProviderConfig provider;
            reader.string(entry, "name", path, provider.name, true);
            if (provider.name.find('/') != std::string::npos)
                reader.problem(path + "name", "must not contain '/' (model ids are provider/name)");
            for (const ProviderConfig &other : config.providers) {
                if (other.name == provider.name)
                    reader.problem(path + "name", "'" + provider.name + "' is configured twice");
            }
            if (reader.string(entry, "base_url", path, provider.baseUrl, true)
                && provider.baseUrl.rfind("http://", 0) != 0 && provider.baseUrl.rfind("https://", 0) != 0)
                reader.problem(path + "base_url", "must start with http:// or https://");
            if (reader.string(entry, "api_key_env", path, provider.apiKeyEnv, false)) {
                const char *key = std::getenv(provider.apiKeyEnv.c_str());
                if (key == nullptr || *key == '\0')
                    reader.problem(path + "api_key_env", "the environment variable " + provider.apiKeyEnv
                                                             + " is not set; export the provider's API key in it");
                else
                    provider.apiKey = key;
            }
            if (reader.string(entry, "ca_file", path, provider.caFile, false))
                provider.caFile = resolvePath(configDir, provider.caFile);
            provider.models = reader.strings(entry, "models", path);
            for (const std::string &model : provider.models) {
                if (model.rfind(provider.name + "/", 0) != 0 || model.size() == provider.name.size() + 1)
                    reader.problem(path + "models",
                                   "'" + model + "' must be written " + provider.name + "/<model name>");
            }
            config.providers.push_back(std::move(provider));
        }
    }

    if (auto clients = document.find("clients"); clients != document.end()) {
        if (!clients->is_array())
            reader.problem("clients", "must be a list");
        else {
            for (std::size_t i = 0; i < clients->size(); ++i) {
                const json &entry = (*clients)[i];
                std::string path = "clients/" + std::to_string(i) + "/";
                if (!entry.is_object()) {
                    reader.problem(path, "must be an object");
                    continue;
                }
                reader.checkKeys(entry, path, {"key_sha256", "team", "user", "app", "tags"});
                ClientConfig client;
                if (reader.string(entry, "key_sha256", path, client.keySha256, true) && !isLowerHex64(client.keySha256))
                    reader.problem(path + "key_sha256", "must be 64 lowercase hex digits: the SHA-256 of the key "
                                                        "(printf %s \"$KEY\" | sha256sum)");
                reader.string(entry, "team", path, client.team, false);
                reader.string(entry, "user", path, client.user, false);
                reader.string(entry, "app", path, client.app, false);
                client.tags = reader.strings(entry, "tags", path);
                config.clients.push_back(std::move(client));
            }
        }
    }
    config.requireClientKey = !config.clients.empty();
    reader.boolean(document, "require_client_key", "", config.requireClientKey);

    if (!reader.problems.empty()) {
        std::string message;
        for (const std::string &line : reader.problems)
            message += "  " + line + "\n";
        message.pop_back();
        return Error{"config.invalid", message, false};
    }
    return config;
}

const ProviderConfig *RouterConfig::providerFor(std::string_view modelId) const
{
    auto slash = modelId.find('/');
    if (slash == std::string_view::npos)
        return nullptr;
    std::string_view name = modelId.substr(0, slash);
    for (const ProviderConfig &provider : providers) {
        if (provider.name == name)
            return &provider;
    }
    return nullptr;
}

} // namespace rl
