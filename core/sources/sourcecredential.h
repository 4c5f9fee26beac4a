#pragma once

#include "error.h"
#include "store/sourcesettings.h"

#include <optional>
#include <string>
#include <string_view>

namespace rl {

// Where a source's key comes from. By default, the OS keychain entry under the source's name (the app's
// Sources page saves it there). With the option "key_env" (`routeledger sources add --key-env VAR`), the
// environment variable of that name, read each time the source is polled, so servers without a keychain
// can poll too. Either way the key itself is never stored.
class SourceCredential {
public:
    static constexpr const char *kOption = "key_env";

    // The variable named in the source's options; nullopt when the key is in the keychain.
    static std::optional<std::string> environmentVariable(const SourceSettings &settings);
    // Letters, digits and '_', not starting with a digit: a name every shell can export.
    static bool isVariableName(std::string_view name);
    // The key from the source's variable: `source.key_env_unset` naming the variable and the fix when it
    // is unset or empty.
    static Result<std::string> fromEnvironment(const SourceSettings &settings);
    // "env:VAR" or "keychain".
    static std::string origin(const SourceSettings &settings);
};

} // namespace rl
