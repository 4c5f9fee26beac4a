// Price catalog (LiteLLM format), costs in integer micro-USD, overrides and discounts by effective date.
#include "testdata.h"
#include "testsuites.h"

#include "pricing/pricing.h"

#include <QTest>

namespace {

constexpr std::int64_t kJan = 1767225600000; // 2026-01-01T00:00:00Z
constexpr std::int64_t kFeb = 1769904000000; // 2026-02-01T00:00:00Z
constexpr std::int64_t kMar = 1772323200000; // 2026-03-01T00:00:00Z

std::shared_ptr<const rl::PriceCatalog> shippedCatalog()
{
    static const rl::CatalogLoad load = rl::PriceCatalog::parseFile(
        testdata::sourcePath(QStringLiteral("resources/pricing/model_prices_and_context_window.json")).toStdString());
    return load.catalog;
}

} // namespace

class TestPricing : public QObject {
    Q_OBJECT
private slots:
    void shippedCatalogLoads()
    {
        const rl::CatalogLoad load = rl::PriceCatalog::parseFile(
            testdata::sourcePath(QStringLiteral("resources/pricing/model_prices_and_context_window.json"))
                .toStdString());
        QVERIFY2(load.ok(), load.errors.empty() ? "" : load.errors.front().line().c_str());
        QVERIFY(load.catalog->size() > 1500);
        QVERIFY(!load.unpricedModels.empty()); // LiteLLM lists some chat models with tiered or no prices
    }

    void lookupByRouteLedgerId_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<qint64>("inputPico");
        QTest::addColumn<qint64>("cachedPico");
        QTest::addColumn<qint64>("outputPico");
        QTest::newRow("provider from litellm_provider")
            << "openai/gpt-5" << qint64(1'250'000) << qint64(125'000) << qint64(10'000'000);
        QTest::newRow("anthropic") << "anthropic/claude-opus-4-1" << qint64(15'000'000) << qint64(1'500'000)
                                   << qint64(75'000'000);
        QTest::newRow("key with provider")
            << "deepseek/deepseek-chat" << qint64(270'000) << qint64(70'000) << qint64(1'100'000);
        QTest::newRow("cheap") << "openai/gpt-5-nano" << qint64(50'000) << qint64(5'000) << qint64(400'000);
    }

    void lookupByRouteLedgerId()
    {
        QFETCH(QString, model);
        QFETCH(qint64, inputPico);
        QFETCH(qint64, cachedPico);
        QFETCH(qint64, outputPico);
        auto prices = shippedCatalog()->prices(model.toStdString());
        QVERIFY(prices.has_value());
        QCOMPARE(prices->input, inputPico);
        QCOMPARE(prices->cachedInput, cachedPico);
        QCOMPARE(prices->output, outputPico);
        QCOMPARE(prices->reasoning, outputPico); // no separate reasoning price: output's
        QVERIFY(!shippedCatalog()->prices("openai/no-such-model"));
    }

    void costInMicroUsd()
    {
        rl::Pricing pricing(shippedCatalog());
        // gpt-5: 1,000 input ($0.00125) + 200 cached ($0.000025) + 500 output ($0.005) = $0.006275.
        rl::TokenUsage usage{1000, 200, 0, 500, 100};
        const rl::Cost cost = pricing.cost("openai/gpt-5", usage, kJan);
        QCOMPARE(cost.microUsd, std::int64_t(6275));
        QVERIFY(!cost.unpriced);
        // Anthropic cache writes have their own price: 1,000 × $18.75/M = $0.01875.
        QCOMPARE(pricing.cost("anthropic/claude-opus-4-1", rl::TokenUsage{0, 0, 1000, 0, 0}, kJan).microUsd,
                 std::int64_t(18750));
        // Rounds once, half up: 7 nano tokens of gpt-5-nano input = 0.35 micro-USD → 0.
        QCOMPARE(pricing.cost("openai/gpt-5-nano", rl::TokenUsage{7, 0, 0, 0, 0}, kJan).microUsd, std::int64_t(0));
        QCOMPARE(pricing.cost("openai/gpt-5-nano", rl::TokenUsage{10, 0, 0, 0, 0}, kJan).microUsd, std::int64_t(1));
    }

    // The catalog's own batch, flex, priority and above-200k rates, by hand from model_prices_and_context_window.json;
    // where it lists none, batch and flex at half and priority at standard; an override carries over.
    void termsThatChangeThePrice_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("tier");
        QTest::addColumn<bool>("longContext");
        QTest::addColumn<qint64>("micro");
        const auto standard = int(rl::ServiceTier::Standard), batch = int(rl::ServiceTier::Batch),
                   flex = int(rl::ServiceTier::Flex), priority = int(rl::ServiceTier::Priority);
        // 1,000,000 input + 100,000 cache reads + 100,000 output tokens.
        // gpt-4o: $2.50 + $0.125 + $1.00; batches $1.25 + cache read moved with input ($0.0625) + $0.50.
        QTest::newRow("gpt-4o standard") << "openai/gpt-4o" << standard << false << qint64(3'625'000);
        QTest::newRow("gpt-4o batch") << "openai/gpt-4o" << batch << false << qint64(1'812'500);
        // priority: $4.25 + $0.2125 + $1.70
        QTest::newRow("gpt-4o priority") << "openai/gpt-4o" << priority << false << qint64(6'162'500);
        // gpt-4o has no flex rate: half of standard.
        QTest::newRow("gpt-4o flex, not listed") << "openai/gpt-4o" << flex << false << qint64(1'812'500);
        // gpt-5 flex: $0.625 + $0.00625 + $0.50
        QTest::newRow("gpt-5 flex") << "openai/gpt-5" << flex << false << qint64(1'131'250);
        // claude-sonnet-4-20250514 above 200k: $6 + $0.06 + $2.25; its standard: $3 + $0.03 + $1.50.
        QTest::newRow("sonnet 4 long") << "anthropic/claude-sonnet-4-20250514" << standard << true << qint64(8'310'000);
        QTest::newRow("sonnet 4") << "anthropic/claude-sonnet-4-20250514" << standard << false << qint64(4'530'000);
        // No priority rate listed for Claude: the standard one.
        QTest::newRow("sonnet 4 priority")
            << "anthropic/claude-sonnet-4-20250514" << priority << false << qint64(4'530'000);
    }
    void termsThatChangeThePrice()
    {
        QFETCH(QString, model);
        QFETCH(int, tier);
        QFETCH(bool, longContext);
        QFETCH(qint64, micro);
        rl::Pricing pricing(shippedCatalog());
        rl::PriceTerms terms;
        terms.tier = static_cast<rl::ServiceTier>(tier);
        terms.longContext = longContext;
        const rl::Cost cost =
            pricing.cost(model.toStdString(), rl::TokenUsage{1'000'000, 100'000, 0, 100'000, 0}, kJan, terms);
        QVERIFY(!cost.unpriced);
        QCOMPARE(qint64(cost.microUsd), micro);
    }

