#include "pricing/pricecatalog.h"

#include "boundedjson.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

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
    std::vector<std::pair<std::string, TokenPrices>> prefixed;

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
        std::int64_t pico[5] = {0, 0, 0, 0, 0};
        bool present[5] = {false, false, false, false, false};
        const char *fields[5] = {kInput, kOutput, kCacheRead, kCacheWrite, kReasoning};
        for (int f = 0; f < 5; ++f) {
            auto it = entry.find(fields[f]);
            if (it == entry.end() || it->is_null())
                continue;
            if (!it->is_number()) {
                load.errors.push_back(
                    {model, fields[f],
                     "expected a price in USD per token (a number), found " + std::string(it->type_name())});
                valid = false;
                continue;
            }
            const double usd = it->get<double>();
            if (!std::isfinite(usd) || usd < 0.0 || usd >= 1.0) {
                load.errors.push_back(
                    {model, fields[f], "expected a price in USD per token from 0 to 1, found " + it->dump()});
                valid = false;
                continue;
            }
            pico[f] = std::llround(usd * 1e12);
            present[f] = true;
        }
        if (!valid)
            continue;
        if (present[0] && !present[1] && inputOnlyMode(entry)) {
            present[1] = true; // embeddings and the like have no output tokens to price
            pico[1] = 0;
        }
        if (present[0] != present[1] && isTokenMode(entry)) {
            // Half a price: the other side must be priced some other way (per second, per image, …).
            const char *missing = present[0] ? kOutput : kInput;
            if (!hasKeyStartingWith(entry, present[0] ? "output_cost_per" : "input_cost_per")) {
                load.errors.push_back({model, missing,
                                       "missing; the model has " + std::string(present[0] ? kInput : kOutput)
                                           + " but no price for the other side"});
                continue;
            }
        }
        if (!present[0] || !present[1]) {
            if (isTokenMode(entry))
                load.unpricedModels.push_back(model);
            continue;
        }
        TokenPrices prices;
        prices.input = pico[0];
        prices.output = pico[1];
        prices.cachedInput = present[2] ? pico[2] : pico[0];
        prices.cacheWrite = present[3] ? pico[3] : pico[0];
        prices.reasoning = present[4] ? pico[4] : pico[1];
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
    auto it = m_prices.find(std::string(modelId));
    if (it == m_prices.end())
        return std::nullopt;
    return it->second;
}

} // namespace rl
