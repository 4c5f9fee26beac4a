// Calibrate (issue 14): the thresholds proposed for a target on synthetic feedback whose best threshold is known,
// costs counted by hand, escalations as failures, the thresholds written back into a draft, and refusals.
#include "roundprices.h"
#include "routedevent.h"
#include "routing/policyparser.h"
#include "simulate/calibration.h"
#include "simulate/calibrationjson.h"
#include "simulate/complexitythresholds.h"
#include "simulate/qualityestimator.h"
#include "store/usagestore.h"
#include "testsuites.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

namespace {

constexpr std::int64_t kMonday = 1767607200000; // 2026-01-05T10:00:00Z, day 20458
constexpr std::int64_t kMondayDay = 20458;
constexpr int kRequests = 20000;
constexpr std::int64_t kLightCost = 650, kFrontierCost = 13000; // 1,000 in and 100 out at the round prices
constexpr double kLightGoodBelow = 0.4;

// Two tiers; requests under the threshold go to light. (Three when `mid` is set: light below the first threshold,
// mid below the second.)
std::string policyText(double light, std::optional<double> mid = std::nullopt)
{
    std::string tiers = R"([{"name": "frontier", "models": ["acme/big"]}, )";
    if (mid)
        tiers += R"({"name": "mid", "models": ["acme/mid"]}, )";
    tiers += R"({"name": "light", "models": ["acme/small"]}])";
    std::string rules = R"({"id": "easy", "when": {"all": [{"complexity": {"lt": )" + std::to_string(light)
                        + R"(}}, {"team": {"ne": "nobody"}}]}, "then": {"tier": "light"}})";
    if (mid)
        rules += R"(, {"id": "middling", "when": {"complexity": {"lt": )" + std::to_string(*mid)
                 + R"(}}, "then": {"tier": "mid"}})";
    return R"({"schema": "routeledger.policy/v1", "name": "calibrate-me", "version": 1, "tiers": )" + tiers
           + R"(, "default_tier": "frontier", "rules": [)" + rules + "]}";
}

std::shared_ptr<const rl::Policy> policy(const std::string &text)
{
    rl::PolicyLoad load = rl::PolicyParser::parse(text);
    if (!load.ok())
        qFatal("test policy invalid: %s", load.errors.front().line().c_str());
    return load.policy;
}

double complexityOf(int i)
{
    return (i + 0.5) / kRequests;
}

// kRequests requests of evenly spread complexity, every other one served by light and the rest by frontier, all
// rated: frontier answers always good, light ones good below 0.4 and bad above. With `escalate`, the bad light
// answers are not rated but asked again (an escalating request without a score).
struct SyntheticStore {
    QTemporaryDir dir;
    std::string path;

