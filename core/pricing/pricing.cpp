#include "pricing/pricing.h"

#include <algorithm>

namespace rl {

namespace {

// The last entry of a time-sorted list that is in effect at `timeMs`, or nullptr.
template <typename T>
const T *inEffect(const std::vector<T> &entries, std::int64_t timeMs)
{
    auto after = std::upper_bound(entries.begin(), entries.end(), timeMs,
                                  [](std::int64_t t, const T &entry) { return t < entry.effectiveFromMs; });
    return after == entries.begin() ? nullptr : &*(after - 1);
}

template <typename T>
void insertSorted(std::vector<T> &entries, T entry)
{
    auto at = std::upper_bound(entries.begin(), entries.end(), entry.effectiveFromMs,
                               [](std::int64_t t, const T &e) { return t < e.effectiveFromMs; });
    entries.insert(at, std::move(entry));
}

std::string_view providerOf(std::string_view model)
{
    const auto slash = model.find('/');
    return slash == std::string_view::npos ? std::string_view() : model.substr(0, slash);
}

} // namespace

Pricing::Pricing(std::shared_ptr<const PriceCatalog> catalog) : m_catalog(std::move(catalog)) {}

void Pricing::addOverride(PriceOverride priceOverride)
{
    auto &list = m_overrides[priceOverride.model];
    insertSorted(list, std::move(priceOverride));
}

void Pricing::addDiscount(ProviderDiscount discount)
{
    auto &list = m_discounts[discount.provider];
    insertSorted(list, std::move(discount));
}

std::optional<TokenPrices> Pricing::pricesAt(std::string_view model, std::int64_t timeMs) const
{
    if (auto it = m_overrides.find(model); it != m_overrides.end())
        if (const PriceOverride *entry = inEffect(it->second, timeMs))
            return entry->prices;
    if (m_catalog)
        return m_catalog->prices(model);
    return std::nullopt;
}

std::int32_t Pricing::discountAt(std::string_view provider, std::int64_t timeMs) const
{
    if (auto it = m_discounts.find(provider); it != m_discounts.end())
        if (const ProviderDiscount *entry = inEffect(it->second, timeMs))
            return entry->basisPoints;
    return 0;
}

Cost Pricing::cost(std::string_view model, const TokenUsage &usage, std::int64_t timeMs, const PriceTerms &terms) const
{
    const std::optional<TokenPrices> standard = pricesAt(model, timeMs);
    if (!standard)
        return {0, true};
    // The catalog's variants only apply to its own standard prices, not to an override's.
    const ModelPrices *entry = m_catalog ? m_catalog->modelPrices(model) : nullptr;
    const ModelPrices *listed = entry && entry->standard == *standard ? entry : nullptr;
    TokenPrices rates = *standard;
    if (terms.longContext && listed && listed->longContext)
        rates = *listed->longContext;
    const bool plain = !terms.longContext;
    auto half = [](TokenPrices p) {
        for (std::int64_t *price : {&p.input, &p.cachedInput, &p.cacheWrite, &p.output, &p.reasoning})
            *price /= 2;
        return p;
    };
    switch (terms.tier) {
    case ServiceTier::Standard: break;
    case ServiceTier::Batch: rates = plain && listed && listed->batch ? *listed->batch : half(rates); break;
    case ServiceTier::Flex: rates = plain && listed && listed->flex ? *listed->flex : half(rates); break;
    case ServiceTier::Priority: rates = plain && listed && listed->priority ? *listed->priority : rates; break;
    }
    std::int64_t pico = rates.picoCost(usage);
    if (const std::int64_t hour = std::clamp<std::int64_t>(terms.cacheWrite1h, 0, usage.cacheWrite)) {
        // The catalog's 1-hour price is a standard one: it moves with the input price (long context, batch).
        const std::int64_t hourPrice = entry && entry->cacheWrite1h && standard->input
                                           ? static_cast<std::int64_t>(static_cast<long double>(entry->cacheWrite1h)
                                                                       * rates.input / standard->input)
                                           : 2 * rates.input;
        pico += hour * (hourPrice - rates.cacheWrite);
    }
    if (terms.webSearches > 0 && entry)
        pico += terms.webSearches * entry->webSearch;
    if (const std::int32_t off = discountAt(providerOf(model), timeMs))
        pico = pico / 10'000 * (10'000 - off) + pico % 10'000 * (10'000 - off) / 10'000; // no overflow
    return {picoToMicro(pico), false};
}

} // namespace rl
