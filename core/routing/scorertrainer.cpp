#include "routing/scorertrainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <unordered_map>

namespace rl {

namespace {

constexpr std::size_t kDense = ComplexityScorer::kDense;

struct Example {
    std::array<float, kDense> dense{};  // standardised when Options::standardize
    std::vector<std::uint32_t> buckets; // indices into Weights::hashed, one per occurrence
    float scale = 0.0f;
    float target = 0.0f;
    double fallsShort = 0.0; // 1 when the weak model falls short of the strong one
};

double linearScore(const ComplexityScorer::Weights &w, const Example &e)
{
    double z = w.bias;
    for (std::size_t d = 0; d < kDense; ++d)
        z += w.dense[d] * e.dense[d];
    double hashedSum = 0.0;
    for (std::uint32_t b : e.buckets)
        hashedSum += w.hashed[b];
    return z + e.scale * hashedSum;
}

// Platt scaling: the a, b for which sigmoid(a z + b) best predicts "the weak model falls short", by
// Newton's method on the log loss. A monotone map, so the routing order is unchanged; it makes the
// score mean what DESIGN.md says it means, so that thresholds in policies read as probabilities.
void calibrate(const std::vector<Example> &examples, const std::vector<double> &z, double &a, double &b)
{
    a = 1.0;
    b = 0.0;
    for (int iteration = 0; iteration < 50; ++iteration) {
        double ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
        for (std::size_t i = 0; i < examples.size(); ++i) {
            const double p = 1.0 / (1.0 + std::exp(-(a * z[i] + b)));
            const double r = p - examples[i].fallsShort;
            const double v = p * (1 - p);
            ga += r * z[i];
            gb += r;
            haa += v * z[i] * z[i];
            hab += v * z[i];
            hbb += v;
        }
        const double det = haa * hbb - hab * hab;
        if (std::abs(det) < 1e-12)
            break;
        const double da = (hbb * ga - hab * gb) / det;
        const double db = (haa * gb - hab * ga) / det;
        a -= da;
        b -= db;
        if (std::abs(da) + std::abs(db) < 1e-9)
            break;
    }
}

} // namespace

std::string_view ScorerTrainer::groupOf(const LabelledPrompt &row)
{
    const std::size_t first = row.id.find('/');
    const std::size_t last = row.id.rfind('/');
    if (first == std::string::npos || first == last)
        return {};
    return std::string_view(row.id).substr(0, last);
}

ComplexityScorer ScorerTrainer::train(const std::vector<LabelledPrompt> &rows, const Options &options,
                                      const std::string &version)
{
    // The mean gain of the strong model, strong - weak, in each group (an MMLU subject), for the targets below.
    std::unordered_map<std::string_view, std::pair<double, double>> groups; // sum of gains, rows
    if (options.groupSmoothing > 0.0)
        for (const LabelledPrompt &row : rows)
            if (const std::string_view group = groupOf(row); !group.empty()) {
                auto &[gains, count] = groups[group];
                gains += row.strongQuality - row.weakQuality;
                count += 1.0;
            }

    std::vector<Example> examples(rows.size());
    double positives = 0.0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        Example &example = examples[i];
        const auto counts = PromptAnalyzer::scan(rows[i].prompt, [&](std::uint32_t bucket, unsigned slot) {
            example.buckets.push_back(ComplexityScorer::hashedIndex(bucket, slot));
        });
        PromptAnalyzer::denseFeatures(counts, example.dense);
        example.scale = PromptAnalyzer::hashedScale(counts);
        // Fit the expected gain of the strong model, (strong - weak + 1) / 2: ranking by it is the best
        // routing order, and unlike "strong wins" it also learns from prompts where the weak model does better.
        // Within a group (an MMLU subject) the target mixes the row's own gain with the group's mean: whether
        // one question was answered right is a noisy label, and the subject's rate is the part that a model of
        // its words can learn (+0.004 APGR in cross-validation, docs/SCORER.md).
        double gain = rows[i].strongQuality - rows[i].weakQuality;
        if (const auto group = groups.find(groupOf(rows[i])); group != groups.end()) {
            const double mean = group->second.first / group->second.second;
            gain = (1.0 - options.groupSmoothing) * gain + options.groupSmoothing * mean;
        }
        example.target = static_cast<float>(0.5 + gain / 2.0);
        example.fallsShort = std::clamp(rows[i].strongQuality - rows[i].weakQuality, 0.0, 1.0);
        positives += example.target;
    }

