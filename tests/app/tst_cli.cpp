// The headless subcommands of the real `routeledger` executable: exit codes and output.
#include "clirun.h"
#include "testdata.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

using Run = CliRun;

Run run(const QStringList &args)
{
    return runCli(args);
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    QFile file(dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(name));
    file.write(content);
    return file.fileName();
}

const QString kDefaultPolicy = testdata::sourcePath(QStringLiteral("resources/policies/default-policy.json"));

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void validPolicy()
    {
        const Run r = run({QStringLiteral("validate-policy"), kDefaultPolicy});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("valid\n"));
    }

    void validPolicyWithWarnings()
    {
        const Run r =
            run({QStringLiteral("validate-policy"),
                 testdata::path(QStringLiteral("core/routing/validation/shadowed-by-catch-all/policy.json"))});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("valid\nwarning: /rules/1: rule \"later\" can never match: rule \"catch-all\" "
                                       "(/rules/0) before it always matches\n"));
    }

    void invalidPolicyListsEveryProblem()
    {
        const QString folder = testdata::path(QStringLiteral("core/routing/validation/bad-budgets"));
        const Run r = run({QStringLiteral("validate-policy"), folder + QStringLiteral("/policy.json")});
        QCOMPARE(r.code, 1);
        QCOMPARE(r.out, QString::fromUtf8(testdata::read(folder + QStringLiteral("/expected.txt"))));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no file") << QStringList{QStringLiteral("validate-policy")}
                                 << "validate-policy takes one policy file";
        QTest::newRow("unknown option") << QStringList{QStringLiteral("route"), QStringLiteral("--polcy"),
                                                       QStringLiteral("x")}
                                        << "unknown option --polcy; see --help";
        QTest::newRow("missing request") << QStringList{QStringLiteral("route"), QStringLiteral("--policy"),
                                                        kDefaultPolicy}
                                         << "route needs --policy FILE and --request FILE";
        QTest::newRow("bad ratio") << QStringList{QStringLiteral("eval-scorer"), QStringLiteral("--labels"),
                                                  QStringLiteral("x"), QStringLiteral("--price-ratio"),
                                                  QStringLiteral("2")}
                                   << "--price-ratio expects a number from 0 to 1, got \"2\"";
        QTest::newRow("not a number") << QStringList{QStringLiteral("eval-scorer"), QStringLiteral("--labels"),
                                                     QStringLiteral("x"), QStringLiteral("--price-ratio"),
                                                     QStringLiteral("nan")}
                                      << "--price-ratio expects a number from 0 to 1, got \"nan\"";
        QTest::newRow("bad smoothing") << QStringList{QStringLiteral("train-scorer"),
                                                      QStringLiteral("--labels"),
                                                      QStringLiteral("x"),
                                                      QStringLiteral("--out"),
                                                      QStringLiteral("y"),
                                                      QStringLiteral("--group-smoothing"),
                                                      QStringLiteral("2")}
                                       << "--group-smoothing expects a number from 0 to 1, got \"2\"";
        QTest::newRow("bad l2") << QStringList{QStringLiteral("train-scorer"),
                                               QStringLiteral("--labels"),
                                               QStringLiteral("x"),
                                               QStringLiteral("--out"),
                                               QStringLiteral("y"),
                                               QStringLiteral("--l2"),
                                               QStringLiteral("-1")}
                                << "--l2 expects a number from 0 to 1, got \"-1\"";
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")}
                                         << "unknown command \"frobnicate\"";
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = run(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(message), qPrintable(r.err));
    }

    void helpForEveryCommand_data()
    {
        QTest::addColumn<QString>("command");
        for (const char *command : {"validate-policy", "route", "train-scorer", "eval-scorer", "demo", "prices",
                                    "sources", "poll", "simulate", "calibrate"})
            QTest::newRow(command) << QString::fromLatin1(command);
    }

    void helpForEveryCommand()
    {
        QFETCH(QString, command);
        const Run r = run({command, QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith(QStringLiteral("Usage: routeledger ") + command));
    }

    void routePrintsTheDecision()
    {
        QTemporaryDir dir;
        const QString request = writeFile(dir, QStringLiteral("request.json"), R"({"model":"auto","messages":[
            {"role":"user","content":"Review clause 4.2 of this supply contract"}],
            "routeledger":{"team":"legal","budget_used":0.2}})");
        const Run r = run({QStringLiteral("route"), QStringLiteral("--policy"), kDefaultPolicy,
                           QStringLiteral("--request"), request});
        QCOMPARE(r.code, 0);
        const QJsonObject decision = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(decision.value(QStringLiteral("tier")).toString(), QStringLiteral("frontier"));
        QCOMPARE(decision.value(QStringLiteral("model")).toString(), QStringLiteral("anthropic/claude-opus-4-1"));
        QCOMPARE(decision.value(QStringLiteral("rule")).toString(), QStringLiteral("legal-frontier"));
        QCOMPARE(decision.value(QStringLiteral("blocked")).toBool(), false);
        QCOMPARE(decision.value(QStringLiteral("budget_action")).toString(), QStringLiteral("none"));
        for (const char *key : {"complexity", "task", "input_tokens", "trail"})
            QVERIFY2(decision.contains(QLatin1String(key)), key);
        const QJsonArray trail = decision.value(QStringLiteral("trail")).toArray();
        QCOMPARE(trail.size(), 2);
        QCOMPARE(trail.at(0).toObject().value(QStringLiteral("failed")).toString(),
                 QStringLiteral("/rules/0/when/prompt/matches"));
        QCOMPARE(trail.at(1).toObject().value(QStringLiteral("outcome")).toString(), QStringLiteral("matched"));
    }

    void routeBlockedRequest()
    {
        QTemporaryDir dir;
        const QString request =
            writeFile(dir, QStringLiteral("request.json"),
                      R"({"messages":[{"role":"user","content":"-----BEGIN RSA PRIVATE KEY----- MIIEow"}]})");
        const Run r = run({QStringLiteral("route"), QStringLiteral("--policy"), kDefaultPolicy,
                           QStringLiteral("--request"), request, QStringLiteral("--compact")});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out.count(QLatin1Char('\n')), 1);
        const QJsonObject decision = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(decision.value(QStringLiteral("blocked")).toBool(), true);
        QCOMPARE(decision.value(QStringLiteral("reason")).toString(), QStringLiteral("credentials in prompt"));
        QVERIFY(decision.value(QStringLiteral("tier")).isNull());
    }

    void routeRefusesBadInput()
    {
        QTemporaryDir dir;
        const QString bad = writeFile(dir, QStringLiteral("request.json"), R"({"messages":[]})");
        Run r = run(
            {QStringLiteral("route"), QStringLiteral("--policy"), kDefaultPolicy, QStringLiteral("--request"), bad});
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err, bad + QStringLiteral(": \"messages\" is empty; send at least one message\n"));
        QVERIFY(r.out.isEmpty());

        const QString policy = testdata::path(QStringLiteral("core/routing/validation/unknown-default/policy.json"));
        r = run({QStringLiteral("route"), QStringLiteral("--policy"), policy, QStringLiteral("--request"), bad});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("/default_tier: unknown tier \"cheap\"")));
    }

    void trainAndEvaluate()
    {
        QTemporaryDir dir;
        // A small slice of the labelled prompts keeps this quick; quality is measured in bench/, not here.
        QFile labels(QStringLiteral(ROUTELEDGER_LABELS));
        QVERIFY(labels.open(QIODevice::ReadOnly));
        QByteArray slice;
        for (int i = 0; i < 1500 && !labels.atEnd(); ++i)
            slice += labels.readLine();
        const QString labelsFile = writeFile(dir, QStringLiteral("labels.jsonl"), slice);
        const QString weights = dir.filePath(QStringLiteral("weights.json"));

        Run r = run(
            {QStringLiteral("train-scorer"), QStringLiteral("--labels"), labelsFile, QStringLiteral("--out"), weights});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("complexity scorer")), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("prompt length")));
        QVERIFY(QFile::exists(weights));

        const QString scores = dir.filePath(QStringLiteral("scores.txt"));
        r = run({QStringLiteral("eval-scorer"), QStringLiteral("--labels"), labelsFile, QStringLiteral("--weights"),
                 weights, QStringLiteral("--json"), QStringLiteral("--scores-out"), scores});
        QCOMPARE(r.code, 0);
        const QJsonObject metrics = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(metrics.keys(), (QStringList{"apgr", "cpt50", "cpt80", "n", "saving_at_95"}));
        QCOMPARE(metrics.value(QStringLiteral("n")).toInt(), 1500);
        // Scored on its own training rows the scorer must beat random routing (APGR 0.5) by a margin; APGR
        // may exceed 1 when a router also avoids the prompts where the weak model does better.
        const double apgr = metrics.value(QStringLiteral("apgr")).toDouble();
        QVERIFY2(apgr > 0.6, qPrintable(QString::number(apgr)));
        const QStringList lines =
            QString::fromUtf8(testdata::read(scores)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1500);
        for (const QString &line : lines) {
            bool ok = false;
            const double score = line.toDouble(&ok);
            QVERIFY(ok && score >= 0.0 && score <= 1.0);
        }

        // --by-source: the same top-level keys and figures, plus each source's (the slice holds all 660 GSM8K
        // rows, then MMLU), whose counts add up to the whole.
        r = run({QStringLiteral("eval-scorer"), QStringLiteral("--labels"), labelsFile, QStringLiteral("--weights"),
                 weights, QStringLiteral("--json"), QStringLiteral("--by-source")});
        QCOMPARE(r.code, 0);
        const QJsonObject withSources = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(withSources.keys(), (QStringList{"apgr", "by_source", "cpt50", "cpt80", "n", "saving_at_95"}));
        QCOMPARE(withSources.value(QStringLiteral("apgr")).toDouble(), apgr);
        const QJsonObject sources = withSources.value(QStringLiteral("by_source")).toObject();
        QCOMPARE(sources.keys(), (QStringList{"gsm8k", "mmlu"}));
        int total = 0;
        for (const QString &source : sources.keys()) {
            const QJsonObject each = sources.value(source).toObject();
            QCOMPARE(each.keys(), metrics.keys());
            QVERIFY2(each.value(QStringLiteral("apgr")).toDouble() > 0.5, qPrintable(source));
            total += each.value(QStringLiteral("n")).toInt();
        }
        QCOMPARE(sources.value(QStringLiteral("gsm8k")).toObject().value(QStringLiteral("n")).toInt(), 660);
        QCOMPARE(total, 1500);

        r = run({QStringLiteral("eval-scorer"), QStringLiteral("--labels"), labelsFile, QStringLiteral("--weights"),
                 weights, QStringLiteral("--by-source")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("\nsource gsm8k (660 prompts):\n")), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("\nsource mmlu (840 prompts):\n")));
        QVERIFY(
            run({QStringLiteral("eval-scorer"), QStringLiteral("--help")}).out.contains(QStringLiteral("--by-source")));

        // --validation reports on a further slice of the training rows, never on the held-out ones.
        r = run({QStringLiteral("train-scorer"), QStringLiteral("--labels"), labelsFile, QStringLiteral("--out"),
                 weights, QStringLiteral("--validation"), QStringLiteral("0.2"), QStringLiteral("--epochs"),
                 QStringLiteral("5")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("validation ("))
                     && !r.out.contains(QStringLiteral("held-out validation")),
                 qPrintable(r.out));
    }

    void demoAndPrices()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(QStringLiteral("demo.db"));
        Run r = run({QStringLiteral("demo"), QStringLiteral("--out"), store, QStringLiteral("--events"),
                     QStringLiteral("3000"), QStringLiteral("--end"), QStringLiteral("2026-03-01")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith(QStringLiteral("wrote 3000 requests over 90 days to ")));
        r = run({QStringLiteral("demo"), QStringLiteral("--out"), store});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("already exists")));

        r = run({QStringLiteral("prices"), QStringLiteral("--store"), store, QStringLiteral("--override"),
                 QStringLiteral("openai/gpt-5"), QStringLiteral("--input"), QStringLiteral("1"),
                 QStringLiteral("--output"), QStringLiteral("8"), QStringLiteral("--from"),
                 QStringLiteral("2026-02-01"), QStringLiteral("--discount"), QStringLiteral("openai"),
                 QStringLiteral("--percent"), QStringLiteral("10"), QStringLiteral("--show"),
                 QStringLiteral("openai/gpt-5"), QStringLiteral("--at"), QStringLiteral("2026-02-15")});
        QCOMPARE(r.code, 0);
        QVERIFY2(
            r.out.contains(QStringLiteral("openai/gpt-5: input $1.0000, cached input $1.0000, cache write $1.0000, "
                                          "output $8.0000 per million tokens; discount 10.00 %")),
            qPrintable(r.out));
        r = run({QStringLiteral("prices"), QStringLiteral("--store"), store, QStringLiteral("--show"),
                 QStringLiteral("openai/gpt-5"), QStringLiteral("--at"), QStringLiteral("2026-01-15")});
        QVERIFY(r.out.contains(QStringLiteral("input $1.2500")));
        const QString badCatalog = writeFile(dir, QStringLiteral("bad.json"),
                                             R"({"m":{"input_cost_per_token":-1,"output_cost_per_token":1e-6}})");
        r = run({QStringLiteral("prices"), QStringLiteral("--store"), store, QStringLiteral("--import"), badCatalog});
        QCOMPARE(r.code, 1);
        QVERIFY(
            r.err.contains(QStringLiteral("m: input_cost_per_token: expected a price in USD per token from 0 to 1")));
    }

    // `routeledger simulate` as issue 14 writes it: the JSON keys scripts read, the baseline from the store or a
    // file, a team's scope, and every refusal with its exit code and reason.
    void simulateContract()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(QStringLiteral("demo.db"));
        QCOMPARE(run({QStringLiteral("demo"), QStringLiteral("--out"), store, QStringLiteral("--events"),
                      QStringLiteral("3000"), QStringLiteral("--end"), QStringLiteral("2026-03-01")})
                     .code,
                 0);
        // The draft: the demo's first version, which sends less to the light tier than the published second.
        Run shown = run({QStringLiteral("policy"), QStringLiteral("show"), QStringLiteral("--store"), store,
                         QStringLiteral("--version"), QStringLiteral("1")});
        QCOMPARE(shown.code, 0);
        const QString draft = writeFile(dir, QStringLiteral("draft.json"), shown.out.toUtf8());
        const QStringList period{QStringLiteral("--from"), QStringLiteral("2026-02-01"), QStringLiteral("--to"),
                                 QStringLiteral("2026-02-28")};
        Run r =
            run(QStringList{QStringLiteral("simulate"), QStringLiteral("--store"), store, QStringLiteral("--policy"),
                            draft, QStringLiteral("--baseline"), QStringLiteral("published")}
                + period + QStringList{QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject all = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY(all[QStringLiteral("events")].toInteger() > 100);
        for (const char *side : {"baseline", "draft"}) {
            const QJsonObject figures = all[QLatin1String(side)].toObject();
            QVERIFY(figures[QStringLiteral("cost_micro_usd")].toInteger() > 0);
            QVERIFY(figures[QStringLiteral("frontier_cost_micro_usd")].toInteger()
                    > figures[QStringLiteral("cost_micro_usd")].toInteger());
            QVERIFY(figures[QStringLiteral("tiers")].toObject().contains(QStringLiteral("light")));
        }
        QCOMPARE(all[QStringLiteral("baseline")].toObject()[QStringLiteral("version")].toInteger(), 2);
        const QJsonArray moved = all[QStringLiteral("moved")].toArray();
        QVERIFY(!moved.isEmpty());
        for (const char *key : {"from", "to", "requests", "cost_delta_micro_usd"})
            QVERIFY2(moved.first().toObject().contains(QLatin1String(key)), key);
        QVERIFY(all[QStringLiteral("unknown")].toObject().contains(QStringLiteral("requests")));
        QVERIFY(all[QStringLiteral("unknown")].toObject()[QStringLiteral("reasons")].isObject());

        // A file as the baseline (the draft against itself: nothing moves), and one team's requests.
        r = run(QStringList{QStringLiteral("simulate"), QStringLiteral("--store"), store, QStringLiteral("--policy"),
                            draft, QStringLiteral("--baseline"), draft, QStringLiteral("--team"),
                            QStringLiteral("legal")}
                + period + QStringList{QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject legal = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY(legal[QStringLiteral("events")].toInteger() < all[QStringLiteral("events")].toInteger());
        QVERIFY(legal[QStringLiteral("moved")].toArray().isEmpty());
        QCOMPARE(legal[QStringLiteral("scope")].toObject()[QStringLiteral("team")].toString(), QStringLiteral("legal"));
        // Without --json: a table a person reads.
        r = run(
            QStringList{QStringLiteral("simulate"), QStringLiteral("--store"), store, QStringLiteral("--policy"), draft}
            + period);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("Saved vs all-frontier")), qPrintable(r.out));

        // Refusals: wrong arguments exit 2, refused input exits 1, each saying why.
        const QString broken = writeFile(dir, QStringLiteral("broken.json"), R"({"schema": "routeledger.policy/v1"})");
        const struct {
            QStringList args;
            int code;
            QString says;
        } refusals[] = {
            {{QStringLiteral("--policy"), draft, QStringLiteral("--from"), QStringLiteral("2026-02-01")},
             2,
             QStringLiteral("simulate needs --to")},
            {{QStringLiteral("--policy"), draft, QStringLiteral("--from"), QStringLiteral("2026-02-30"),
              QStringLiteral("--to"), QStringLiteral("2026-03-01")},
             2,
             QStringLiteral("YYYY-MM-DD")},
            {{QStringLiteral("--policy"), draft, QStringLiteral("--from"), QStringLiteral("2026-02-10"),
              QStringLiteral("--to"), QStringLiteral("2026-02-01")},
             2,
             QStringLiteral("comes before --from")},
            {QStringList{QStringLiteral("--policy"), broken} + period, 1, QStringLiteral("is not a valid policy")},
            {QStringList{QStringLiteral("--policy"), draft, QStringLiteral("--baseline"), QStringLiteral("9")} + period,
             1, QStringLiteral("has no published version 9")},
            {{QStringLiteral("--policy"), draft, QStringLiteral("--from"), QStringLiteral("2020-01-01"),
              QStringLiteral("--to"), QStringLiteral("2020-01-31")},
             1,
             QStringLiteral("No requests stored from 2020-01-01 to 2020-01-31")},
            {QStringList{QStringLiteral("--policy"), draft, QStringLiteral("--team"), QStringLiteral("nobody")}
                 + period,
             1, QStringLiteral("team \"nobody\"")},
        };
        for (const auto &refusal : refusals) {
            r = run(QStringList{QStringLiteral("simulate"), QStringLiteral("--store"), store} + refusal.args);
            QVERIFY2(r.code == refusal.code, qPrintable(refusal.args.join(' ') + ": " + r.err));
            QVERIFY2(r.err.contains(refusal.says), qPrintable(r.err));
        }
        r = run(QStringList{QStringLiteral("simulate"), QStringLiteral("--store"),
                            dir.filePath(QStringLiteral("none.db")), QStringLiteral("--policy"), draft}
                + period);
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("There is no store at")));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("none.db"))));

        // `routeledger calibrate` on the same store: the keys scripts read, the draft written with the proposal
        // (a valid policy whose thresholds are the proposed ones), and its refusals.
        const QString calibrated = dir.filePath(QStringLiteral("calibrated.json"));
        r = run(QStringList{QStringLiteral("calibrate"), QStringLiteral("--store"), store, QStringLiteral("--policy"),
                            draft, QStringLiteral("--target-quality"), QStringLiteral("0.97"), QStringLiteral("--out"),
                            calibrated, QStringLiteral("--json")}
                + period);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject calibration = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(calibration[QStringLiteral("target")].toObject()[QStringLiteral("kind")].toString(),
                 QStringLiteral("quality"));
        QVERIFY(calibration[QStringLiteral("scored")].toInteger() > 100);
        for (const char *key : {"evidence", "unknown", "current", "proposed", "curve", "thresholds"})
            QVERIFY2(calibration.contains(QLatin1String(key)), key);
        const QJsonObject proposed = calibration[QStringLiteral("proposed")].toObject();
        for (const char *key : {"thresholds", "cost_micro_usd", "quality", "frontier_share", "tiers"})
            QVERIFY2(proposed.contains(QLatin1String(key)), key);
        if (calibration[QStringLiteral("target")].toObject()[QStringLiteral("reached")].toBool())
            QVERIFY(proposed[QStringLiteral("quality")].toDouble() >= 0.97);
        const QJsonArray thresholds = calibration[QStringLiteral("thresholds")].toArray();
        QVERIFY(!thresholds.isEmpty());
        Run check = run({QStringLiteral("validate-policy"), calibrated});
        QVERIFY2(check.code == 0, qPrintable(check.err));
        QFile written(calibrated);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QByteArray writtenText = written.readAll();
        for (const QJsonValue &t : thresholds) {
            const QString value = QString::number(t.toObject()[QStringLiteral("proposed")].toDouble(), 'g', 3);
            QVERIFY2(writtenText.contains(value.toUtf8()), qPrintable(value));
        }
        r = run(QStringList{QStringLiteral("calibrate"), QStringLiteral("--store"), store, QStringLiteral("--policy"),
                            draft, QStringLiteral("--target-frontier-share"), QStringLiteral("0.3")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("THRESHOLD OF RULES")), qPrintable(r.out));
        const QString noThresholds = writeFile(dir, QStringLiteral("flat.json"),
                                               R"({"schema": "routeledger.policy/v1", "name": "flat", "version": 1,
                "tiers": [{"name": "frontier", "models": ["openai/gpt-5"]}], "default_tier": "frontier", "rules": []})");
        const struct {
            QStringList args;
            int code;
            QString says;
        } calibrateRefusals[] = {
            {{QStringLiteral("--policy"), draft}, 2, QStringLiteral("calibrate needs one target")},
            {{QStringLiteral("--policy"), draft, QStringLiteral("--target-quality"), QStringLiteral("0.9"),
              QStringLiteral("--target-frontier-share"), QStringLiteral("0.2")},
             2,
             QStringLiteral("calibrate needs one target")},
            {{QStringLiteral("--policy"), draft, QStringLiteral("--target-quality"), QStringLiteral("95")},
             2,
             QStringLiteral("a fraction")},
            {{QStringLiteral("--policy"), noThresholds, QStringLiteral("--target-quality"), QStringLiteral("0.9")},
             1,
             QStringLiteral("nothing to calibrate")},
            {{QStringLiteral("--policy"), draft, QStringLiteral("--target-quality"), QStringLiteral("0.9"),
              QStringLiteral("--labels"), dir.filePath(QStringLiteral("missing.jsonl"))},
             1,
             QStringLiteral("missing.jsonl")},
            {{QStringLiteral("--policy"), draft, QStringLiteral("--target-quality"), QStringLiteral("0.9"),
              QStringLiteral("--out"), dir.filePath(QStringLiteral("no/such/dir/out.json"))},
             1,
             QStringLiteral("was not written")},
        };
        for (const auto &refusal : calibrateRefusals) {
            r = run(QStringList{QStringLiteral("calibrate"), QStringLiteral("--store"), store} + refusal.args);
            QVERIFY2(r.code == refusal.code, qPrintable(refusal.args.join(' ') + ": " + r.err));
            QVERIFY2(r.err.contains(refusal.says), qPrintable(r.err));
        }
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("no/such/dir/out.json"))));
    }

    // A store command never reports success without having done its work, and never adopts, creates or
    // writes to a file it should not.
    void storeCommandsRefuseWhatIsNotAStore()
    {
        QTemporaryDir dir;
        const QStringList override{QStringLiteral("--override"), QStringLiteral("openai/gpt-5"),
                                   QStringLiteral("--input"),    QStringLiteral("1"),
                                   QStringLiteral("--output"),   QStringLiteral("8")};

        Run r = run({QStringLiteral("demo"), QStringLiteral("--out"), QString()});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("demo --out needs a file name")), qPrintable(r.err));

        // Another program's SQLite file: refused, and left exactly as it was.
        const QString foreign = dir.filePath(QStringLiteral("other.db"));
        QProcess sqlite;
        sqlite.start(QStringLiteral("sqlite3"),
                     {foreign, QStringLiteral("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);")});
        QVERIFY(sqlite.waitForFinished(10000) && sqlite.exitCode() == 0);
        QFile before(foreign);
        QVERIFY(before.open(QIODevice::ReadOnly));
        const QByteArray original = before.readAll();
        before.close();
        r = run(QStringList{QStringLiteral("prices"), QStringLiteral("--store"), foreign} + override);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("is not a RouteLedger store (an SQLite file with other tables: notes)")),
                 qPrintable(r.err));
        QFile after(foreign);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), original);
        QVERIFY(!QFile::exists(foreign + QStringLiteral("-wal")));

        // A store that does not exist is not created behind the user's back.
        const QString missing = dir.filePath(QStringLiteral("typo.db"));
        r = run(QStringList{QStringLiteral("prices"), QStringLiteral("--store"), missing} + override);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("There is no store at ")), qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("--create")));
        QVERIFY(!QFile::exists(missing));
        r = run(QStringList{QStringLiteral("prices"), QStringLiteral("--store"), missing, QStringLiteral("--create")}
                + override);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("created a new, empty store at ") + missing), qPrintable(r.out));
        QVERIFY(QFile::exists(missing));

        // A damaged store: refused before anything is written.
        const QString damaged = dir.filePath(QStringLiteral("damaged.db"));
        r = run({QStringLiteral("demo"), QStringLiteral("--out"), damaged, QStringLiteral("--events"),
                 QStringLiteral("20000"), QStringLiteral("--end"), QStringLiteral("2026-03-01")});
        QCOMPARE(r.code, 0);
        {
            QFile file(damaged);
            QVERIFY(file.open(QIODevice::ReadWrite));
            const qint64 size = file.size();
            QVERIFY(size > 4096 * 64);
            file.seek(size / 2); // the middle of the tables' pages, well past the schema
            file.write(QByteArray(4096 * 16, '\x5a'));
        }
        QFile damagedFile(damaged);
        QVERIFY(damagedFile.open(QIODevice::ReadOnly));
        const QByteArray damagedBytes = damagedFile.readAll();
        damagedFile.close();
        r = run(QStringList{QStringLiteral("prices"), QStringLiteral("--store"), damaged} + override);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("is damaged")), qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("Nothing was written")));
        QVERIFY(!r.out.contains(QStringLiteral("override saved")));
        QVERIFY(damagedFile.open(QIODevice::ReadOnly));
        QCOMPARE(damagedFile.readAll(), damagedBytes); // not a byte changed
        QVERIFY(!QFile::exists(damaged + QStringLiteral(".backup-v3")));
    }

    // Headless input files from outside get the same nesting limit as the router's requests.
    void deeplyNestedInputFilesAreRefused()
    {
        QTemporaryDir dir;
        const QByteArray deep = QByteArray(100000, '[') + QByteArray(100000, ']');
        const QString request =
            writeFile(dir, QStringLiteral("request.json"),
                      QByteArray(R"({"messages":[{"role":"user","content":"hi"}],"x":)") + deep + QByteArray("}"));
        Run r = run({QStringLiteral("route"), QStringLiteral("--policy"), kDefaultPolicy, QStringLiteral("--request"),
                     request});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("nesting deeper than 128 levels")), qPrintable(r.err));
        const QString policy = writeFile(dir, QStringLiteral("policy.json"), QByteArray(R"({"x":)") + deep + "}");
        r = run({QStringLiteral("validate-policy"), policy});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(QStringLiteral("nested deeper than 64 levels"))
                     || r.err.contains(QStringLiteral("nested deeper than 64 levels")),
                 qPrintable(r.out + r.err));
    }

    // `policy list|show` and `audit verify|export` on a demo store, which publishes the demo's versions 1 and 2.
    void policyVersionsAndTheAuditLogOfADemoStore()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(QStringLiteral("demo.db"));
        Run r = run({QStringLiteral("demo"), QStringLiteral("--out"), store, QStringLiteral("--events"),
                     QStringLiteral("500"), QStringLiteral("--days"), QStringLiteral("10"), QStringLiteral("--end"),
                     QStringLiteral("2026-03-01")});
        QCOMPARE(r.code, 0);
        const QStringList storeArg{QStringLiteral("--store"), store};
        auto command = [&](const char *group, const char *sub, const QStringList &more = {}) {
            return run(QStringList{QString::fromLatin1(group), QString::fromLatin1(sub)} + storeArg + more);
        };

        r = command("policy", "list");
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("1        2026-02-19T00:00:00Z  demo  First policy")),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("2        2026-02-24T00:00:00Z  demo  More to the light tier")),
                 qPrintable(r.out)); // the day the demo's traffic switched (day 5 of 10)
        QVERIFY(r.out.contains(QStringLiteral("No drafts in ")));
        r = command("policy", "list", {QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject listed = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QJsonArray versions = listed.value(QStringLiteral("versions")).toArray();
        QCOMPARE(versions.size(), 2);
        QCOMPARE(versions[1].toObject().value(QStringLiteral("version")).toInt(), 2);
        QCOMPARE(versions[1].toObject().value(QStringLiteral("published_by")).toString(), QStringLiteral("demo"));
        QCOMPARE(versions[1].toObject().value(QStringLiteral("published")).toString(),
                 QStringLiteral("2026-02-24T00:00:00Z"));
        QVERIFY(versions[0].toObject().value(QStringLiteral("rollback_of")).isNull());
        QCOMPARE(listed.value(QStringLiteral("drafts")).toArray().size(), 0);

        r = command("policy", "show", {QStringLiteral("--version"), QStringLiteral("2")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("{\n  \"schema\": \"routeledger.policy/v1\",\n  \"name\": "
                                                 "\"acme-prod\",\n  \"version\": 2,\n")),
                 qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("\"routine-to-light\"")));
        const QString second = r.out;
        QCOMPARE(command("policy", "show", {QStringLiteral("--version"), QStringLiteral("latest")}).out, second);
        // What show prints is a policy validate-policy accepts, as it is.
        const QString pulled = writeFile(dir, QStringLiteral("pulled.json"), second.toUtf8());
        QCOMPARE(run({QStringLiteral("validate-policy"), pulled}).code, 0);
        r = command("policy", "show", {QStringLiteral("--version"), QStringLiteral("1")});
        QVERIFY(r.out.contains(QStringLiteral("\"version\": 1,")) && !r.out.contains(QStringLiteral("routine")));
        r = command("policy", "show", {QStringLiteral("--version"), QStringLiteral("9")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("has no published version 9 (it has versions 1 to 2)")),
                 qPrintable(r.err));
        QCOMPARE(r.out, QString());
        r = command("policy", "show", {QStringLiteral("--draft"), QStringLiteral("nope")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("has no draft named \"nope\"")));
        QCOMPARE(command("policy", "show").code, 2);
        QCOMPARE(command("policy", "show", {QStringLiteral("--version"), QStringLiteral("two")}).code, 2);
        QCOMPARE(
            command("policy", "show",
                    {QStringLiteral("--version"), QStringLiteral("1"), QStringLiteral("--draft"), QStringLiteral("x")})
                .code,
            2);

        // Version 1, the twelve teams' budgets, version 2.
        r = command("audit", "verify");
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("audit log intact: 14 entries\nlast hash: ")), qPrintable(r.out));

        r = command("audit", "export", {QStringLiteral("--format"), QStringLiteral("jsonl")});
        QCOMPARE(r.code, 0);
        const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 14);
        for (int i = 0; i < lines.size(); ++i) {
            const QJsonObject entry = QJsonDocument::fromJson(lines[i].toUtf8()).object();
            QCOMPARE(entry.value(QStringLiteral("seq")).toInt(), i + 1);
            QCOMPARE(entry.value(QStringLiteral("actor")).toString(), QStringLiteral("demo"));
            QCOMPARE(entry.value(QStringLiteral("hash")).toString().size(), 64);
        }
        const QJsonObject last = QJsonDocument::fromJson(lines.last().toUtf8()).object();
        QCOMPARE(last.value(QStringLiteral("action")).toString(), QStringLiteral("policy.publish"));
        QCOMPARE(last.value(QStringLiteral("object")).toString(), QStringLiteral("version 2"));
        QCOMPARE(QJsonDocument::fromJson(last.value(QStringLiteral("before")).toString().toUtf8())
                     .object()
                     .value(QStringLiteral("version"))
                     .toInt(),
                 1);

        const QString csv = dir.filePath(QStringLiteral("audit.csv"));
        r = command("audit", "export",
                    {QStringLiteral("--format"), QStringLiteral("csv"), QStringLiteral("--out"), csv});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QString());
        const QString table = QString::fromUtf8(testdata::read(csv));
        QVERIFY(
            table.startsWith(QStringLiteral("seq,time,time_ms,actor,action,object,before,after,prev_hash,hash\r\n")));
        QCOMPARE(table.count(QStringLiteral("\r\n")), 15);
        // A field with quotes and commas is quoted, its quotes doubled.
        QVERIFY2(table.contains(QStringLiteral("\r\n2,2026-02-19T00:00:00Z,1771459200000,demo,budget.set,")),
                 qPrintable(table.left(2000)));
        QVERIFY(table.contains(QStringLiteral(",\"{\"\"id\"\":")));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).filter(QStringLiteral("tmp")).size(), 0);
        r = command("audit", "export",
                    {QStringLiteral("--format"), QStringLiteral("csv"), QStringLiteral("--out"),
                     dir.filePath(QStringLiteral("no-such-folder/audit.csv"))});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("cannot write ")) && r.err.contains(QStringLiteral("no-such-folder")),
                 qPrintable(r.err));
        QCOMPARE(command("audit", "export").code, 2);
        QCOMPARE(command("audit", "export", {QStringLiteral("--format"), QStringLiteral("xml")}).code, 2);

        // Someone edits the budgets' entries in the file itself (same length, so SQLite still reads it).
        {
            QFile file(store);
            QVERIFY(file.open(QIODevice::ReadWrite));
            QByteArray bytes = file.readAll();
            QVERIFY(bytes.contains("\"period\":\"month\""));
            bytes.replace("\"period\":\"month\"", "\"period\":\"week!\"");
            QVERIFY(file.seek(0));
            QCOMPARE(file.write(bytes), bytes.size());
        }
        r = command("audit", "verify");
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.startsWith(QStringLiteral("audit log broken at entry 2 of ") + store
                                  + QStringLiteral(": entry 2 was edited (its hash does not match).\n")),
                 qPrintable(r.out + r.err));

        for (const char *sub : {"list", "show"})
            QVERIFY(run({QStringLiteral("policy"), QString::fromLatin1(sub), QStringLiteral("--help")})
                        .out.startsWith(QStringLiteral("Usage: routeledger policy ") + QString::fromLatin1(sub)));
        for (const char *sub : {"verify", "export"})
            QVERIFY(run({QStringLiteral("audit"), QString::fromLatin1(sub), QStringLiteral("--help")})
                        .out.startsWith(QStringLiteral("Usage: routeledger audit ") + QString::fromLatin1(sub)));
    }

    void evalRefusesBadFiles()
    {
        QTemporaryDir dir;
        const QString labelsFile = writeFile(dir, QStringLiteral("labels.jsonl"), "{\"prompt\": 1}\n");
        Run r = run({QStringLiteral("eval-scorer"), QStringLiteral("--labels"), labelsFile});
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err, labelsFile + QStringLiteral(":1: \"prompt\" is missing or not a string\n"));
        const QString goodLabels = writeFile(dir, QStringLiteral("good.jsonl"),
                                             "{\"prompt\":\"a\",\"strong_quality\":1,\"weak_quality\":0}\n");
        const QString badWeights = writeFile(dir, QStringLiteral("w.json"), "{}");
        r = run({QStringLiteral("eval-scorer"), QStringLiteral("--labels"), goodLabels, QStringLiteral("--weights"),
                 badWeights});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("schema is not")));
    }

    // `policy diff`: the lines of a golden case on stdout, the same as JSON with --json, nothing when equal.
    void policyDiff()
    {
        const QString folder = testdata::path(QStringLiteral("core/deploy/diff/rules-changed"));
        const QString a = folder + QStringLiteral("/a.json");
        const QString b = folder + QStringLiteral("/b.json");
        Run r = run({QStringLiteral("policy"), QStringLiteral("diff"), a, b});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QString::fromUtf8(testdata::read(folder + QStringLiteral("/expected.txt"))));
        QVERIFY(r.out.contains(QStringLiteral("rule `no-secrets` disabled\n")));

        r = run({QStringLiteral("policy"), QStringLiteral("diff"), QStringLiteral("--json"), a, b});
        QCOMPARE(r.code, 0);
        const QJsonArray list = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(list, QJsonDocument::fromJson(testdata::read(folder + QStringLiteral("/expected.json"))).array());
        QVERIFY(!list.isEmpty());
        QCOMPARE(list.first().toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("changed"));

        r = run({QStringLiteral("policy"), QStringLiteral("diff"), kDefaultPolicy, kDefaultPolicy});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QString());
        r = run({QStringLiteral("policy"), QStringLiteral("diff"), kDefaultPolicy, kDefaultPolicy,
                 QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("[]\n"));

        r = run({QStringLiteral("policy"), QStringLiteral("diff"), QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith(QStringLiteral("Usage: routeledger policy diff")));
    }

    void policyDiffRefusesBadInput()
    {
        QTemporaryDir dir;
        const QString notJson = writeFile(dir, QStringLiteral("draft.json"), "{\"name\": \"x\",\n \"rules\": [}\n");
        Run r = run({QStringLiteral("policy"), QStringLiteral("diff"), kDefaultPolicy, notJson});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.startsWith(notJson + QStringLiteral(" is not JSON: parse error at line 2")), qPrintable(r.err));
        QCOMPARE(r.out, QString());
        const QString missing = dir.filePath(QStringLiteral("missing.json"));
        r = run({QStringLiteral("policy"), QStringLiteral("diff"), missing, kDefaultPolicy});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(missing + QStringLiteral(": no such file")), qPrintable(r.err));

        // An invalid draft is still JSON: compared, not refused.
        const QString draft = writeFile(dir, QStringLiteral("invalid.json"), R"({"rules": [{"when": {"team": "x"}}]})");
        r = run({QStringLiteral("policy"), QStringLiteral("diff"), kDefaultPolicy, draft});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("tier `frontier` removed\n")), qPrintable(r.out));

        for (const QStringList &args : {QStringList{QStringLiteral("policy"), QStringLiteral("diff")},
                                        QStringList{QStringLiteral("policy"), QStringLiteral("diff"), kDefaultPolicy},
                                        QStringList{QStringLiteral("policy"), QStringLiteral("diff"), kDefaultPolicy,
                                                    kDefaultPolicy, kDefaultPolicy},
                                        QStringList{QStringLiteral("policy"), QStringLiteral("diff"), kDefaultPolicy,
                                                    kDefaultPolicy, QStringLiteral("--jsn")}}) {
            r = run(args);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(QStringLiteral("Usage: routeledger policy diff")), qPrintable(r.err));
        }
    }

    void policyExport()
    {
        const QString folder = testdata::path(QStringLiteral("core/deploy/export/default-policy"));
        const QString config = folder + QStringLiteral("/router-config.json");
        Run r = run({QStringLiteral("policy"), QStringLiteral("export"), QStringLiteral("--policy"), kDefaultPolicy,
                     QStringLiteral("--format"), QStringLiteral("portkey"), QStringLiteral("--router-config"), config});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QString::fromUtf8(testdata::read(folder + QStringLiteral("/portkey.expected.json"))));
        QVERIFY2(r.err.contains(QStringLiteral("warning: rule `easy-to-light` left out: Portkey cannot test")),
                 qPrintable(r.err));

        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("config.yaml"));
        r = run({QStringLiteral("policy"), QStringLiteral("export"), QStringLiteral("--policy"), kDefaultPolicy,
                 QStringLiteral("--format"), QStringLiteral("litellm"), QStringLiteral("--router-config"), config,
                 QStringLiteral("--out"), out});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QString());
        QCOMPARE(QString::fromUtf8(testdata::read(out)),
                 QString::fromUtf8(testdata::read(folder + QStringLiteral("/litellm.expected"))));
        QVERIFY(r.err.contains(QStringLiteral("warning: budget guard left out")));

        // Nothing of its routing survives: exit 1, nothing written.
        const QString nothing = testdata::path(QStringLiteral("core/deploy/export/nothing-exportable/policy.json"));
        const QString none = dir.filePath(QStringLiteral("none.json"));
        r = run({QStringLiteral("policy"), QStringLiteral("export"), QStringLiteral("--policy"), nothing,
                 QStringLiteral("--format"), QStringLiteral("portkey"), QStringLiteral("--out"), none});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("nothing of policy \"one-tier\"'s routing can be expressed")),
                 qPrintable(r.err));
        QVERIFY(!QFile::exists(none));

        r = run({QStringLiteral("policy"), QStringLiteral("export"), QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith(QStringLiteral("Usage: routeledger policy export")));
    }

    void policyExportRefusesBadInput()
    {
        QTemporaryDir dir;
        const QString invalid =
            writeFile(dir, QStringLiteral("invalid.json"), R"({"schema": "routeledger.policy/v1"})");
        Run r = run({QStringLiteral("policy"), QStringLiteral("export"), QStringLiteral("--policy"), invalid,
                     QStringLiteral("--format"), QStringLiteral("litellm")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.startsWith(QStringLiteral("policy ") + invalid + QStringLiteral(" is invalid:\n")),
                 qPrintable(r.err));
        QCOMPARE(r.out, QString());

        const QString badConfig = writeFile(dir, QStringLiteral("router.json"), "{\"providers\": [");
        r = run({QStringLiteral("policy"), QStringLiteral("export"), QStringLiteral("--policy"), kDefaultPolicy,
                 QStringLiteral("--format"), QStringLiteral("portkey"), QStringLiteral("--router-config"), badConfig});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(badConfig + QStringLiteral(": not JSON")), qPrintable(r.err));

        // An unwritable --out: exit 1, and no temporary file left behind.
        const QString missingFolder = dir.filePath(QStringLiteral("no/such/folder/out.yaml"));
        r = run({QStringLiteral("policy"), QStringLiteral("export"), QStringLiteral("--policy"), kDefaultPolicy,
                 QStringLiteral("--format"), QStringLiteral("litellm"), QStringLiteral("--out"), missingFolder});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("cannot write")), qPrintable(r.err));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 2); // invalid.json and router.json only

        for (const QStringList &args :
             {QStringList{QStringLiteral("policy"), QStringLiteral("export")},
              QStringList{QStringLiteral("policy"), QStringLiteral("export"), QStringLiteral("--policy"),
                          kDefaultPolicy},
              QStringList{QStringLiteral("policy"), QStringLiteral("export"), QStringLiteral("--policy"),
                          kDefaultPolicy, QStringLiteral("--format"), QStringLiteral("kong")},
              QStringList{QStringLiteral("policy"), QStringLiteral("export"), QStringLiteral("--policy"),
                          kDefaultPolicy, QStringLiteral("--format"), QStringLiteral("litellm"),
                          QStringLiteral("--outt"), invalid},
              QStringList{QStringLiteral("policy"), QStringLiteral("export"), kDefaultPolicy}}) {
            r = run(args);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(QStringLiteral("Usage: routeledger policy export")), qPrintable(r.err));
        }
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