    void searchesAndHourLongCacheWrites()
    {
        rl::Pricing pricing(shippedCatalog());
        rl::PriceTerms terms;
        terms.webSearches = 3;    // $0.01 each for claude-sonnet-4-20250514
        terms.cacheWrite1h = 600; // of 1,000 writes: 400 × $3.75/M + 600 × $6/M
        QCOMPARE(
            pricing.cost("anthropic/claude-sonnet-4-20250514", rl::TokenUsage{0, 0, 1000, 0, 0}, kJan, terms).microUsd,
            std::int64_t(30'000 + 1'500 + 3'600));
        // An override sets standard prices; batch is half of it, the search price still the catalog's.
        rl::TokenPrices negotiated;
        negotiated.input = 2'000'000; // $2/M
        negotiated.output = 10'000'000;
        negotiated.cachedInput = 200'000;
        negotiated.cacheWrite = 2'500'000;
        pricing.addOverride({"anthropic/claude-sonnet-4-20250514", negotiated, kFeb});
        rl::PriceTerms batch;
        batch.tier = rl::ServiceTier::Batch;
        batch.webSearches = 1;
        QCOMPARE(pricing.cost("anthropic/claude-sonnet-4-20250514", rl::TokenUsage{1'000'000, 0, 0, 0, 0}, kFeb, batch)
                     .microUsd,
                 std::int64_t(1'000'000 + 10'000));
        QCOMPARE(rl::PriceTerms{}.key(), std::string());
        QCOMPARE(batch.key(), std::string("batch"));
        QCOMPARE(rl::PriceTerms::tierNamed("default"), rl::ServiceTier::Standard);
    }

    void unknownModelIsUnpricedNotFree()
    {
        rl::Pricing pricing(shippedCatalog());
        const rl::Cost cost = pricing.cost("acme/house-model", rl::TokenUsage{1000, 0, 0, 1000, 0}, kJan);
        QVERIFY(cost.unpriced);
        QCOMPARE(cost.microUsd, std::int64_t(0));
    }

    void overridesAndDiscountsByEffectiveDate()
    {
        rl::Pricing pricing(shippedCatalog());
        rl::TokenPrices negotiated;
        negotiated.input = 1'000'000; // $1/M
        negotiated.output = 8'000'000;
        pricing.addOverride({"openai/gpt-5", negotiated, kFeb});
        pricing.addDiscount({"openai", 1000, kMar}); // 10 % off from March
        const rl::TokenUsage usage{1'000'000, 0, 0, 0, 0};
        QCOMPARE(pricing.cost("openai/gpt-5", usage, kJan).microUsd, std::int64_t(1'250'000)); // catalog
        QCOMPARE(pricing.cost("openai/gpt-5", usage, kFeb).microUsd, std::int64_t(1'000'000)); // override
        QCOMPARE(pricing.cost("openai/gpt-5", usage, kMar).microUsd, std::int64_t(900'000));   // and discount
        QCOMPARE(pricing.cost("anthropic/claude-sonnet-4-5", usage, kMar).microUsd, std::int64_t(3'000'000));
        // An override makes an unknown model priced from its date on, and only from then.
        pricing.addOverride({"acme/house-model", negotiated, kFeb});
        QVERIFY(pricing.cost("acme/house-model", usage, kJan).unpriced);
        QCOMPARE(pricing.cost("acme/house-model", usage, kFeb).microUsd, std::int64_t(1'000'000));
    }

    void badCatalogs_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QStringList>("errors");
        QTest::newRow("not json") << "[1,2"
                                  << QStringList{"(file): not a JSON object keyed by model name, as LiteLLM's "
                                                 "model_prices_and_context_window.json is"};
        QTest::newRow("string price")
            << R"({"m1":{"litellm_provider":"x","input_cost_per_token":"0.1","output_cost_per_token":1e-6}})"
            << QStringList{"m1: input_cost_per_token: expected a price in USD per token (a number), found string"};
        QTest::newRow("negative")
            << R"({"m2":{"input_cost_per_token":1e-6,"output_cost_per_token":-1e-6}})"
            << QStringList{"m2: output_cost_per_token: expected a price in USD per token from 0 to 1, found -1e-06"};
        QTest::newRow("missing output") << R"({"m3":{"mode":"chat","input_cost_per_token":1e-6}})"
                                        << QStringList{"m3: output_cost_per_token: missing; the model has "
                                                       "input_cost_per_token but no price for the other side"};
        QTest::newRow("missing input") << R"({"m5":{"mode":"completion","output_cost_per_token":1e-6}})"
                                       << QStringList{"m5: input_cost_per_token: missing; the model has "
                                                      "output_cost_per_token but no price for the other side"};
        QTest::newRow("entry not object") << R"({"m4":5})" << QStringList{"m4: expected an object of prices"};
        QTest::newRow("several")
            << R"({"a":{"input_cost_per_token":true,"output_cost_per_token":1e-6},"b":{"input_cost_per_token":1e-6,"output_cost_per_token":2}})"
            << QStringList{"a: input_cost_per_token: expected a price in USD per token (a number), found boolean",
                           "b: output_cost_per_token: expected a price in USD per token from 0 to 1, found 2"};
    }

    void badCatalogs()
    {
        QFETCH(QString, json);
        QFETCH(QStringList, errors);
        const rl::CatalogLoad load = rl::PriceCatalog::parse(json.toStdString());
        QVERIFY(!load.ok()); // nothing half-imported
        QStringList lines;
        for (const rl::CatalogIssue &issue : load.errors)
            lines << QString::fromStdString(issue.line());
        QCOMPARE(lines, errors);
    }

    void priceFormatsOtherThanTokensAreUnpriced()
    {
        const rl::CatalogLoad load = rl::PriceCatalog::parse(
            R"({"sample_spec":{"input_cost_per_token":"doc"},"video":{"mode":"chat","input_cost_per_video_per_second":0.001,"output_cost_per_token":1e-6},"tiered":{"mode":"chat"}})");
        QVERIFY(load.ok());
        QCOMPARE(load.catalog->size(), std::size_t(0));
        QCOMPARE(load.unpricedModels, (std::vector<std::string>{"tiered", "video"}));
        // Embeddings have only input prices, and are priced.
        const rl::CatalogLoad embeddings = rl::PriceCatalog::parse(
            R"({"text-embedding-3-small":{"mode":"embedding","litellm_provider":"openai","input_cost_per_token":2e-08}})");
        QVERIFY(embeddings.ok());
        QCOMPARE(embeddings.catalog->prices("openai/text-embedding-3-small")->input, std::int64_t(20'000));
    }
};

ROUTELEDGER_TEST_SUITE(TestPricing)
#include "tst_pricing.moc"
