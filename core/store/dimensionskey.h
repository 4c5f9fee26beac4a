#pragma once

#include "store/usagerecords.h"

#include <string>
#include <string_view>
#include <utility>

namespace rl {

// The `dimensions` key a bucket or cost line is upserted on: the source's own team, app, model, provider,
// project and key (then a bucket's price terms or a cost line's item), joined by U+001F. The key is written
// by ingest and read back when identity mappings are re-applied, so its layout lives here only.
inline constexpr std::string_view kDimensionsSeparator = "\x1f";

inline std::string bucketDimensions(const UsageBucket &b)
{
    std::string dimensions = b.team;
    for (const std::string *part : {&b.app, &b.model, &b.provider, &b.project, &b.apiKey})
        dimensions.append(kDimensionsSeparator).append(*part);
    if (!b.priceTerms.empty()) // standard rows keep the key they had before terms were told apart
        dimensions.append(kDimensionsSeparator).append(b.priceTerms);
    return dimensions;
}

inline std::string costLineDimensions(const CostLine &c)
{
    std::string dimensions = c.team;
    for (const std::string *part : {&c.app, &c.model, &c.provider, &c.project, &c.apiKey, &c.lineItem})
        dimensions.append(kDimensionsSeparator).append(*part);
    return dimensions;
}

// The source's own team and app: the first two parts of a key.
inline std::pair<std::string, std::string> sourceIdentityOf(const std::string &dimensions)
{
    const std::size_t first = dimensions.find(kDimensionsSeparator);
    if (first == std::string::npos)
        return {dimensions, std::string()};
    const std::size_t second = dimensions.find(kDimensionsSeparator, first + 1);
    return {dimensions.substr(0, first),
            dimensions.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1)};
}

} // namespace rl
