#include "sources/sourcecredential.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace rl {

std::optional<std::string> SourceCredential::environmentVariable(const SourceSettings &settings)
{
    const nlohmann::json options =
        nlohmann::json::parse(settings.options.empty() ? std::string("{}") : settings.options, nullptr, false);
    if (!options.is_object())
        return std::nullopt;
    auto it = options.find(kOption);
    if (it == options.end() || !it->is_string())
        return std::nullopt;
    return it->get<std::string>();
}

bool SourceCredential::isVariableName(std::string_view name)
{
    if (name.empty() || (name[0] >= '0' && name[0] <= '9'))
        return false;
    for (char c : name)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    return true;
}

Result<std::string> SourceCredential::fromEnvironment(const SourceSettings &settings)
{
    const std::optional<std::string> variable = environmentVariable(settings);
    if (!variable || !isVariableName(*variable))
        return Error{"source.key_env_invalid",
                     "source \"" + settings.name
                         + "\" names no valid environment variable for its key; remove it and add it again with "
                           "--key-env VAR",
                     false};
    const char *value = std::getenv(variable->c_str());
    if (!value || !*value)
        return Error{"source.key_env_unset",
                     "the environment variable " + *variable + (value ? " is empty" : " is not set")
                         + "; export it with the key of \"" + settings.name
                         + "\" before polling, or remove the source and add it again without --key-env to read "
                           "its key from the keychain",
                     false};
    return std::string(value);
}

std::string SourceCredential::origin(const SourceSettings &settings)
{
    const std::optional<std::string> variable = environmentVariable(settings);
    return variable ? "env:" + *variable : std::string("keychain");
}

} // namespace rl
