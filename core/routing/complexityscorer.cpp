#include "routing/complexityscorer.h"

#include "boundedjson.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <cmath>

extern const char *const kBuiltInScorerWeights; // generated from resources/scorer/scorer-weights.json

namespace rl {

using nlohmann::json;

ComplexityScorer::ComplexityScorer(Weights weights, std::string version, bool stems)
    : m_weights(std::move(weights)), m_version(std::move(version)), m_stems(stems)
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
    // Slots 4 and 6 are stems, which v1 weights never saw. Two instances of the scan, so that neither tests
    // the slot per word: in the second the test is on a constant and the stems are not even hashed.
    auto add = [&](std::uint32_t bucket, unsigned slot) { sums[slot & 3u] += hashed[hashedIndex(bucket, slot)]; };
    auto addWithoutStems = [&](std::uint32_t bucket, unsigned slot) {
        if (slot < 4u)
            sums[slot] += hashed[hashedIndex(bucket, slot)];
    };
    const PromptAnalyzer::Counts counts =
        m_stems ? PromptAnalyzer::scan(text, add) : PromptAnalyzer::scan(text, addWithoutStems);
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
    const std::string name = schema.is_string() ? schema.get<std::string>() : std::string();
    const bool v1 = name == kSchemaV1;
    const bool v2 = name == kSchemaV2;
    if (!v1 && !v2 && name != kSchema)
        return invalid("schema is not \"" + std::string(kSchema) + "\" (or \"" + std::string(kSchemaV2) + "\", \""
                       + std::string(kSchemaV1) + "\")");
    const unsigned hashBits = v1 ? PromptAnalyzer::kHashBitsV1 : PromptAnalyzer::kHashBits;
    const json &bits = document["hash_bits"];
    if (!bits.is_number_unsigned() || bits.get<unsigned>() != hashBits)
        return invalid("hash_bits must be " + std::to_string(hashBits));
    Weights weights;
    const std::size_t buckets = std::size_t{1} << hashBits;
    const json &bias = document["bias"];
    const json &dense = document["dense"];
    const json &hashed = document["hashed"];
    if (!bias.is_number() || !dense.is_object() || !hashed.is_array() || hashed.size() != buckets)
        return invalid("expected bias (number), dense (object) and hashed (array of " + std::to_string(buckets)
                       + " numbers)");
    const bool apart = !v1 && !v2; // v3: bigrams in a table of their own
    const json &bigrams = document["hashed_bigrams"];
    if (apart && (!bigrams.is_array() || bigrams.size() != buckets))
        return invalid("expected hashed_bigrams (array of " + std::to_string(buckets) + " numbers)");
    weights.bias = bias.get<float>();
    const std::size_t named = v1 ? PromptAnalyzer::kDenseCountV1 : kDense;
    for (std::size_t i = 0; i < named; ++i) {
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
    if (apart) {
        for (std::size_t i = 0; i < bigrams.size(); ++i) {
            if (!bigrams[i].is_number())
                return invalid("hashed_bigrams weight " + std::to_string(i) + " is not a number");
            weights.hashed[PromptAnalyzer::kHashBuckets + i] = bigrams[i].get<float>();
        }
    } else {
        // One table for all: a v1 bucket is the low bits of a v2 one, so repeating the table through both
        // halves scores exactly as v1 and v2 did.
        for (std::size_t i = buckets; i < weights.hashed.size(); ++i)
            weights.hashed[i] = weights.hashed[i & (buckets - 1)];
    }
    const json &version = document["version"];
    return ComplexityScorer(std::move(weights), version.is_string() ? version.get<std::string>() : "", !v1);
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
    // Four decimals keep the file small and lose nothing that matters.
    auto table = [&](std::size_t begin) {
        nlohmann::ordered_json values = nlohmann::ordered_json::array();
        for (std::size_t i = begin; i < begin + PromptAnalyzer::kHashBuckets; ++i)
            values.push_back(std::round(static_cast<double>(m_weights.hashed[i]) * 1e4) / 1e4);
        return values;
    };
    out["hashed"] = table(0);
    out["hashed_bigrams"] = table(PromptAnalyzer::kHashBuckets);
    return out.dump() + "\n";
}

} // namespace rl
