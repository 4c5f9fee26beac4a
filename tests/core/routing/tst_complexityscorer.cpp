// The complexity scorer: shipped weights load, scores are probabilities, harder prompts score higher
// on average, task labels and token estimates behave, and bad weight files are refused with a reason.
#include "routing/complexityscorer.h"
#include "routing/labelledprompts.h"
#include "routing/scorertrainer.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

class TestComplexityScorer : public QObject {
    Q_OBJECT
private slots:
    void builtInWeightsAreTrained()
    {
        const rl::ComplexityScorer &scorer = rl::ComplexityScorer::builtIn();
        QVERIFY2(!scorer.version().empty(), "resources/scorer/scorer-weights.json did not load");
        int nonZero = 0;
        for (float w : scorer.weights().hashed)
            nonZero += w != 0.0f;
        QVERIFY(nonZero > 1000);
    }

    void scoresAreProbabilities_data()
    {
        QTest::addColumn<QString>("prompt");
        QTest::newRow("empty") << QString();
        QTest::newRow("one word") << "hi";
        QTest::newRow("unicode") << QString::fromUtf8("東京の人口は？ Ünïcödé ✓");
        QTest::newRow("binary-ish") << QString::fromLatin1("\x01\x02\x7f{{{}}}$$$\\\\");
        QTest::newRow("long") << QString(QStringLiteral("word ")).repeated(50000);
    }

    void scoresAreProbabilities()
    {
        QFETCH(QString, prompt);
        const rl::PromptScore score = rl::ComplexityScorer::builtIn().score(prompt.toStdString());
        QVERIFY(score.complexity > 0.0 && score.complexity < 1.0);
        QVERIFY(score.inputTokens >= 0);
    }

    void deterministic()
    {
        const std::string prompt = "Prove that the square root of two is irrational.";
        QCOMPARE(rl::ComplexityScorer::builtIn().score(prompt).complexity,
                 rl::ComplexityScorer::builtIn().score(prompt).complexity);
    }

    void taskLabels_data()
    {
        QTest::addColumn<QString>("prompt");
        QTest::addColumn<QString>("task");
        QTest::newRow("chat") << "Hello! How are you today?"
                              << "chat";
        QTest::newRow("code") << "Fix this python function:\n```\ndef add(a, b):\n    return a - b\n```"
                              << "code";
        QTest::newRow("math") << "Calculate 17 * 23 + 4 and solve 3x + 5 = 20 for x."
                              << "math";
        QTest::newRow("translate") << "Translate into Spanish: where is the train station?"
                                   << "translate";
        QTest::newRow("summarize") << "Summarize the following article in three bullet points: ..."
                                   << "summarize";
        QTest::newRow("extraction") << "Extract the invoice number, date and total as JSON from this email."
                                    << "extraction";
        QTest::newRow("creative") << "Write a short poem about autumn rain."
                                  << "creative";
        QTest::newRow("reasoning") << "Explain why the Roman Republic fell and compare it with Weimar Germany."
                                   << "reasoning";
    }

    void taskLabels()
    {
        QFETCH(QString, prompt);
        QFETCH(QString, task);
        const rl::PromptScore score = rl::ComplexityScorer::builtIn().score(prompt.toStdString());
        QCOMPARE(QString::fromUtf8(rl::taskName(score.task).data(), qsizetype(rl::taskName(score.task).size())), task);
    }

