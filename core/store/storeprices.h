#pragma once

#include "error.h"
#include "pricing/pricing.h"
#include "store/sqlitedatabase.h"

#include <string_view>

namespace rl {

// A store's prices: an imported catalog (settings key price_catalog) or the built-in one, with the
// organisation's per-model overrides and per-provider discounts, each from a date on. Works on the store
// writer's connection; UsageStore forwards to it.
class StorePrices {
public:
    explicit StorePrices(SqliteDatabase &database) : m_db(database) {}

    // Validated whole: a bad file changes nothing and every problem is listed.
    Result<void> importCatalog(std::string_view json);
    Result<void> addOverride(const PriceOverride &priceOverride);
    Result<void> addDiscount(const ProviderDiscount &discount);
    Result<Pricing> load();

private:
    SqliteDatabase &m_db;
};

} // namespace rl
