#include "pricing/pricecatalog.h"

#include "boundedjson.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

extern const char *const kBuiltInPriceCatalog; // generated from resources/pricing/

namespace rl {

using nlohmann::json;

namespace {

constexpr const char *kInput = "input_cost_per_token";
constexpr const char *kOutput = "output_cost_per_token";
constexpr const char *kCacheRead = "cache_read_input_token_cost";
constexpr const char *kCacheWrite = "cache_creation_input_token_cost";
constexpr const char *kReasoning = "output_cost_per_reasoning_token";

bool hasKeyStartingWith(const json &entry, std::string_view prefix)
{
    for (const auto &item : entry.items())
        if (std::string_view(item.key()).substr(0, prefix.size()) == prefix)
            return true;
    return false;
}

bool isTokenMode(const json &entry)
{
    auto mode = entry.find("mode");
    if (mode == entry.end() || !mode->is_string())
        return false;
    const std::string &m = mode->get_ref<const std::string &>();
    return m == "chat" || m == "completion" || m == "responses";
}

bool inputOnlyMode(const json &entry)
{
    auto mode = entry.find("mode");
    if (mode == entry.end() || !mode->is_string())
        return false;
    const std::string &m = mode->get_ref<const std::string &>();
    return m == "embedding" || m == "moderation" || m == "rerank";
}

} // namespace

std::shared_ptr<const PriceCatalog> PriceCatalog::builtIn()
{
    static const std::shared_ptr<const PriceCatalog> catalog = [] {
        CatalogLoad load = parse(kBuiltInPriceCatalog);
        return load.catalog ? load.catalog : std::make_shared<const PriceCatalog>();
    }();
    return catalog;
}

CatalogLoad PriceCatalog::parseFile(const std::string &path)
{
    Result<std::string> text = readTextFile(path, kMaxFileBytes);
    if (!text) {
        CatalogLoad load;
        load.errors.push_back({path, "", text.error().message});
        return load;
    }
    return parse(text.value());
}

CatalogLoad PriceCatalog::parse(std::string_view text)
{
    CatalogLoad load;
    if (auto shape = checkJsonShape(text, JsonLimits{}); !shape) {
        load.errors.push_back({"(file)", "", "the file has " + shape.error().message});
        return load;
    }
    json document = json::parse(text.begin(), text.end(), nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        load.errors.push_back({"(file)", "",
                               "not a JSON object keyed by model name, as LiteLLM's "
                               "model_prices_and_context_window.json is"});
        return load;
    }
    auto catalog = std::make_shared<PriceCatalog>();
    std::vector<std::pair<std::string, ModelPrices>> prefixed;

    for (const auto &item : document.items()) {
        const std::string &model = item.key();
        const json &entry = item.value();
        if (model == "sample_spec")
            continue; // documents the format; not a model
        if (!entry.is_object()) {
            load.errors.push_back({model, "", "expected an object of prices"});
            continue;
        }
        // Every price field we read must be a sane number of USD per token.
        bool valid = true;
        auto price = [&](const char *field) -> std::optional<std::int64_t> {
            auto it = entry.find(field);
            if (it == entry.end() || it->is_null())
                return std::nullopt;
            if (!it->is_number()) {
                load.errors.push_back(
                    {model, field,
                     "expected a price in USD per token (a number), found " + std::string(it->type_name())});
                valid = false;
                return std::nullopt;
            }
            const double usd = it->get<double>();
            if (!std::isfinite(usd) || usd < 0.0 || usd >= 1.0) {
                load.errors.push_back(
                    {model, field, "expected a price in USD per token from 0 to 1, found " + it->dump()});
                valid = false;
                return std::nullopt;
            }
            return std::llround(usd * 1e12);
        };
        std::optional<std::int64_t> input = price(kInput), output = price(kOutput), cacheRead = price(kCacheRead),
                                    cacheWrite = price(kCacheWrite), reasoning = price(kReasoning);
        // Variant rates, each as (input, output, cache read, cache write) field names.
        struct VariantFields {
            const char *input, *output, *cacheRead, *cacheWrite;
        };
        const VariantFields variantFields[4] = {
            {"input_cost_per_token_batches", "output_cost_per_token_batches", nullptr, nullptr},
            {"input_cost_per_token_flex", "output_cost_per_token_flex", "cache_read_input_token_cost_flex", nullptr},
            {"input_cost_per_token_priority", "output_cost_per_token_priority", "cache_read_input_token_cost_priority",
             nullptr},
            {"input_cost_per_token_above_200k_tokens", "output_cost_per_token_above_200k_tokens",
             "cache_read_input_token_cost_above_200k_tokens", "cache_creation_input_token_cost_above_200k_tokens"},
        };
        std::optional<std::int64_t> variant[4][4];
        for (int v = 0; v < 4; ++v) {
            const char *names[4] = {variantFields[v].input, variantFields[v].output, variantFields[v].cacheRead,
                                    variantFields[v].cacheWrite};
            for (int f = 0; f < 4; ++f)
                if (names[f])
                    variant[v][f] = price(names[f]);
        }
        const std::optional<std::int64_t> cacheWrite1h = price("cache_creation_input_token_cost_above_1hr");
        std::optional<std::int64_t> webSearch;
        if (auto search = entry.find("search_context_cost_per_query"); search != entry.end() && search->is_object()) {
            auto medium = search->find("search_context_size_medium");
            if (medium != search->end() && medium->is_number() && std::isfinite(medium->get<double>())
                && medium->get<double>() >= 0.0 && medium->get<double>() < 100.0)
                webSearch = std::llround(medium->get<double>() * 1e12);
        }
        if (!valid)
            continue;
        if (input && !output && inputOnlyMode(entry))
            output = 0; // embeddings and the like have no output tokens to price
        if (input.has_value() != output.has_value() && isTokenMode(entry)) {
            // Half a price: the other side must be priced some other way (per second, per image, …).
            const char *missing = input ? kOutput : kInput;
            if (!hasKeyStartingWith(entry, input ? "output_cost_per" : "input_cost_per")) {
                load.errors.push_back({model, missing,
                                       "missing; the model has " + std::string(input ? kInput : kOutput)
                                           + " but no price for the other side"});
                continue;
            }
        }
        if (!input || !output) {
            if (isTokenMode(entry))
                load.unpricedModels.push_back(model);
            continue;
        }
        ModelPrices prices;
        TokenPrices &standard = prices.standard;
        standard.input = *input;
        standard.output = *output;
        standard.cachedInput = cacheRead.value_or(*input);
        standard.cacheWrite = cacheWrite.value_or(*input);
        standard.reasoning = reasoning.value_or(*output);
        std::optional<TokenPrices> *targets[4] = {&prices.batch, &prices.flex, &prices.priority, &prices.longContext};
        for (int v = 0; v < 4; ++v) {
            if (!variant[v][0] || !variant[v][1])
                continue;
            // A cache price the variant does not list moves with its input price (batch: half of each).
            auto scaled = [&](std::int64_t standardPrice) {
                return standard.input == 0 ? standardPrice
                                           : static_cast<std::int64_t>(static_cast<long double>(standardPrice)
                                                                       * *variant[v][0] / standard.input);
            };
            TokenPrices t;
            t.input = *variant[v][0];
            t.output = *variant[v][1];
            t.cachedInput = variant[v][2].value_or(scaled(standard.cachedInput));
            t.cacheWrite = variant[v][3].value_or(scaled(standard.cacheWrite));
            t.reasoning = t.output;
            *targets[v] = t;
        }
        prices.cacheWrite1h = cacheWrite1h.value_or(0);
        prices.webSearch = webSearch.value_or(0);
        catalog->m_prices.emplace(model, prices);
        auto provider = entry.find("litellm_provider");
        if (model.find('/') == std::string::npos && provider != entry.end() && provider->is_string())
            prefixed.emplace_back(provider->get<std::string>() + "/" + model, prices);
    }
    // Keys that already carry a provider win over ones made from litellm_provider.
    for (auto &[id, prices] : prefixed)
        catalog->m_prices.emplace(std::move(id), prices);
    if (load.errors.empty())
        load.catalog = std::move(catalog);
    return load;
}

std::optional<TokenPrices> PriceCatalog::prices(std::string_view modelId) const
{
    const ModelPrices *found = modelPrices(modelId);
    if (!found)
        return std::nullopt;
    return found->standard;
}

std::vector<std::string> PriceCatalog::modelIds() const
{
    std::vector<std::string> ids;
    for (const auto &[id, prices] : m_prices)
        if (id.find('/') != std::string::npos && (prices.standard.input > 0 || prices.standard.output > 0))
            ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

const ModelPrices *PriceCatalog::modelPrices(std::string_view modelId) const
{
    auto it = m_prices.find(modelId);
    return it == m_prices.end() ? nullptr : &it->second;
}

} // namespace rl
