#include "routing/complexityscorer.h"

#include "boundedjson.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <cmath>

extern const char *const kBuiltInScorerWeights; // generated from resources/scorer/scorer-weights.json

namespace rl {

using nlohmann::json;

ComplexityScorer::ComplexityScorer(Weights weights, std::string version)
    : m_weights(std::move(weights)), m_version(std::move(version))
{}

const ComplexityScorer &ComplexityScorer::builtIn()
{
    static const ComplexityScorer scorer = [] {
        Result<ComplexityScorer> loaded = fromJson(kBuiltInScorerWeights);
        return loaded ? std::move(loaded).value() : ComplexityScorer();
    }();
    return scorer;
}

double ComplexityScorer::complexityOf(const PromptAnalyzer::Counts &counts, float hashedSum) const
{
    std::array<float, kDense> dense{};
    PromptAnalyzer::denseFeatures(counts, dense);
    float z = m_weights.bias + PromptAnalyzer::hashedScale(counts) * hashedSum;
    for (std::size_t i = 0; i < kDense; ++i)
        z += m_weights.dense[i] * dense[i];
    return 1.0 / (1.0 + std::exp(-static_cast<double>(z)));
}

PromptScore ComplexityScorer::score(std::string_view text) const
{
    const float *hashed = m_weights.hashed.data();
    float sums[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    const PromptAnalyzer::Counts counts =
        PromptAnalyzer::scan(text, [&](std::uint32_t bucket, unsigned slot) { sums[slot] += hashed[bucket]; });
    const float hashedSum = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    PromptScore result;
    result.complexity = complexityOf(counts, hashedSum);
    result.task = PromptAnalyzer::task(counts);
    result.inputTokens = PromptAnalyzer::tokenEstimate(counts);
    return result;
}

Result<ComplexityScorer> ComplexityScorer::fromJson(std::string_view text)
{
    auto invalid = [](const std::string &why) {
        return Error{"scorer.invalid_weights", "scorer weights: " + why + "; retrain with `routeledger train-scorer`",
                     false};
    };
    if (auto shape = checkJsonShape(text, JsonLimits{}); !shape)
        return invalid("the file has " + shape.error().message);
    json document = json::parse(text.begin(), text.end(), nullptr, false);
    if (document.is_discarded() || !document.is_object())
        return invalid("not a JSON object");
    const json &schema = document["schema"];
    if (!schema.is_string() || schema.get<std::string>() != kSchema)
        return invalid("schema is not \"" + std::string(kSchema) + "\"");
    const json &bits = document["hash_bits"];
    if (!bits.is_number_unsigned() || bits.get<unsigned>() != PromptAnalyzer::kHashBits)
        return invalid("hash_bits must be " + std::to_string(PromptAnalyzer::kHashBits));
    Weights weights;
    const json &bias = document["bias"];
    const json &dense = document["dense"];
    const json &hashed = document["hashed"];
    if (!bias.is_number() || !dense.is_object() || !hashed.is_array() || hashed.size() != weights.hashed.size())
        return invalid("expected bias (number), dense (object) and hashed (array of "
                       + std::to_string(weights.hashed.size()) + " numbers)");
    weights.bias = bias.get<float>();
    for (std::size_t i = 0; i < kDense; ++i) {
        auto it = dense.find(std::string(PromptAnalyzer::kDenseNames[i]));
        if (it == dense.end() || !it->is_number())
            return invalid("dense weight \"" + std::string(PromptAnalyzer::kDenseNames[i]) + "\" is missing");
        weights.dense[i] = it->get<float>();
    }
    for (std::size_t i = 0; i < hashed.size(); ++i) {
        if (!hashed[i].is_number())
            return invalid("hashed weight " + std::to_string(i) + " is not a number");
        weights.hashed[i] = hashed[i].get<float>();
    }
    const json &version = document["version"];
    return ComplexityScorer(std::move(weights), version.is_string() ? version.get<std::string>() : "");
}

Result<ComplexityScorer> ComplexityScorer::fromFile(const std::string &path)
{
    Result<std::string> text = readTextFile(path, 16u << 20);
    if (!text)
        return text.error();
    return fromJson(text.value());
}

std::string ComplexityScorer::toJson(const std::string &trainedOn) const
{
    nlohmann::ordered_json out;
    out["schema"] = kSchema;
    out["version"] = m_version;
    out["trained_on"] = trainedOn;
    out["hash_bits"] = PromptAnalyzer::kHashBits;
    out["bias"] = std::round(static_cast<double>(m_weights.bias) * 1e5) / 1e5;
    nlohmann::ordered_json dense = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < kDense; ++i)
        dense[std::string(PromptAnalyzer::kDenseNames[i])] =
            std::round(static_cast<double>(m_weights.dense[i]) * 1e5) / 1e5;
    out["dense"] = std::move(dense);
    nlohmann::ordered_json hashed = nlohmann::ordered_json::array();
    for (float w : m_weights.hashed)
        hashed.push_back(std::round(static_cast<double>(w) * 1e4)
                         / 1e4); // four decimals keep the file small and lose nothing that matters
    out["hashed"] = std::move(hashed);
    return out.dump() + "\n";
}

} // namespace rl
