#pragma once

#include "store/usagestore.h"

#include <cstdint>
#include <utility>

namespace testdata {

// Three made-up models whose prices a store overrides to round figures, so that tests compute costs by hand:
// 1,000 input and 100 output tokens cost 13,000 µ$ on acme/big, 2,600 on acme/mid and 650 on acme/small.
inline bool addRoundPrices(rl::UsageStore &store)
{
    const std::pair<const char *, std::pair<std::int64_t, std::int64_t>> prices[] = {
        {"acme/big", {10'000'000, 30'000'000}},
        {"acme/mid", {2'000'000, 6'000'000}},
        {"acme/small", {500'000, 1'500'000}}};
    for (const auto &[model, io] : prices) {
        rl::PriceOverride price;
        price.model = model;
        price.prices.input = io.first;
        price.prices.output = io.second;
        if (!store.addPriceOverride(price))
            return false;
    }
    return true;
}

} // namespace testdata
