#pragma once

#include "error.h"
#include "pricing/pricing.h"
#include "store/usagestore.h"

#include <cstdint>
#include <functional>
#include <string>

namespace rl {

// Builds a realistic demo store through the real routing core and price catalog: a dozen teams of
// different sizes and habits, apps and users, a workday and weekly rhythm, a month-end spike, a team that
// overruns its budget, and a policy change (version 1 → 2) partway through. Deterministic for a seed.
class DemoWorkload {
public:
    struct Options {
        int days = 90;
        std::int64_t events = 200'000;
        std::uint64_t seed = 1;
        std::int64_t endMs = 0; // exclusive end; 0 = the start of today (UTC)
        std::size_t batchSize = 20'000;
    };

    DemoWorkload(Options options, const Pricing &pricing);

    // Fills `store`; `progress` gets the fraction done (0..1) after each batch and may return false to stop.
    Result<std::int64_t> generate(UsageStore &store, const std::function<bool(double)> &progress = {});

    static Result<bool> addProviderBills(UsageStore &store);
    static const char *policyVersion1();
    static const char *policyVersion2();

private:
    Options m_options;
    const Pricing &m_pricing;
};

} // namespace rl
