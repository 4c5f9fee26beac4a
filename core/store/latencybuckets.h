#pragma once

#include <cstdint>

namespace rl {

// Latency histogram buckets with two significant digits (1–10 % wide): latencies under 10 ms are their
// own bucket; otherwise bucket = digits × 100 + the first two digits (1,234 ms → 412). The same formula
// is written in SQL in the schema's version-2 backfill.
struct LatencyBuckets {
    static std::int64_t bucketOf(std::int64_t latencyMs)
    {
        if (latencyMs < 10)
            return latencyMs < 0 ? 0 : latencyMs;
        int digits = 0;
        std::int64_t leading = latencyMs;
        for (std::int64_t v = latencyMs; v > 0; v /= 10)
            ++digits;
        while (leading >= 100)
            leading /= 10;
        return digits * 100 + leading;
    }

    // The middle of a bucket, in ms.
    static double valueOf(std::int64_t bucket)
    {
        if (bucket < 10)
            return static_cast<double>(bucket);
        const std::int64_t digits = bucket / 100;
        const std::int64_t leading = bucket % 100;
        double scale = 1;
        for (std::int64_t i = 2; i < digits; ++i)
            scale *= 10;
        return (static_cast<double>(leading) + 0.5) * scale;
    }
};

} // namespace rl
