#pragma once

#include <cstdint>

namespace rl {

// The tokens of one request, in RouteLedger's normalized form (docs/USAGE.md):
// `input` excludes cached reads and cache writes; `output` includes `reasoning`.
struct TokenUsage {
    std::int64_t input = 0;
    std::int64_t cachedInput = 0; // cache reads
    std::int64_t cacheWrite = 0;  // cache creation
    std::int64_t output = 0;
    std::int64_t reasoning = 0; // the part of `output` spent on reasoning
};

// Prices in pico-USD (1e-12 USD) per token, so that even $0.05 per million tokens is a whole number
// (50,000). Costs are summed in pico-USD and rounded once to
// micro-USD (DESIGN.md: money is integer micro-USD).
struct TokenPrices {
    std::int64_t input = 0;
    std::int64_t cachedInput = 0;
    std::int64_t cacheWrite = 0;
    std::int64_t output = 0;
    std::int64_t reasoning = 0;

    bool operator==(const TokenPrices &) const = default;

    // Cost of `usage` in pico-USD.
    std::int64_t picoCost(const TokenUsage &usage) const
    {
        const std::int64_t plainOutput = usage.output > usage.reasoning ? usage.output - usage.reasoning : 0;
        return usage.input * input + usage.cachedInput * cachedInput + usage.cacheWrite * cacheWrite
               + plainOutput * output + usage.reasoning * reasoning;
    }
};

// Rounds pico-USD to micro-USD, half away from zero.
inline std::int64_t picoToMicro(std::int64_t pico)
{
    return pico >= 0 ? (pico + 500'000) / 1'000'000 : -((-pico + 500'000) / 1'000'000);
}

} // namespace rl
