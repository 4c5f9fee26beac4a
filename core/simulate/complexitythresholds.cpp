#include "simulate/complexitythresholds.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace rl {

namespace {

void collect(const Condition &condition, const std::string &ruleId, std::vector<ComplexityThreshold> &out)
{
    if (condition.kind != Condition::Kind::Leaf) {
        for (const Condition &child : condition.children)
            collect(child, ruleId, out);
        return;
    }
    if (condition.field != Field::Complexity)
        return;
    std::vector<std::pair<double, std::string>> numbers;
    switch (condition.op) {
    case Op::Lt:
    case Op::Lte:
    case Op::Gt:
    case Op::Gte: numbers.emplace_back(condition.numbers.front(), condition.path); break;
    case Op::Between:
        numbers.emplace_back(condition.numbers[0], condition.path + "/0");
        numbers.emplace_back(condition.numbers[1], condition.path + "/1");
        break;
    default: // eq, in: a point, not a cut
        return;
    }
    for (auto &[value, path] : numbers) {
        if (!(value > 0.0 && value < 1.0))
            continue;
        auto found =
            std::find_if(out.begin(), out.end(), [&](const ComplexityThreshold &t) { return t.value == value; });
        if (found == out.end())
            found = out.insert(out.end(), ComplexityThreshold{value, {}, {}});
        found->paths.push_back(std::move(path));
        if (std::find(found->rules.begin(), found->rules.end(), ruleId) == found->rules.end())
            found->rules.push_back(ruleId);
    }
}

} // namespace

std::vector<ComplexityThreshold> ComplexityThresholds::of(const Policy &policy)
{
    std::vector<ComplexityThreshold> out;
    for (const Rule &rule : policy.rules)
        if (rule.enabled)
            collect(rule.when, rule.id, out);
    std::sort(out.begin(), out.end(),
              [](const ComplexityThreshold &a, const ComplexityThreshold &b) { return a.value < b.value; });
    return out;
}

int ComplexityThresholds::bandOf(double complexity, const std::vector<double> &thresholds)
{
    return static_cast<int>(std::upper_bound(thresholds.begin(), thresholds.end(), complexity) - thresholds.begin());
}

std::vector<double> ComplexityThresholds::bandValues(const std::vector<double> &thresholds)
{
    std::vector<double> values;
    double low = 0.0;
    for (double t : thresholds) {
        values.push_back((low + t) / 2.0);
        low = t;
    }
    values.push_back((low + 1.0) / 2.0);
    return values;
}

std::vector<double> ComplexityThresholds::valuesOf(const std::vector<ComplexityThreshold> &thresholds)
{
    std::vector<double> values;
    for (const ComplexityThreshold &t : thresholds)
        values.push_back(t.value);
    return values;
}

Result<nlohmann::ordered_json> ComplexityThresholds::apply(nlohmann::ordered_json document,
                                                           const std::vector<ComplexityThreshold> &thresholds,
                                                           const std::vector<double> &values)
{
    if (values.size() != thresholds.size())
        return Error{"calibrate.thresholds",
                     "expected " + std::to_string(thresholds.size()) + " thresholds, got "
                         + std::to_string(values.size()),
                     false};
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!(values[i] > 0.0 && values[i] < 1.0) || (i > 0 && values[i] <= values[i - 1]))
            return Error{"calibrate.thresholds",
                         "the thresholds must lie between 0 and 1 and keep their order (ascending); got "
                             + std::to_string(values[i]) + " at position " + std::to_string(i + 1),
                         false};
        const double rounded = std::round(values[i] * 1000.0) / 1000.0;
        for (const std::string &path : thresholds[i].paths) {
            const nlohmann::ordered_json::json_pointer pointer(path);
            if (!document.contains(pointer) || !document.at(pointer).is_number())
                return Error{"calibrate.thresholds",
                             "the draft has no complexity threshold at " + path
                                 + " any more: it changed since the calibration ran; run Calibrate again",
                             false};
            document.at(pointer) = rounded;
        }
    }
    return document;
}

} // namespace rl
