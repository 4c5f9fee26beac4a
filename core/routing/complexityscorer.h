#pragma once

#include "error.h"
#include "routing/promptanalyzer.h"
#include "routing/task.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rl {

struct PromptScore {
    double complexity = 0.0; // estimated chance that the cheapest tier falls short of the frontier tier
    Task task = Task::Chat;
    std::int64_t inputTokens = 0;
};

// A linear model over PromptAnalyzer's features, squashed by a logistic function (DESIGN.md §3.2).
// Scoring allocates nothing and reads the prompt once.
class ComplexityScorer {
public:
    static constexpr std::string_view kSchema = "routeledger.scorer/v3";
    // v2 files (one table for words, stems and bigrams) and v1 files (the first 24 dense features, 2^14
    // buckets) still load and score as before; the features v1 lacked weigh nothing in it.
    static constexpr std::string_view kSchemaV2 = "routeledger.scorer/v2";
    static constexpr std::string_view kSchemaV1 = "routeledger.scorer/v1";
    static constexpr std::size_t kDense = PromptAnalyzer::kDenseCount;
    // Hashed weights: words and stems in the first kHashBuckets, bigrams in the next (v3). Apart, they no
    // longer collide with each other (+0.003 APGR in cross-validation, docs/SCORER.md). A v1 or v2 file has
    // one table for both, so it fills both halves.
    static constexpr std::size_t kHashedWeights = 2 * std::size_t{PromptAnalyzer::kHashBuckets};

    struct Weights {
        float bias = 0.0f;
        std::array<float, kDense> dense{};
        std::vector<float> hashed = std::vector<float>(kHashedWeights, 0.0f);
    };

    // The index into Weights::hashed of a bucket that PromptAnalyzer::scan reports in `slot`.
    static std::uint32_t hashedIndex(std::uint32_t bucket, unsigned slot)
    {
        return bucket | ((slot & 1u) << PromptAnalyzer::kHashBits); // slots 1 and 3 are bigrams
    }

    ComplexityScorer() = default;
    // `stems`: whether the hashed weights cover word stems (v2, v3); v1 weights are scored without them.
    explicit ComplexityScorer(Weights weights, std::string version = {}, bool stems = true);

    // The weights shipped in resources/scorer/, compiled into the binary.
    static const ComplexityScorer &builtIn();
    static Result<ComplexityScorer> fromJson(std::string_view text);
    static Result<ComplexityScorer> fromFile(const std::string &path);
    std::string toJson(const std::string &trainedOn) const;

    PromptScore score(std::string_view text) const;
    double complexityOf(const PromptAnalyzer::Counts &counts, float hashedSum) const;

    const Weights &weights() const { return m_weights; }
    const std::string &version() const { return m_version; }

private:
    Weights m_weights;
    std::string m_version;
    bool m_stems = true;
};

} // namespace rl
