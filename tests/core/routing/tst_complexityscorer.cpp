// The complexity scorer: shipped weights load, scores are probabilities, harder prompts score higher
// on average, task labels and token estimates behave, and bad weight files are refused with a reason.
#include "routing/complexityscorer.h"
#include "routing/labelledprompts.h"
#include "routing/scorertrainer.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

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

    void badWeights_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << "nope"
                                  << "scorer weights: not a JSON object; retrain with `routeledger train-scorer`";
        QTest::newRow("schema")
            << R"({"schema":"x"})"
            << "scorer weights: schema is not \"routeledger.scorer/v1\"; retrain with `routeledger train-scorer`";
        QTest::newRow("bits") << R"({"schema":"routeledger.scorer/v1","hash_bits":10})"
                              << "scorer weights: hash_bits must be 14; retrain with `routeledger train-scorer`";
        QTest::newRow("short")
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
