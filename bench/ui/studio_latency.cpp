// The policy studio with a 200-rule policy: the longest the GUI thread is kept from its event loop while a user
// adds rules, drags one, undoes and redoes, and types into a regex field (issue 13: no stall over 50 ms). An
// event-loop probe (a 1 ms timer) records the gap between its ticks; every edit is posted as an event of its own,
// the way a click or a keystroke arrives. Also the time of one validation of the 200-rule draft.
//
//   studio_latency [--rules 200] [--rounds 5]
#include "studio/policydraft.h"
#include "studio/policystudiopage.h"
#include "studio/ruleinspector.h"
#include "studio/rulelistmodel.h"
#include "widgets/theme.h"

#include "routing/policyparser.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <QUndoStack>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

namespace {

using Json = nlohmann::ordered_json;

Json bigPolicy(int rules)
{
    Json document = {{"schema", "routeledger.policy/v1"},
                     {"name", "big"},
                     {"version", 1},
                     {"tiers",
                      {{{"name", "frontier"}, {"models", {"anthropic/claude-opus-4-1", "openai/gpt-5"}}},
                       {{"name", "mid"}, {"models", {"anthropic/claude-sonnet-4-5", "openai/gpt-5-mini"}}},
                       {{"name", "light"}, {"models", {"openai/gpt-5-nano", "deepseek/deepseek-chat"}}}}},
                     {"default_tier", "mid"},
                     {"rules", Json::array()}};
    const char *tiers[] = {"frontier", "mid", "light"};
    for (int i = 0; i < rules; ++i) {
        Json when;
        switch (i % 4) {
        case 0: when = {{"team", {{"in", {"team-" + std::to_string(i), "team-" + std::to_string(i + 1)}}}}}; break;
        case 1:
            when = {
                {"all", {{{"complexity", {{"lt", 0.2 + (i % 50) / 100.0}}}}, {{"input_tokens", {{"lte", 1000 + i}}}}}}};
            break;
        case 2: when = {{"prompt", {{"matches", "(?i)secret-" + std::to_string(i) + "-[a-z]+"}}}}; break;
        default:
            when = {{"any", {{{"app", {{"eq", "app-" + std::to_string(i)}}}}, {{"tag", {{"in", {"pii"}}}}}}}};
            break;
        }
        document["rules"].push_back(
            {{"id", "rule-" + std::to_string(i)}, {"when", when}, {"then", {{"tier", tiers[i % 3]}}}});
    }
    return document;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, std::size_t(p * double(values.size() - 1) + 0.5))];
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    int rules = 200, rounds = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (QByteArray(argv[i]) == "--rules")
            rules = std::atoi(argv[i + 1]);
        else if (QByteArray(argv[i]) == "--rounds")
            rounds = std::atoi(argv[i + 1]);
    }
    const Theme theme(Theme::Mode::Light);
    theme.applyTo(app);
    PolicyStudioPage studio(theme, nullptr, nullptr, nullptr, nullptr);
    studio.resize(1064, 740);
    studio.show();
    studio.activateWindow();
    if (!QTest::qWaitForWindowExposed(&studio))
        std::fprintf(stderr, "the studio window was not exposed\n");
    const Json document = bigPolicy(rules);
    studio.draft()->load(document, QString(), 1);
    QApplication::processEvents();

    // Validation alone, as every edit runs it.
    std::vector<double> validation;
    const nlohmann::json plain = nlohmann::json(document);
    for (int i = 0; i < 50; ++i) {
        QElapsedTimer timer;
        timer.start();
        rl::PolicyLoad load = rl::PolicyParser::fromJson(plain);
        validation.push_back(double(timer.nsecsElapsed()) / 1e6);
        if (!load.ok()) {
            std::fprintf(stderr, "the benchmark policy is invalid: %s\n", load.errors.front().line().c_str());
            return 1;
        }
    }

    // The edits, each posted as its own event.
    std::vector<std::pair<const char *, std::function<void()>>> edits;
    int dragsApplied = 0;
    const int undoBefore = studio.draft()->undoStack()->count();
    auto *pattern = studio.inspector()->findChild<QLineEdit *>(QStringLiteral("conditionPattern"));
    auto *tree = studio.inspector()->findChild<QTreeWidget *>(QStringLiteral("conditionTree"));
    for (int r = 0; r < rounds; ++r) {
        edits.push_back({"add a rule", [&] { studio.addRule(); }});
        edits.push_back({"drag a rule to the top", [&] {
                             QListView *cards = studio.rulesView();
                             cards->scrollToTop(); // the first card in view, where the rule is dropped
                             const int from = studio.draft()->ruleCount() - 1;
                             std::unique_ptr<QMimeData> mime(studio.rules()->mimeData({studio.rules()->index(from)}));
                             const QRect first = cards->visualRect(studio.rules()->index(0));
                             const QPoint at(first.left() + 20, first.top() + 2);
                             QDragEnterEvent enter(at, Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
                             QApplication::sendEvent(cards->viewport(), &enter);
                             QDragMoveEvent move(at, Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
                             QApplication::sendEvent(cards->viewport(), &move);
                             QDropEvent drop(QPointF(at), Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
                             drop.setDropAction(Qt::MoveAction);
                             drop.ignore();
                             QApplication::sendEvent(cards->viewport(), &drop);
                             dragsApplied += drop.isAccepted() ? 1 : 0;
                         }});
        edits.push_back({"undo", [&] { studio.draft()->undoStack()->undo(); }});
        edits.push_back({"redo", [&] { studio.draft()->undoStack()->redo(); }});
        edits.push_back({"select a regex rule", [&] {
                             for (int row = 0; row < studio.draft()->ruleCount(); ++row)
                                 if (studio.draft()->ruleId(row) == QStringLiteral("rule-2"))
                                     studio.selectRule(row); // a prompt regex
                             if (tree->topLevelItemCount() > 0)
                                 tree->setCurrentItem(tree->topLevelItem(0));
                             pattern->setFocus();
                             pattern->end(false);
                         }});
        for (const char *key : {"(", "x", "|", "y", ")", "+"})
            edits.push_back(
                {"type in the regex field", [&, key] { QTest::keyClicks(pattern, QString::fromLatin1(key)); }});
    }

    std::vector<double> gaps;
    std::vector<std::pair<const char *, double>> timings;
    QElapsedTimer clock;
    clock.start();
    qint64 lastTick = -1;
    QTimer probe;
    probe.setInterval(1);
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (lastTick >= 0)
            gaps.push_back(double(now - lastTick) / 1e6);
        lastTick = now;
    });
    probe.start();
    std::size_t next = 0;
    QTimer driver;
    driver.setInterval(20);
    QObject::connect(&driver, &QTimer::timeout, [&] {
        if (next == edits.size()) {
            driver.stop();
            QTimer::singleShot(50, &app, &QApplication::quit);
            return;
        }
        QElapsedTimer timer;
        timer.start();
        edits[next].second();
        timings.emplace_back(edits[next].first, double(timer.nsecsElapsed()) / 1e6);
        ++next;
    });
    driver.start();
    app.exec();

    std::printf("rules: %d, edits: %zu (undo commands: %d, drags applied: %d of %d), probe ticks: %zu\n",
                studio.draft()->ruleCount(), timings.size(), studio.draft()->undoStack()->count() - undoBefore,
                dragsApplied, rounds, gaps.size());
    std::printf("validation of the %d-rule draft: median %.2f ms, max %.2f ms\n", rules, percentile(validation, 0.5),
                percentile(validation, 1.0));
    std::printf("event-loop gap: median %.2f ms, p99 %.2f ms, max %.2f ms\n", percentile(gaps, 0.5),
                percentile(gaps, 0.99), percentile(gaps, 1.0));
    std::vector<const char *> kinds;
    for (const auto &[kind, ms] : timings)
        if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
            kinds.push_back(kind);
    for (const char *kind : kinds) {
        std::vector<double> of;
        for (const auto &[k, ms] : timings)
            if (k == kind)
                of.push_back(ms);
        std::printf("  %-26s median %6.2f ms, max %6.2f ms (%zu)\n", kind, percentile(of, 0.5), percentile(of, 1.0),
                    of.size());
    }
    return percentile(gaps, 1.0) > 50.0 ? 3 : 0;
}
