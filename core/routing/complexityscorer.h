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
    static constexpr std::string_view kSchema = "routeledger.scorer/v2";
    // v1 files (the first 24 dense features) still load; the features v2 added weigh nothing in them.
    static constexpr std::string_view kSchemaV1 = "routeledger.scorer/v1";
    static constexpr std::size_t kDense = PromptAnalyzer::kDenseCount;

    struct Weights {
        float bias = 0.0f;
        std::array<float, kDense> dense{};
        std::vector<float> hashed = std::vector<float>(PromptAnalyzer::kHashBuckets, 0.0f);
    };

    ComplexityScorer() = default;
    // `stems`: whether the hashed weights cover word stems (v2); v1 weights are scored without them.
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
