#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rl {

// How a provider sold the tokens: batch and flex are cheaper than standard, priority dearer.
enum class ServiceTier { Standard, Batch, Flex, Priority };

// What besides the token counts changes a usage row's price (gateway-apis.md §9): the service tier, a
// long-context request (Anthropic's "200k-1M" window, priced at the catalog's above-200k rates), 1-hour
// cache writes and server-side web searches billed per call.
struct PriceTerms {
    ServiceTier tier = ServiceTier::Standard;
    bool longContext = false;
    std::int64_t cacheWrite1h = 0; // of TokenUsage::cacheWrite, written to the 1-hour cache
    std::int64_t webSearches = 0;

    bool standard() const { return tier == ServiceTier::Standard && !longContext && !cacheWrite1h && !webSearches; }

    // The part of a bucket's key that keeps rows sold on different terms apart: "" for standard tokens,
    // else e.g. "batch" or "priority, 200k-1M". Web searches and 1-hour writes are counts, not terms.
    std::string key() const
    {
        std::string out;
        switch (tier) {
        case ServiceTier::Standard: break;
        case ServiceTier::Batch: out = "batch"; break;
        case ServiceTier::Flex: out = "flex"; break;
        case ServiceTier::Priority: out = "priority"; break;
        }
        if (longContext)
            out += out.empty() ? "200k-1M" : ", 200k-1M";
        return out;
    }

    // A provider's tier name ("batch", "flex", "priority"; OpenAI's "default"/"auto"/"scale" and
    // Anthropic's "standard" are standard prices).
    static ServiceTier tierNamed(std::string_view name)
    {
        if (name == "batch")
            return ServiceTier::Batch;
        if (name == "flex")
            return ServiceTier::Flex;
        if (name == "priority")
            return ServiceTier::Priority;
        return ServiceTier::Standard;
    }
};

} // namespace rl