    // Dense features differ in scale by orders of magnitude (a share of digits against a capped count);
    // as z-scores one learning rate and one L2 fit them all. The shift and scale fold back into the
    // weights at the end, so scoring reads raw features as before.
    std::array<double, kDense> mean{}, spread{};
    spread.fill(1.0);
    if (options.standardize && !examples.empty()) {
        const double n = static_cast<double>(examples.size());
        std::array<double, kDense> squares{};
        for (const Example &e : examples)
            for (std::size_t d = 0; d < kDense; ++d) {
                mean[d] += e.dense[d] / n;
                squares[d] += static_cast<double>(e.dense[d]) * e.dense[d] / n;
            }
        for (std::size_t d = 0; d < kDense; ++d) {
            const double variance = squares[d] - mean[d] * mean[d];
            spread[d] = variance > 1e-10 ? std::sqrt(variance) : 0.0; // 0: a constant, left out
        }
        for (Example &e : examples)
            for (std::size_t d = 0; d < kDense; ++d)
                e.dense[d] = spread[d] > 0.0 ? static_cast<float>((e.dense[d] - mean[d]) / spread[d]) : 0.0f;
    }

    ComplexityScorer::Weights w;
    // Start the bias at the base rate so early epochs learn features, not the prior.
    const double rate = std::clamp(positives / std::max<double>(1.0, static_cast<double>(rows.size())), 1e-3, 1 - 1e-3);
    w.bias = static_cast<float>(std::log(rate / (1 - rate)));
    std::vector<double> gBias(1, 1e-8);
    std::vector<double> gDense(kDense, 1e-8);
    std::vector<double> gHashed(w.hashed.size(), 1e-8);

    std::vector<std::size_t> order(examples.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 random(options.seed);
    const double lr = options.learningRate;

    auto step = [&](float &weight, double &accumulated, double gradient, double l2) {
        gradient += l2 * weight;
        accumulated += gradient * gradient;
        weight -= static_cast<float>(lr * gradient / std::sqrt(accumulated));
    };

    // Averaging the weights of the later epochs smooths out the last steps' noise (Polyak averaging).
    ComplexityScorer::Weights sum; // starts at zero
    int averaged = 0;
    for (int epoch = 0; epoch < options.epochs; ++epoch) {
        std::shuffle(order.begin(), order.end(), random);
        for (std::size_t index : order) {
            const Example &e = examples[index];
            const double z = linearScore(w, e);
            const double predicted = 1.0 / (1.0 + std::exp(-z));
            const double error = predicted - e.target; // gradient of the log loss with respect to z
            step(w.bias, gBias[0], error, 0.0);
            for (std::size_t d = 0; d < kDense; ++d)
                if (e.dense[d] != 0.0f)
                    step(w.dense[d], gDense[d], error * e.dense[d], options.l2Dense);
            for (std::uint32_t b : e.buckets)
                step(w.hashed[b], gHashed[b], error * e.scale, options.l2);
        }
        if (options.average && 2 * (epoch + 1) > options.epochs) {
            sum.bias += w.bias;
            for (std::size_t d = 0; d < kDense; ++d)
                sum.dense[d] += w.dense[d];
            for (std::size_t b = 0; b < w.hashed.size(); ++b)
                sum.hashed[b] += w.hashed[b];
            ++averaged;
        }
    }
    if (averaged > 0) {
        const float k = 1.0f / static_cast<float>(averaged);
        w.bias = sum.bias * k;
        for (std::size_t d = 0; d < kDense; ++d)
            w.dense[d] = sum.dense[d] * k;
        for (std::size_t b = 0; b < w.hashed.size(); ++b)
            w.hashed[b] = sum.hashed[b] * k;
    }

    std::vector<double> z(examples.size());
    for (std::size_t i = 0; i < examples.size(); ++i)
        z[i] = linearScore(w, examples[i]);
    double a = 1.0, b = 0.0;
    calibrate(examples, z, a, b);
    if (a <= 0.0) { // a non-positive slope would mean no signal at all: keep the raw scores
        a = 1.0;
        b = 0.0;
    }
    // Fold the standardisation, then the calibration, into the weights of raw features.
    double bias = w.bias;
    for (std::size_t d = 0; d < kDense; ++d) {
        const double raw = spread[d] > 0.0 ? w.dense[d] / spread[d] : 0.0;
        bias -= raw * mean[d];
        w.dense[d] = static_cast<float>(a * raw);
    }
    w.bias = static_cast<float>(a * bias + b);
    for (float &weight : w.hashed)
        weight = static_cast<float>(a * weight);
    return ComplexityScorer(std::move(w), version);
}

} // namespace rl