    explicit SyntheticStore(bool escalate = false)
    {
        path = dir.filePath(QStringLiteral("calibrate.db")).toStdString();
        auto store = rl::UsageStore::open(path);
        if (!store)
            qFatal("%s", store.error().message.c_str());
        if (!testdata::addRoundPrices(store.value()))
            qFatal("override refused");
        rl::IngestBatch batch;
        batch.source = "edge";
        for (int i = 0; i < kRequests; ++i) {
            const bool light = i % 2 == 0;
            rl::UsageEvent e = testdata::routedEvent(
                "r" + std::to_string(i), kMonday + i, "data", light ? "light" : "frontier", light ? 1 : 0,
                light ? "acme/small" : "acme/big", light ? kLightCost : kFrontierCost, complexityOf(i));
            e.rule = light ? "easy" : "default";
            const bool good = !light || *e.complexity < kLightGoodBelow;
            if (escalate && !good) {
                rl::UsageEvent again = e;
                again.requestId = "again" + std::to_string(i);
                again.timeMs += 1000;
                again.model = "acme/big";
                again.tier = "frontier";
                again.tierRank = 0;
                again.requestedModel = "acme/big";
                again.complexity.reset(); // a pinned model: not scored
                again.escalationOf = e.requestId;
                batch.events.push_back(again);
            } else {
                batch.feedback.push_back({e.requestId, e.timeMs + 10, good ? 1.0 : 0.0, good, ""});
            }
            batch.events.push_back(std::move(e));
        }
        if (auto stored = store->ingest(batch); !stored)
            qFatal("%s", stored.error().message.c_str());
    }
};

rl::Result<rl::CalibrationResult> calibrate(const std::string &path, const std::string &draft,
                                            rl::CalibrationTarget target, std::int64_t splitAt = 200'000)
{
    auto reader = rl::HistoryReader::open(path);
    if (!reader)
        return reader.error();
    rl::CalibrationOptions options;
    options.scope.fromDay = kMondayDay;
    options.scope.toDay = kMondayDay + 1;
    options.target = target;
    options.splitAtEvents = splitAt;
    return rl::Calibration::run(reader.value(), policy(draft), options);
}

// What light below `threshold` and frontier above costs, counted request by request.
std::int64_t handCost(double threshold)
{
    std::int64_t cost = 0;
    for (int i = 0; i < kRequests; ++i)
        cost += complexityOf(i) < threshold ? kLightCost : kFrontierCost;
    return cost;
}

} // namespace

class TestCalibration : public QObject {
    Q_OBJECT

private slots:
    void qualityTargetFindsTheKnownBestThreshold()
    {
        SyntheticStore store;
        auto result = calibrate(store.path, policyText(0.5), {rl::CalibrationTarget::Kind::Quality, 0.99});
        QVERIFY2(result, result ? "" : result.error().message.c_str());
        QCOMPARE(result->events, kRequests);
        QCOMPARE(result->scored, kRequests);
        QCOMPARE(result->ratings, kRequests);
        QCOMPARE(result->escalations, 0);
        QVERIFY(result->reached);
        QCOMPARE(result->thresholds.size(), std::size_t{1});
        QCOMPARE(result->thresholds[0].rules, std::vector<std::string>{"easy"});
        QCOMPARE(result->thresholds[0].paths, std::vector<std::string>{"/rules/0/when/all/0/complexity/lt"});
        // Light answers turn bad at 0.4: 1 % of quality allows about 0.01 beyond it, no more.
        const double proposed = result->proposed.thresholds.at(0);
        QVERIFY2(proposed >= kLightGoodBelow - 0.005 && proposed <= kLightGoodBelow + 0.015,
                 std::to_string(proposed).c_str());
        QVERIFY(result->proposed.quality >= 0.99);
        // The draft's own 0.5 sends a tenth of the requests to light answers rated bad.
        QVERIFY2(result->current.quality < 0.95, std::to_string(result->current.quality).c_str());
        QCOMPARE(result->current.thresholds, std::vector<double>{0.5});
        // Costs as counted by hand, for the draft's thresholds and the proposal.
        QCOMPARE(result->current.costMicro, handCost(0.5));
        QCOMPARE(result->proposed.costMicro, handCost(proposed));
        QCOMPARE(result->current.tierRequests.at(1), kRequests / 2); // light: complexity below 0.5
        // Any point of the curve is priced as the thresholds say, and the curve gets dearer as quality rises.
        QVERIFY(result->curve.size() >= 3);
        for (std::size_t i = 1; i < result->curve.size(); ++i) {
            QVERIFY(result->curve[i].costMicro >= result->curve[i - 1].costMicro);
            QVERIFY(result->curve[i].quality > result->curve[i - 1].quality);
        }
        for (const rl::CalibrationPoint &point : result->curve)
            QCOMPARE(point.costMicro, handCost(point.thresholds.at(0)));
    }

    void frontierShareTarget()
    {
        SyntheticStore store;
        auto result = calibrate(store.path, policyText(0.5), {rl::CalibrationTarget::Kind::FrontierShare, 0.3});
        QVERIFY2(result, result ? "" : result.error().message.c_str());
        QVERIFY(result->reached);
        // The best quality with at most 30 % on frontier keeps as few light requests as that allows: light up to 0.7.
        QCOMPARE(result->proposed.thresholds, std::vector<double>{0.7});
        QVERIFY(result->proposed.frontierShare <= 0.3);
        QCOMPARE(result->proposed.tierRequests.at(0), kRequests * 3 / 10);
        QCOMPARE(result->proposed.costMicro, handCost(0.7));
        // A share nothing reaches is reported as such, with the closest proposal (everything to light).
        auto none = calibrate(store.path, policyText(0.5), {rl::CalibrationTarget::Kind::FrontierShare, 0.0});
        QVERIFY(none);
        QVERIFY(none->proposed.frontierShare <= 0.001);
    }

    void escalationsCountAsBadAnswers()
    {
        SyntheticStore store(true);
        auto result = calibrate(store.path, policyText(0.5), {rl::CalibrationTarget::Kind::Quality, 0.99});
        QVERIFY2(result, result ? "" : result.error().message.c_str());
        // Light answers above 0.4 were asked again instead of rated: a tenth of the requests (0.4 to 1.0, half light).
        QCOMPARE(result->escalations, kRequests * 3 / 10);
        // The repeats have no complexity (pinned, not scored): whether the rule would send them to light cannot be
        // known, so they are left out, not guessed.
        QCOMPARE(result->unknown, kRequests * 3 / 10);
        QCOMPARE(result->unknownReasons.begin()->first,
                 std::string("rule easy: complexity not recorded by the source"));
        QCOMPARE(result->scored, kRequests);
        const double proposed = result->proposed.thresholds.at(0);
        QVERIFY2(proposed >= kLightGoodBelow - 0.005 && proposed <= kLightGoodBelow + 0.015,
                 std::to_string(proposed).c_str());
    }

