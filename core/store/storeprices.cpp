#include "store/storeprices.h"

namespace rl {

Result<void> StorePrices::importCatalog(std::string_view json)
{
    CatalogLoad load = PriceCatalog::parse(json);
    if (!load.ok()) {
        std::string message = "the price catalog was not imported; fix these and import it again:";
        for (std::size_t i = 0; i < load.errors.size() && i < 20; ++i)
            message += "\n" + load.errors[i].line();
        if (load.errors.size() > 20)
            message += "\n… and " + std::to_string(load.errors.size() - 20) + " more";
        return Error{"prices.invalid_catalog", message, false};
    }
    Result<SqliteStatement> save = m_db.prepare(
        "INSERT INTO settings VALUES ('price_catalog', ?1) ON CONFLICT DO UPDATE SET value = excluded.value");
    if (!save)
        return save.error();
    save->bind(1, json);
    return save->run();
}

Result<void> StorePrices::addOverride(const PriceOverride &o)
{
    const TokenPrices &p = o.prices;
    if (o.model.find('/') == std::string::npos || p.input < 0 || p.output < 0 || p.cachedInput < 0 || p.cacheWrite < 0
        || p.reasoning < 0)
        return Error{"prices.invalid_override",
                     "a price override needs a provider/name model id and prices of 0 or more", false};
    Result<SqliteStatement> save =
        m_db.prepare("INSERT OR REPLACE INTO price_overrides VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!save)
        return save.error();
    save->bind(1, o.model).bind(2, o.effectiveFromMs).bind(3, p.input).bind(4, p.cachedInput).bind(5, p.cacheWrite);
    save->bind(6, p.output).bind(7, p.reasoning);
    return save->run();
}

Result<void> StorePrices::addDiscount(const ProviderDiscount &d)
{
    if (d.provider.empty() || d.basisPoints < 0 || d.basisPoints > 10'000)
        return Error{"prices.invalid_discount", "a discount needs a provider and a percentage from 0 to 100", false};
    Result<SqliteStatement> save = m_db.prepare("INSERT OR REPLACE INTO provider_discounts VALUES (?1, ?2, ?3)");
    if (!save)
        return save.error();
    save->bind(1, d.provider).bind(2, d.effectiveFromMs).bind(3, d.basisPoints);
    return save->run();
}

Result<Pricing> StorePrices::load()
{
    std::shared_ptr<const PriceCatalog> catalog = PriceCatalog::builtIn();
    Result<SqliteStatement> imported = m_db.prepare("SELECT value FROM settings WHERE key = 'price_catalog'");
    if (!imported)
        return imported.error();
    Result<bool> row = imported->step();
    if (!row)
        return row.error();
    if (row.value()) {
        CatalogLoad load = PriceCatalog::parse(imported->text(0));
        if (!load.ok())
            return Error{"prices.invalid_catalog",
                         "the store's imported price catalog no longer validates; import it again", false};
        catalog = load.catalog;
    }
    Pricing pricing(catalog);
    Result<SqliteStatement> overrides = m_db.prepare("SELECT * FROM price_overrides");
    Result<SqliteStatement> discounts = m_db.prepare("SELECT * FROM provider_discounts");
    if (!overrides)
        return overrides.error();
    if (!discounts)
        return discounts.error();
    // A row lost here would price usage at the catalog's rate instead of the negotiated one.
    if (Result<void> rowsRead = overrides->forEachRow([&] {
            PriceOverride o;
            o.model = overrides->text(0);
            o.effectiveFromMs = overrides->int64(1);
            o.prices = {overrides->int64(2), overrides->int64(3), overrides->int64(4), overrides->int64(5),
                        overrides->int64(6)};
            pricing.addOverride(std::move(o));
        });
        !rowsRead)
        return rowsRead.error();
    if (Result<void> rowsRead = discounts->forEachRow([&] {
            pricing.addDiscount(
                {discounts->text(0), static_cast<std::int32_t>(discounts->int64(2)), discounts->int64(1)});
        });
        !rowsRead)
        return rowsRead.error();
    return pricing;
}

} // namespace rl