    // Counted with OpenAI's o200k tokenizer: the estimate stays within 25 % on ordinary text.
    void tokenEstimate_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("tokens");
        QTest::newRow("sentence") << "The quick brown fox jumps over the lazy dog." << 10;
        QTest::newRow("question") << "What is the capital of France, and how many people live there?" << 14;
        QTest::newRow("numbers") << "Add 123456 and 7890, then divide by 12." << 15;
    }

    void tokenEstimate()
    {
        QFETCH(QString, text);
        QFETCH(int, tokens);
        const auto estimate = rl::PromptAnalyzer::tokenEstimate(rl::PromptAnalyzer::scan(text.toStdString()));
        QVERIFY2(std::abs(double(estimate) - tokens) <= 0.25 * tokens,
                 qPrintable(QStringLiteral("estimated %1, real %2").arg(estimate).arg(tokens)));
        QCOMPARE(rl::PromptAnalyzer::tokenEstimate(rl::PromptAnalyzer::scan("")), std::int64_t(0));
    }

    // Training learns: a tiny synthetic set where "quantum" prompts need the strong model.
    void trainingSeparatesASyntheticSignal()
    {
        std::vector<rl::LabelledPrompt> rows;
        for (int i = 0; i < 200; ++i) {
            rows.push_back(
                {"h" + std::to_string(i), "explain quantum field renormalization case " + std::to_string(i), 1.0, 0.0});
            rows.push_back(
                {"e" + std::to_string(i), "what colour is a ripe banana case " + std::to_string(i), 1.0, 1.0});
        }
        rl::ScorerTrainer::Options options;
        options.epochs = 5;
        options.learningRate = 0.05;
        const rl::ComplexityScorer scorer = rl::ScorerTrainer::train(rows, options, "test");
        const double hard = scorer.score("explain quantum field renormalization please").complexity;
        const double easy = scorer.score("what colour is a ripe banana please").complexity;
        QVERIFY2(hard > 0.7 && easy < 0.3, qPrintable(QStringLiteral("hard %1 easy %2").arg(hard).arg(easy)));

        // Weights survive a write and a read.
        auto reloaded = rl::ComplexityScorer::fromJson(scorer.toJson("unit test"));
        QVERIFY(reloaded.ok());
        QVERIFY(qAbs(reloaded->score("explain quantum field renormalization please").complexity - hard) < 1e-3);
    }

    void groupsComeFromIds()
    {
        auto group = [](const std::string &id) {
            return QString::fromStdString(std::string(rl::ScorerTrainer::groupOf({id, "p", 1, 0})));
        };
        QCOMPARE(group("mmlu/anatomy/12"), QStringLiteral("mmlu/anatomy"));
        QCOMPARE(group("a/b/c/d"), QStringLiteral("a/b/c"));
        QCOMPARE(group("gsm8k/12"), QString()); // the whole source is no group
        QCOMPARE(group("plain"), QString());
        QCOMPARE(group(""), QString());
    }

    // With full group smoothing only a group's mean counts: which rows of a group the strong model wins makes
    // no difference to the routing order. Without smoothing each row's own outcome decides.
    void groupSmoothingUsesTheGroupsMean()
    {
        // Group "hard": "lattice" and "spinor" prompts, the strong model wins on the first (or with `flip` on
        // the second) and the weak one never; group "easy": both always right.
        auto rows = [](bool flip) {
            std::vector<rl::LabelledPrompt> out;
            for (int i = 0; i < 200; ++i) {
                const bool lattice = i % 2 == 1;
                const std::string n = std::to_string(i);
                out.push_back({"s/hard/" + n,
                               std::string(lattice ? "quantum lattice " : "quantum spinor ") + "item " + n,
                               lattice != flip ? 1.0 : 0.0, 0.0});
                out.push_back({"s/easy/" + n, "banana colour item " + n, 1.0, 1.0});
            }
            return out;
        };
        const std::array<std::string, 3> probes{"quantum lattice", "quantum spinor", "banana colour"};
        auto scores = [&](double smoothing, bool flip) {
            rl::ScorerTrainer::Options options;
            options.epochs = 5;
            options.learningRate = 0.05;
            options.groupSmoothing = smoothing;
            const rl::ComplexityScorer scorer = rl::ScorerTrainer::train(rows(flip), options, "test");
            std::array<double, 3> out{};
            for (std::size_t i = 0; i < probes.size(); ++i)
                out[i] = scorer.score(probes[i]).complexity;
            return out;
        };
        // Smoothed, both label sets train the same weights up to the calibration's monotone map: the same order.
        const auto smoothed = scores(1.0, false), smoothedFlipped = scores(1.0, true);
        for (std::size_t i = 0; i < probes.size(); ++i)
            for (std::size_t j = 0; j < probes.size(); ++j)
                QCOMPARE(smoothed[i] < smoothed[j], smoothedFlipped[i] < smoothedFlipped[j]);
        QVERIFY(smoothed[0] > smoothed[2] && smoothed[1] > smoothed[2]); // the hard group still scores higher
        // Unsmoothed: "lattice" first, then "spinor" after the flip.
        const auto raw = scores(0.0, false), rawFlipped = scores(0.0, true);
        QVERIFY2(
            raw[0] > raw[1] && rawFlipped[1] > rawFlipped[0],
            qPrintable(QStringLiteral("%1 %2 / %3 %4").arg(raw[0]).arg(raw[1]).arg(rawFlipped[0]).arg(rawFlipped[1])));
    }

    void badWeights_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << "nope"
                                  << "scorer weights: not a JSON object; retrain with `routeledger train-scorer`";
        QTest::newRow("schema") << R"({"schema":"x"})"
                                << "scorer weights: schema is not \"routeledger.scorer/v3\" (or "
                                   "\"routeledger.scorer/v2\", \"routeledger.scorer/v1\"); retrain with `routeledger "
                                   "train-scorer`";
        QTest::newRow("bits") << R"({"schema":"routeledger.scorer/v2","hash_bits":14})"
                              << "scorer weights: hash_bits must be 16; retrain with `routeledger train-scorer`";
        QTest::newRow("v3 bits") << R"({"schema":"routeledger.scorer/v3","hash_bits":14})"
                                 << "scorer weights: hash_bits must be 16; retrain with `routeledger train-scorer`";
        QTest::newRow("v1 bits") << R"({"schema":"routeledger.scorer/v1","hash_bits":10})"
                                 << "scorer weights: hash_bits must be 14; retrain with `routeledger train-scorer`";
        QTest::newRow("short")
            << R"({"schema":"routeledger.scorer/v2","hash_bits":16,"bias":0,"dense":{},"hashed":[1,2]})"
            << "scorer weights: expected bias (number), dense (object) and hashed (array of 65536 numbers); retrain "
               "with `routeledger train-scorer`";
        QTest::newRow("v1 short")
            << R"({"schema":"routeledger.scorer/v1","hash_bits":14,"bias":0,"dense":{},"hashed":[1,2]})"
            << "scorer weights: expected bias (number), dense (object) and hashed (array of 16384 numbers); retrain "
               "with `routeledger train-scorer`";
    }

    void badWeights()
    {
        QFETCH(QString, json);
        QFETCH(QString, message);
        auto scorer = rl::ComplexityScorer::fromJson(json.toStdString());
        QVERIFY(!scorer.ok());
        QCOMPARE(QString::fromStdString(scorer.error().message), message);
    }

    // A v2 or v3 file must name every dense weight, the ones v2 added included; a v3 file needs its bigram table.
    void v2AndV3NeedEveryWeight()
    {
        nlohmann::json weights = nlohmann::json::parse(rl::ComplexityScorer::builtIn().toJson("test"));
        QCOMPARE(QString::fromStdString(weights["schema"].get<std::string>()), QStringLiteral("routeledger.scorer/v3"));
        QVERIFY(rl::ComplexityScorer::fromJson(weights.dump()).ok());
        nlohmann::json v2 = weights;
        v2["schema"] = "routeledger.scorer/v2";
        v2.erase("hashed_bigrams");
        QVERIFY(rl::ComplexityScorer::fromJson(v2.dump()).ok());
        for (nlohmann::json *file : {&weights, &v2}) {
            (*file)["dense"].erase("word_problem");
            auto scorer = rl::ComplexityScorer::fromJson(file->dump());
            QVERIFY(!scorer.ok());
            QVERIFY(
                QString::fromStdString(scorer.error().message).contains(QStringLiteral("\"word_problem\" is missing")));
        }
        weights = nlohmann::json::parse(rl::ComplexityScorer::builtIn().toJson("test"));
        weights["hashed_bigrams"].erase(0);
        auto scorer = rl::ComplexityScorer::fromJson(weights.dump());
        QVERIFY(!scorer.ok());
        QCOMPARE(QString::fromStdString(scorer.error().message),
                 QStringLiteral("scorer weights: expected hashed_bigrams (array of 65536 numbers); retrain with "
                                "`routeledger train-scorer`"));
    }

    // A v2 file (one table for words, stems and bigrams) scores exactly as v2 did; a v3 file looks bigrams up
    // in their own table. Both by hand, beside the scorer, and v3 again after a write and a read.
    void v2AndV3ScoreByTheirTables()
    {
        const std::size_t buckets = rl::PromptAnalyzer::kHashBuckets;
        nlohmann::json file{{"version", "t"}, {"hash_bits", 16}, {"bias", -0.5}};
        nlohmann::json dense = nlohmann::json::object();
        for (std::string_view name : rl::PromptAnalyzer::kDenseNames)
            dense[std::string(name)] = 0.0;
        dense["length"] = 0.25;
        dense["word_problem"] = 0.5;
        file["dense"] = dense;
        std::vector<float> words(buckets), bigrams(buckets);
        for (std::size_t i = 0; i < buckets; ++i) {
            words[i] = static_cast<float>(i % 13) * 0.01f;
            bigrams[i] = -static_cast<float>(i % 7) * 0.02f;
        }
        file["hashed"] = words;

        const std::string prompt =
            "Tom buys 3 apples and 4 pears, then eats half of them.\nHow many remain altogether?";
        auto byHand = [&](bool apart) {
            float sum = 0.0f;
            const auto counts = rl::PromptAnalyzer::scan(prompt, [&](std::uint32_t bucket, unsigned slot) {
                sum += apart && (slot & 1u) ? bigrams[bucket] : words[bucket];
            });
            std::array<float, rl::PromptAnalyzer::kDenseCount> f{};
            rl::PromptAnalyzer::denseFeatures(counts, f);
            const double z = -0.5 + 0.25 * f[rl::PromptAnalyzer::Length] + 0.5 * f[rl::PromptAnalyzer::WordProblem]
                             + rl::PromptAnalyzer::hashedScale(counts) * sum;
            return 1.0 / (1.0 + std::exp(-z));
        };

        std::array<float, rl::PromptAnalyzer::kDenseCount> features{};
        rl::PromptAnalyzer::denseFeatures(rl::PromptAnalyzer::scan(prompt), features);
        QVERIFY(features[rl::PromptAnalyzer::WordProblem] > 0.0f); // a v2 feature takes part

        file["schema"] = "routeledger.scorer/v2";
        auto v2 = rl::ComplexityScorer::fromJson(file.dump());
        QVERIFY(v2.ok());
        QVERIFY(qAbs(v2->score(prompt).complexity - byHand(false)) < 1e-6);

        file["schema"] = "routeledger.scorer/v3";
        file["hashed_bigrams"] = bigrams;
        auto v3 = rl::ComplexityScorer::fromJson(file.dump());
        QVERIFY(v3.ok());
        const double expected = byHand(true);
        QVERIFY(qAbs(v3->score(prompt).complexity - expected) < 1e-6);
        QVERIFY(qAbs(v3->score(prompt).complexity - v2->score(prompt).complexity) > 1e-3); // the tables differ
        auto reloaded = rl::ComplexityScorer::fromJson(v3->toJson("test"));
        QVERIFY(reloaded.ok());
        QVERIFY(qAbs(reloaded->score(prompt).complexity - expected) < 1e-6);
    }

    // Weights of the first format still load and score exactly as v1 did: its 2^14 buckets are the low bits of
    // today's, the dense features it never had weigh nothing, and stems (which it never saw) are skipped.
    void v1WeightsScoreAsBefore()
    {
        nlohmann::json v1{{"schema", "routeledger.scorer/v1"}, {"version", "1"}, {"hash_bits", 14}, {"bias", -0.5}};
        nlohmann::json dense = nlohmann::json::object();
        for (std::size_t i = 0; i < rl::PromptAnalyzer::kDenseCountV1; ++i)
            dense[std::string(rl::PromptAnalyzer::kDenseNames[i])] = 0.0;
        dense["length"] = 0.25;
        v1["dense"] = dense;
        std::vector<float> hashed(std::size_t{1} << 14);
        for (std::size_t i = 0; i < hashed.size(); ++i)
            hashed[i] = static_cast<float>(i % 13) * 0.01f;
        v1["hashed"] = hashed;
        auto scorer = rl::ComplexityScorer::fromJson(v1.dump());
        QVERIFY(scorer.ok());

        // By hand, as v1 scored: unigrams and bigrams only, in 14-bit buckets.
        const std::string prompt = "Considering thermodynamics, which statement is NOT correct?\nA. 12\nB. 15";
        float sum = 0.0f;
        int stems = 0;
        const auto counts = rl::PromptAnalyzer::scan(prompt, [&](std::uint32_t bucket, unsigned slot) {
            if (slot >= 4u)
                ++stems;
            else
                sum += hashed[bucket & ((1u << 14) - 1)];
        });
        QVERIFY(stems >= 3); // considering, thermodynamics, statement, correct
        std::array<float, rl::PromptAnalyzer::kDenseCount> features{};
        rl::PromptAnalyzer::denseFeatures(counts, features);
        const double z =
            -0.5 + 0.25 * features[rl::PromptAnalyzer::Length] + rl::PromptAnalyzer::hashedScale(counts) * sum;
        QVERIFY(qAbs(scorer->score(prompt).complexity - 1.0 / (1.0 + std::exp(-z))) < 1e-6);
    }

    // The v2 features on hand-written prompts: numbers and steps in a word problem.
    void wordProblemFeatures()
    {
        const std::string prompt =
            "Tom buys 3 apples for $1.50 each and 2 pears. Then he gives half of the remaining 12 apples away. He "
            "pays 1,200 dollars, 25% of it in cash. What is 3/4 of the rest?";
        const auto c = rl::PromptAnalyzer::scan(prompt);
        // Runs: 3, 1, 50, 2, 12, 1, 200, 25, 3, 4. "50" is a decimal part and "200" a thousands group.
        QCOMPARE(c.numbers, 10u);
        QCOMPARE(c.quantities, 8u);
        QCOMPARE(c.distinctNumbers, 6u); // 3, 1, 2, 12, 25, 4
        QCOMPARE(c.decimals, 1u);
        QCOMPARE(c.largeNumbers, 1u);     // 1,200
        QCOMPARE(c.money, 1u);            // $1.50
        QCOMPARE(c.percents, 1u);         // 25%
        QCOMPARE(c.fractions, 1u);        // 3/4
        QCOMPARE(c.numberSentences, 4u);  // every sentence holds a number; "1.50" does not end one
        QCOMPARE(c.wordsAfterNumber, 3u); // "of the rest"
        using G = rl::PromptAnalyzer::KeywordGroup;
        QCOMPARE(c.groups[G::Operation], std::uint16_t(4)); // each, half, remaining, rest
        QCOMPARE(c.groups[G::Sequence], std::uint16_t(1));  // then
        QCOMPARE(c.groups[G::Unit], std::uint16_t(1));      // dollars
        QCOMPARE(c.options, 0u);

        std::array<float, rl::PromptAnalyzer::kDenseCount> f{};
        rl::PromptAnalyzer::denseFeatures(c, f);
        QVERIFY(f[rl::PromptAnalyzer::WordProblem] > 0.0f);
        QVERIFY(f[rl::PromptAnalyzer::DistinctNumbers] > 0.0f && f[rl::PromptAnalyzer::NumberSentences] > 0.0f);
        for (float value : f)
            QVERIFY(std::isfinite(value) && value >= 0.0f && value <= 1.5f);
    }

    // Multiple choice: option lengths, numeric options, capitals and negations; the number and step
    // features describe free-form problems only, so they are zero here.
    void multipleChoiceFeatures()
    {
        const std::string prompt = "Which of the following is NOT a prime number of days?\nA. 7\nB. 11\nC. nine "
                                   "days in total\nD. $13\nAnswer:";
        const auto c = rl::PromptAnalyzer::scan(prompt);
        QCOMPARE(c.options, 4u);
        QCOMPARE(c.numericOptions, 3u); // 7, 11, $13
        QCOMPARE(c.optionWords, 4u);    // "nine days in total"
        QCOMPARE(c.capsWords, 1u);      // NOT
        using G = rl::PromptAnalyzer::KeywordGroup;
        QCOMPARE(c.groups[G::Negation], std::uint16_t(1));
        QCOMPARE(c.groups[G::Unit], std::uint16_t(2)); // days, days
        QCOMPARE(c.wordsAfterNumber, 0u);              // no number outside the options

        std::array<float, rl::PromptAnalyzer::kDenseCount> f{};
        rl::PromptAnalyzer::denseFeatures(c, f);
        QCOMPARE(f[rl::PromptAnalyzer::NumericOptions], 0.75f);
        QVERIFY(f[rl::PromptAnalyzer::OptionLength] > 0.0f);
        QVERIFY(f[rl::PromptAnalyzer::NegationWords] > 0.0f && f[rl::PromptAnalyzer::CapsWords] > 0.0f);
        QVERIFY(f[rl::PromptAnalyzer::StemWords] > 0.0f);
        for (std::size_t i = rl::PromptAnalyzer::Quantities; i <= rl::PromptAnalyzer::UnitWords; ++i)
            QCOMPARE(f[i], 0.0f);
        QCOMPARE(f[rl::PromptAnalyzer::WordProblem], 0.0f);
    }

    // Words longer than six letters also count by their first six, so related words share a weight.
    void stemsAreShared()
    {
        auto stemsOf = [](const std::string &text) {
            std::vector<std::uint32_t> stems;
            rl::PromptAnalyzer::scan(text, [&](std::uint32_t bucket, unsigned slot) {
                if (slot & 4u)
                    stems.push_back(bucket);
            });
            return stems;
        };
        QCOMPARE(stemsOf("economics").size(), std::size_t(1));
        QCOMPARE(stemsOf("Economists"), stemsOf("economics"));
        QVERIFY(stemsOf("econ eco short words").empty());
        QVERIFY(stemsOf("thermal") != stemsOf("economy"));
    }

    void labelsFileErrorsNameTheLine()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("labels.jsonl")).toStdString();
        std::ofstream(path) << R"({"prompt":"a","strong_quality":1,"weak_quality":0})"
                            << "\n"
                            << R"({"prompt":"b","strong_quality":"high","weak_quality":0})"
                            << "\n";
        auto rows = rl::LabelledPrompts::readFile(path);
        QVERIFY(!rows.ok());
        QCOMPARE(QString::fromStdString(rows.error().message),
                 QString::fromStdString(path) + QStringLiteral(":2: \"strong_quality\" is missing or not a number"));
    }

    void labelsNameTheirSource()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("labels.jsonl")).toStdString();
        std::ofstream(path) << R"({"id":"gsm8k/1","prompt":"a","strong_quality":1,"weak_quality":0})"
                            << "\n"
                            << R"({"id":"x/2","source":"mmlu","prompt":"b","strong_quality":1,"weak_quality":0})"
                            << "\n"
                            << R"({"prompt":"c","strong_quality":1,"weak_quality":0})"
                            << "\n";
        auto rows = rl::LabelledPrompts::readFile(path);
        QVERIFY(rows.ok());
        QCOMPARE(QString::fromStdString(rows->at(0).source), QStringLiteral("gsm8k"));
        QCOMPARE(QString::fromStdString(rows->at(1).source), QStringLiteral("mmlu"));
        QCOMPARE(QString::fromStdString(rows->at(2).source), QString());
    }

    void heldOutSplitIsStable()
    {
        int held = 0;
        for (int i = 0; i < 10000; ++i) {
            rl::LabelledPrompt row{"mmlu/x/" + std::to_string(i), "p", 1, 0};
            const bool first = rl::LabelledPrompts::isHeldOut(row, 0.2);
            QCOMPARE(rl::LabelledPrompts::isHeldOut(row, 0.2), first);
            held += first;
        }
        QVERIFY(held > 1800 && held < 2200);
    }
};

ROUTELEDGER_TEST_SUITE(TestComplexityScorer)
#include "tst_complexityscorer.moc"
