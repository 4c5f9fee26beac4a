#pragma once

#include "error.h"
#include "pricing/tokenusage.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rl {

struct CatalogIssue {
    std::string model;
    std::string field;
    std::string message;
    std::string line() const { return model + (field.empty() ? "" : ": " + field) + ": " + message; }
};

class PriceCatalog;

// Everything the catalog says about one model's price. The variants are the catalog's own rates for
// batch, flex and priority tokens and for requests beyond 200k input tokens, where it lists them.
struct ModelPrices {
    TokenPrices standard;
    std::optional<TokenPrices> batch, flex, priority, longContext;
    std::int64_t cacheWrite1h = 0; // pico-USD per token written to the 1-hour cache; 0: not listed
    std::int64_t webSearch = 0;    // pico-USD per server-side web search; 0: not listed

    bool operator==(const ModelPrices &) const = default;
};

struct CatalogLoad {
    std::shared_ptr<const PriceCatalog> catalog; // null when there are errors: nothing is half-imported
    std::vector<CatalogIssue> errors;
    std::vector<std::string> unpricedModels; // chat models the file lists without any token price

    bool ok() const { return catalog != nullptr; }
};

// Token prices from a file in LiteLLM's model_prices_and_context_window.json format (resources/pricing/).
// Models are looked up as RouteLedger ids, `provider/name`: "openai/gpt-5" finds LiteLLM's "gpt-5" whose
// litellm_provider is "openai", and keys that already carry a provider ("deepseek/deepseek-chat") match as
// they are.
class PriceCatalog {
public:
    static constexpr std::size_t kMaxFileBytes = 64u << 20;

    static CatalogLoad parse(std::string_view json);
    static CatalogLoad parseFile(const std::string &path);
    // The catalog shipped in resources/pricing/, compiled in.
    static std::shared_ptr<const PriceCatalog> builtIn();

    // The standard prices of a model, or nullopt when the catalog does not price it per token.
    std::optional<TokenPrices> prices(std::string_view modelId) const;
    // With the variants (batch, flex, priority, long context, 1-hour cache writes, web search).
    const ModelPrices *modelPrices(std::string_view modelId) const;
    std::size_t size() const { return m_prices.size(); }
    // Every `provider/name` id the catalog prices per token, sorted (the studio's model picker).
    std::vector<std::string> modelIds() const;

private:
    // Looked up by string_view without building a std::string: the router prices every request two or three times.
    struct IdHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view id) const noexcept { return std::hash<std::string_view>{}(id); }
    };
    std::unordered_map<std::string, ModelPrices, IdHash, std::equal_to<>> m_prices;
};

} // namespace rl
