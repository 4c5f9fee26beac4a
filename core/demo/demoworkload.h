#pragma once

#include "clock.h"
#include "error.h"
#include "pricing/pricing.h"
#include "store/usagestore.h"

#include <cstdint>
#include <functional>
#include <string>

namespace rl {

// Builds a realistic demo store through the real routing core and price catalog: a dozen teams of
// different sizes and habits, apps and users, a workday and weekly rhythm, a month-end spike, a team that
// overruns its budget, and a policy change (version 1 → 2) partway through, both versions published in the
// store (by the actor "demo", dated when the data starts and when it switched) so the policy studio opens on v2.
// Deterministic for a seed and end. The data runs up to the end (by default now): `days` − 1 whole days and the day in
// progress, whose last minutes always have a few requests, so every period that includes today has data, even an hour
// into a month.
class DemoWorkload {
public:
    struct Options {
        int days = 90;
        std::int64_t events = 200'000;
        std::uint64_t seed = 1;
        std::int64_t endMs = 0; // exclusive end; 0 = now, read from `clock` (up to the current hour and minute)
        std::size_t batchSize = 20'000;
        Clock clock; // "now" when endMs is 0; empty: the system clock
    };

    DemoWorkload(Options options, const Pricing &pricing);

    // Fills `store`; `progress` gets the fraction done (0..1) after each batch and may return false to stop.
    Result<std::int64_t> generate(UsageStore &store, const std::function<bool(double)> &progress = {});

    static Result<void> addProviderBills(UsageStore &store);
    static const char *policyVersion1();
    static const char *policyVersion2();

private:
    Options m_options;
    const Pricing &m_pricing;
};

} // namespace rl
