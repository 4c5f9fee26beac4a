#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace rl {

// The light task label that comes with a complexity score (DESIGN.md §3.2).
enum class Task : unsigned char { Chat, Code, Math, Extraction, Summarize, Translate, Creative, Reasoning };

inline constexpr std::array<std::string_view, 8> kTaskNames = {"chat",      "code",      "math",     "extraction",
                                                               "summarize", "translate", "creative", "reasoning"};

constexpr std::string_view taskName(Task task)
{
    return kTaskNames[static_cast<std::size_t>(task)];
}

constexpr std::optional<Task> taskFromName(std::string_view name)
{
    for (std::size_t i = 0; i < kTaskNames.size(); ++i)
        if (kTaskNames[i] == name)
            return static_cast<Task>(i);
    return std::nullopt;
}

} // namespace rl