    void twoReadingThreadsGiveTheSameResult()
    {
        SyntheticStore store;
        const std::string draft = policyText(0.3, 0.6);
        auto one = calibrate(store.path, draft, {rl::CalibrationTarget::Kind::Quality, 0.97});
        auto two = calibrate(store.path, draft, {rl::CalibrationTarget::Kind::Quality, 0.97}, 1);
        QVERIFY(one && two);
        QCOMPARE(rl::CalibrationJson::write(one.value()).dump(), rl::CalibrationJson::write(two.value()).dump());
        // Three tiers: the two thresholds stay in order.
        QCOMPARE(one->thresholds.size(), std::size_t{2});
        QVERIFY(one->proposed.thresholds[0] < one->proposed.thresholds[1]);
        QVERIFY(one->reached);
    }

    void thresholdsWrittenIntoTheDraft()
    {
        const std::string text = policyText(0.3, 0.6);
        const auto thresholds = rl::ComplexityThresholds::of(*policy(text));
        QCOMPARE(thresholds.size(), std::size_t{2});
        auto written = rl::ComplexityThresholds::apply(nlohmann::ordered_json::parse(text), thresholds, {0.25, 0.4444});
        QVERIFY(written);
        const auto reread = rl::ComplexityThresholds::of(*policy(written->dump()));
        QCOMPARE(rl::ComplexityThresholds::valuesOf(reread), (std::vector<double>{0.25, 0.444}));
        // Out of order, or a draft that changed since: refused, saying why.
        auto reversed = rl::ComplexityThresholds::apply(nlohmann::ordered_json::parse(text), thresholds, {0.5, 0.4});
        QVERIFY(!reversed);
        QVERIFY(reversed.error().message.find("keep their order") != std::string::npos);
        auto changed =
            rl::ComplexityThresholds::apply(nlohmann::ordered_json::parse(policyText(0.3)), thresholds, {0.2, 0.4});
        QVERIFY(!changed);
        QVERIFY(changed.error().message.find("run Calibrate again") != std::string::npos);
    }

    void qualityEstimatorWeighsItsEvidence()
    {
        rl::QualityEstimator model(3);
        model.finish();
        // Nothing but the scorer: the cheapest tier falls short as often as complexity says, mid half as often.
        QVERIFY(std::abs(model.quality(2, 0.625) - (1.0 - 0.625)) < 1e-9);
        QVERIFY(std::abs(model.quality(1, 0.625) - (1.0 - 0.3125)) < 1e-9);
        QCOMPARE(model.quality(0, 0.625), 1.0);
        // Labels that say the cheapest tier never falls short there move it most of the way.
        for (int i = 0; i < 90; ++i)
            model.addLabel(0.61, false);
        // A handful of bad ratings moves it only a little; many move it most of the way.
        model.addRating(2, 0.12, 0.0);
        model.finish();
        QVERIFY(model.quality(2, 0.625) > 0.9);
        QVERIFY(model.quality(2, 0.12) > 0.8);
        for (int i = 0; i < 200; ++i)
            model.addRating(2, 0.12, 0.0);
        model.finish();
        QVERIFY(model.quality(2, 0.12) < 0.15);
        QCOMPARE(model.labels(), 90);
        QCOMPARE(model.ratings(), 201);
    }

    void refusals()
    {
        SyntheticStore store;
        auto none = calibrate(store.path,
                              R"({"schema": "routeledger.policy/v1", "name": "x", "version": 1,
                                  "tiers": [{"name": "frontier", "models": ["acme/big"]}], "default_tier": "frontier",
                                  "rules": [{"id": "t", "when": {"team": {"eq": "a"}}, "then": {"tier": "frontier"}}]})",
                              {rl::CalibrationTarget::Kind::Quality, 0.9});
        QVERIFY(!none);
        QCOMPARE(none.error().code, std::string("calibrate.thresholds"));
        auto reader = rl::HistoryReader::open(store.path);
        QVERIFY(reader);
        rl::CalibrationOptions options;
        options.scope.fromDay = kMondayDay + 1;
        options.scope.toDay = kMondayDay + 2;
        auto empty = rl::Calibration::run(reader.value(), policy(policyText(0.5)), options);
        QVERIFY(!empty);
        QCOMPARE(empty.error().code, std::string("calibrate.empty"));
        options.scope.fromDay = kMondayDay;
        options.progress = [](std::int64_t, std::int64_t) { return false; };
        auto cancelled = rl::Calibration::run(reader.value(), policy(policyText(0.5)), options);
        QVERIFY(!cancelled);
        QCOMPARE(cancelled.error().code, std::string("calibrate.cancelled"));
    }
};

ROUTELEDGER_TEST_SUITE(TestCalibration)
#include "tst_calibration.moc"
