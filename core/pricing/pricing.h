#pragma once

#include "pricing/pricecatalog.h"
#include "pricing/priceterms.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

// A price a company negotiated or corrected for one model, from a moment on.
struct PriceOverride {
    std::string model; // provider/name
    TokenPrices prices;
    std::int64_t effectiveFromMs = 0;
};

// A percentage off everything a provider charges, from a moment on (negotiated discounts).
struct ProviderDiscount {
    std::string provider;
    std::int32_t basisPoints = 0; // 1,250 = 12.5 % off
    std::int64_t effectiveFromMs = 0;
};

struct Cost {
    std::int64_t microUsd = 0;
    bool unpriced = false; // no price known for the model at that time: counted, never a silent $0
};

// Catalog prices, overridden per model and discounted per provider, each as of the request's time, so
// that past usage keeps the price it had when it happened.
class Pricing {
public:
    explicit Pricing(std::shared_ptr<const PriceCatalog> catalog = nullptr);

    void addOverride(PriceOverride priceOverride);
    void addDiscount(ProviderDiscount discount);

    std::optional<TokenPrices> pricesAt(std::string_view model, std::int64_t timeMs) const;
    std::int32_t discountAt(std::string_view provider, std::int64_t timeMs) const;
    // With `terms`: the catalog's batch, flex, priority and long-context rates where it lists them; else
    // batch and flex at half the standard rates and priority at the standard rates (so an override, which
    // sets standard prices, carries over). 1-hour cache writes at the catalog's rate, else twice the input
    // price (Anthropic's rule); web searches at the catalog's per-search price, else free.
    Cost cost(std::string_view model, const TokenUsage &usage, std::int64_t timeMs, const PriceTerms &terms = {}) const;

    const std::shared_ptr<const PriceCatalog> &catalog() const { return m_catalog; }

private:
    std::shared_ptr<const PriceCatalog> m_catalog;
    std::map<std::string, std::vector<PriceOverride>, std::less<>> m_overrides;    // each sorted by time
    std::map<std::string, std::vector<ProviderDiscount>, std::less<>> m_discounts; // each sorted by time
};

} // namespace rl
