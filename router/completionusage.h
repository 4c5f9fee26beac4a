#pragma once

#include "pricing/tokenusage.h"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string_view>

namespace rl {

// Reads an OpenAI `usage` object into RouteLedger's normalized tokens: OpenAI counts cached reads inside
// prompt_tokens and reasoning inside completion_tokens, so cached tokens are moved out of `input`.
std::optional<TokenUsage> readCompletionUsage(const nlohmann::json &usage);

// Finds the top-level "usage" object in a chat.completion body that is known to be valid JSON and reads
// it, without parsing the rest of the answer (which can be long). nullopt when there is none, or when
// it lacks whole, non-negative prompt_tokens and completion_tokens: the answer is then unmetered.
std::optional<TokenUsage> findCompletionUsage(std::string_view body);

} // namespace rl
