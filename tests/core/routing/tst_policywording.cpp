// A policy's parts in words: each row is a JSON fragment and the text it must read as, for every field and
// operator of DESIGN.md §3.1, the combinators, and the malformed drafts the studio must still show.
#include "testsuites.h"

#include "routing/policywording.h"

#include <nlohmann/json.hpp>

#include <QTest>

using nlohmann::ordered_json;

namespace {

void addRows(std::initializer_list<std::pair<const char *, const char *>> rows)
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    for (const auto &[json, expected] : rows)
        QTest::newRow(json) << QString::fromUtf8(json) << QString::fromUtf8(expected);
}

ordered_json parsed(const QString &text)
{
    return ordered_json::parse(text.toStdString());
}

const char *kDocument = R"({
  "schema": "routeledger.policy/v1", "name": "acme-prod", "version": 14,
  "tiers": [{"name": "frontier", "models": ["anthropic/claude-opus-4-1", "openai/gpt-5"]},
            {"name": "light", "models": ["openai/gpt-5-nano", "deepseek/deepseek-chat"]}],
  "default_tier": "light",
  "rules": [
    {"id": "legal-frontier", "when": {"team": {"in": ["legal"]}}, "then": {"tier": "frontier"}},
    {"id": "easy-to-light",
     "when": {"all": [{"complexity": {"lt": 0.35}}, {"any": [{"input_tokens": {"lte": 4000}}, {"not": {"tag": {"eq": "x"}}}]}]},
     "then": {"tier": "light"}},
    {"when": {"team": {"eq": "a"}}, "then": {"tier": "light"}}
  ],
  "budget_guard": [{"used_at_least": 0.9, "then": {"downgrade": 1}}],
  "fallback": {"on": ["timeout"], "max_attempts": 3, "across_tiers": "down"},
  "budgets": [{"scope": {"team": "legal"}, "period": "month", "limit_usd": 12000}]
})";

} // namespace

class TestPolicyWording : public QObject {
    Q_OBJECT
private slots:
    void condition_data()
    {
        addRows({
            // text fields, each operator
            {R"({"team": {"eq": "legal"}})", "team is legal"},
            {R"({"team": {"in": ["legal", "finance"]}})", "team is legal or finance"},
            {R"({"team": {"in": ["legal", "finance", "ops"]}})", "team is legal, finance or ops"},
            {R"({"team": {"ne": "legal"}})", "team is not legal"},
            {R"({"team": {"not_in": ["legal"]}})", "team is not legal"},
            {R"({"team": {"not_in": ["legal", "finance"]}})", "team is neither legal nor finance"},
            {R"({"team": {"not_in": ["a", "b", "c"]}})", "team is none of a, b or c"},
            {R"({"team": {"eq": ""}})", "team is empty"},
            {R"({"user": {"matches": "^ana"}})", "user matches `^ana`"},
            {R"({"app": {"contains": "contract"}})", "app contains `contract`"},
            {R"({"task": {"in": ["math", "reasoning"]}})", "task is math or reasoning"},
            {R"({"requested_model": {"eq": "gpt-4o"}})", "requested model is gpt-4o"},
            {R"({"tag": {"eq": "pii"}})", "tag is pii"},
            {R"({"tag": {"in": ["pii", "phi"]}})", "tag is pii or phi"},
            {R"({"tag": {"ne": "pii"}})", "no tag is pii"},
            {R"({"tag": {"not_in": ["pii", "phi"]}})", "no tag is pii or phi"},
            // numbers
            {R"({"complexity": {"lt": 0.35}})", "complexity < 0.35"},
            {R"({"complexity": {"gte": 0.7}})", "complexity ≥ 0.70"},
            {R"({"complexity": {"eq": 1}})", "complexity = 1.00"},
            {R"({"complexity": {"ne": 0.125}})", "complexity ≠ 0.125"},
            {R"({"complexity": {"between": [0.2, 0.5]}})", "complexity between 0.20 and 0.50"},
            {R"({"input_tokens": {"lte": 4000}})", "input ≤ 4,000 tokens"},
            {R"({"input_tokens": {"gt": 1234567}})", "input > 1,234,567 tokens"},
            {R"({"input_tokens": {"between": [1000, 4000]}})", "input between 1,000 and 4,000 tokens"},
            {R"({"input_tokens": {"in": [100, 200]}})", "input is 100 or 200 tokens"},
            {R"({"input_tokens": {"eq": 500}})", "input = 500 tokens"},
            {R"({"hour_utc": {"between": [9, 17]}})", "hour (UTC) between 9 and 17"},
            {R"({"hour_utc": {"lt": 6}})", "hour (UTC) < 6"},
            {R"({"hour_utc": {"eq": 9}})", "hour (UTC) is 9"},
            {R"({"weekday": {"in": ["sat", "sun"]}})", "weekday is Saturday or Sunday"},
            {R"({"weekday": {"eq": "mon"}})", "weekday is Monday"},
            {R"({"weekday": {"lte": "fri"}})", "weekday ≤ Friday"},
            {R"({"weekday": {"between": ["tue", "thu"]}})", "weekday between Tuesday and Thursday"},
            // booleans
            {R"({"has_tools": {"eq": true}})", "has tools"},
            {R"({"has_tools": {"eq": false}})", "has no tools"},
            {R"({"has_images": {"eq": false}})", "has no images"},
            {R"({"has_images": {"ne": false}})", "has images"},
            {R"({"stream": {"eq": true}})", "streaming"},
            {R"({"stream": {"ne": true}})", "not streaming"},
            // prompt
            {R"({"prompt": {"matches": "(?i)BEGIN (RSA )?PRIVATE KEY"}})",
             "prompt matches `(?i)BEGIN (RSA )?PRIVATE KEY`"},
            {R"({"prompt": {"contains": "password"}})", "prompt contains `password`"},
            // combinators
            {R"({"all": [{"complexity": {"lt": 0.35}}, {"input_tokens": {"lte": 4000}}]})",
             "complexity < 0.35 and input ≤ 4,000 tokens"},
            {R"({"any": [{"team": {"eq": "a"}}, {"team": {"eq": "b"}}]})", "team is a or team is b"},
            {R"({"all": []})", "always"},
            {R"({"any": []})", "never"},
            {R"({"all": [{"team": {"eq": "a"}}]})", "team is a"},
            {R"({"any": [{"team": {"eq": "a"}}, {"all": [{"complexity": {"gte": 0.7}}, {"stream": {"eq": true}}]}]})",
             "team is a or (complexity ≥ 0.70 and streaming)"},
            {R"({"all": [{"any": [{"team": {"eq": "a"}}, {"app": {"eq": "b"}}]}, {"has_tools": {"eq": true}}]})",
             "(team is a or app is b) and has tools"},
            {R"({"not": {"team": {"eq": "legal"}}})", "not (team is legal)"},
            {R"({"not": {"any": [{"team": {"eq": "a"}}, {"team": {"eq": "b"}}]}})", "not (team is a or team is b)"},
            {R"({"all": [{"not": {"stream": {"eq": true}}}, {"all": [{"tag": {"eq": "x"}}]}]})",
             "not (streaming) and tag is x"},
            // malformed drafts: shown, never thrown
            {R"({"team": "legal"})", "team ? (unreadable)"},
            {R"({"team": {}})", "team ? (unreadable)"},
            {R"({"team": {"eq": "a", "ne": "b"}})", "team ? (unreadable)"},
            {R"({"team": {"gtx": 1}})", "team ? (unknown operator `gtx`)"},
            {R"({"colour": {"eq": "red"}})", "`colour` ? (unknown field)"},
            {R"({"complexity": {"lt": "low"}})", "complexity < \"low\""},
            {R"({"complexity": {"between": [0.2]}})", "complexity between 0.20 (expected two values)"},
            {R"({"has_tools": {"eq": "yes"}})", "has tools ? (unreadable)"},
            {R"({"team": {"in": "legal"}})", "team is legal"},
            {R"({"team": {"eq": ["a", {"b": 1}]}})", "team is [\"a\",{\"b\":1}]"},
            {R"({"all": {"team": {"eq": "a"}}})", "all ? (unreadable)"},
            {R"({"all": [1, {"team": {"eq": "a"}}]})", "? (unreadable) and team is a"},
            {R"({})", "? (empty condition)"},
            {R"({"team": {"eq": "a"}, "app": {"eq": "b"}})",
             "? (several keys in one condition; combine them with all)"},
            {R"([])", "? (unreadable)"},
            {R"(null)", "? (unreadable)"},
        });
    }

    void condition()
    {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(rl::PolicyWording::condition(parsed(json))), expected);
    }

    // The parts a diff uses to say "complexity < 0.35 → < 0.40".
    void leafParts()
    {
        auto words = rl::PolicyWording::leaf(parsed(QStringLiteral(R"({"input_tokens": {"lte": 4000}})")));
        QCOMPARE(QString::fromStdString(words.subject), QStringLiteral("input"));
        QCOMPARE(QString::fromStdString(words.predicate), QStringLiteral("≤ 4,000 tokens"));
        words = rl::PolicyWording::leaf(parsed(QStringLiteral(R"({"has_tools": {"eq": true}})")));
        QVERIFY(words.subject.empty());
        QCOMPARE(QString::fromStdString(words.text()), QStringLiteral("has tools"));
    }

    void nestingTooDeepIsShownNotFollowed()
    {
        ordered_json node = {{"team", {{"eq", "a"}}}};
        for (int i = 0; i < 200; ++i)
            node = ordered_json{{"not", node}};
        const std::string text = rl::PolicyWording::condition(node);
        QVERIFY2(text.find("nested too deep") != std::string::npos, text.c_str());
    }

    void action_data()
    {
        addRows({
            {R"({"tier": "light"})", "→ tier light"},
            {R"({"model": "openai/gpt-4o"})", "→ model openai/gpt-4o"},
            {R"({"block": "credentials in prompt"})", "block: credentials in prompt"},
            {R"({"tier": 3})", "→ tier 3"},
            {R"({"route": "x"})", "→ ? (unknown outcome `route`)"},
            {R"({})", "→ ? (unreadable)"},
            {R"("light")", "→ ? (unreadable)"},
        });
    }

    void action()
    {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(rl::PolicyWording::action(parsed(json))), expected);
    }

    void rule_data()
    {
        addRows({
            {R"({"id": "x", "when": {"hour_utc": {"between": [0, 6]}}, "then": {"tier": "light"}})",
             "hour (UTC) between 0 and 6 → tier light"},
            {R"({"id": "x", "when": {"prompt": {"contains": "BEGIN"}}, "then": {"block": "keys"}})",
             "prompt contains `BEGIN` → block: keys"},
            {R"({"id": "x", "then": {"tier": "light"}})", "(no condition) → tier light"},
            {R"({"id": "x", "when": {"all": []}})", "always → ? (no outcome)"},
            {R"("rule")", "? (unreadable)"},
        });
    }

    void rule()
    {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(rl::PolicyWording::rule(parsed(json))), expected);
    }

    void guardStep_data()
    {
        addRows({
            {R"({"used_at_least": 0.9, "then": {"downgrade": 1}})", "at 90 % of the budget: down 1 tier"},
            {R"({"used_at_least": 0.95, "then": {"downgrade": 2}})", "at 95 % of the budget: down 2 tiers"},
            {R"({"used_at_least": 1.0, "then": {"cap_tier": "light"}})", "at 100 % of the budget: at most tier light"},
            {R"({"used_at_least": 1.2, "then": {"block": "over budget"}})",
             "at 120 % of the budget: block (over budget)"},
            {R"({"used_at_least": 0.925, "then": {"downgrade": 1}})", "at 92.5 % of the budget: down 1 tier"},
            {R"({"used_at_least": "high", "then": {"downgrade": 1}})", "at ? % of the budget: down 1 tier"},
            {R"({"used_at_least": 0.9})", "at 90 % of the budget: ? (no action)"},
            {R"({"used_at_least": 0.9, "then": {"pause": 1}})", "at 90 % of the budget: ? (unknown action `pause`)"},
            {R"([0.9])", "? (unreadable)"},
        });
    }

    void guardStep()
    {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(rl::PolicyWording::guardStep(parsed(json))), expected);
    }

    void fallback_data()
    {
        addRows({
            {R"({"on": ["timeout", "rate_limited", "server_error"], "max_attempts": 3, "across_tiers": "down"})",
             "on timeout, rate limited, server error: up to 3 attempts, then down a tier"},
            {R"({"on": ["timeout"], "max_attempts": 2, "across_tiers": "up"})",
             "on timeout: up to 2 attempts, then up a tier"},
            {R"({"on": [], "max_attempts": 1, "across_tiers": "none"})",
             "on no errors: 1 attempt (no retry), not across tiers"},
            {R"({"max_attempts": 5})", "on timeout, rate limited, server error: up to 5 attempts, then down a tier"},
            {R"(null)", "on timeout, rate limited, server error: up to 3 attempts, then down a tier"},
            {R"({"on": "timeout", "max_attempts": "x", "across_tiers": "sideways"})",
             "on ?: up to ? attempts, then ? (sideways)"},
            {R"(["timeout"])", "? (unreadable)"},
        });
    }

    void fallback()
    {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(rl::PolicyWording::fallback(parsed(json))), expected);
    }

    void path_data()
    {
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("expected");
        const std::initializer_list<std::pair<const char *, const char *>> rows = {
            {"/rules/1/when/all/0/complexity/lt", "rule `easy-to-light` › condition 1 › complexity <"},
            {"/rules/1/when/all/1/any/0/input_tokens/lte",
             "rule `easy-to-light` › condition 2 › condition 1 › input tokens ≤"},
            {"/rules/1/when/all/1/any/1/not/tag/eq", "rule `easy-to-light` › condition 2 › condition 2 › not › tag is"},
            {"/rules/0/when/team/in/0", "rule `legal-frontier` › team is one of › value 1"},
            {"/rules/0/when", "rule `legal-frontier` › condition"},
            {"/rules/0/when/colour", "rule `legal-frontier` › `colour`"},
            {"/rules/0/then/tier", "rule `legal-frontier` › outcome › tier"},
            {"/rules/0/id", "rule `legal-frontier` › id"},
            {"/rules/2", "rule 3"},
            {"/rules/2/when/team/eq", "rule 3 › team is"},
            {"/rules/7/when", "rule 8 › condition"},
            {"/tiers/1/models/1", "tier `light` › model 2"},
            {"/tiers/0", "tier `frontier`"},
            {"/tiers/0/name", "tier `frontier` › name"},
            {"/tiers/5/models/0", "tier 6 › model 1"},
            {"/budget_guard/0", "budget guard step 1"},
            {"/budget_guard/0/used_at_least", "budget guard step 1 › threshold"},
            {"/budget_guard/0/then/downgrade", "budget guard step 1 › then › downgrade"},
            {"/default_tier", "default tier"},
            {"/fallback/max_attempts", "fallback › max attempts"},
            {"/fallback/on/1", "fallback › on › error kind 2"},
            {"/budgets/0/limit_usd", "budget 1 › limit (USD)"},
            {"/budgets/0/scope/team", "budget 1 › scope › team"},
            {"/name", "name"},
            {"", "the document"},
            {"/", "the document"},
            {"/rules", "rules"},
            {"/odd~1key~0x", "odd/key~x"},
        };
        for (const auto &[pointer, expected] : rows)
            QTest::newRow(*pointer ? pointer : "(empty)") << QString::fromUtf8(pointer) << QString::fromUtf8(expected);
    }

    void path()
    {
        QFETCH(QString, pointer);
        QFETCH(QString, expected);
        const ordered_json document = ordered_json::parse(kDocument);
        QCOMPARE(QString::fromStdString(rl::PolicyWording::path(pointer.toStdString(), document)), expected);
    }

    void numbers()
    {
        QCOMPARE(QString::fromStdString(rl::PolicyWording::number(4000, true)), QStringLiteral("4,000"));
        QCOMPARE(QString::fromStdString(rl::PolicyWording::number(-1234567.5, true)), QStringLiteral("-1,234,567.5"));
        QCOMPARE(QString::fromStdString(rl::PolicyWording::number(999, true)), QStringLiteral("999"));
        QCOMPARE(QString::fromStdString(rl::PolicyWording::number(0.1)), QStringLiteral("0.1"));
        QCOMPARE(QString::fromStdString(rl::PolicyWording::usd(ordered_json(3120.55))), QStringLiteral("$3,120.55"));
        QCOMPARE(QString::fromStdString(rl::PolicyWording::usd(ordered_json(12000))), QStringLiteral("$12,000"));
        QCOMPARE(QString::fromStdString(rl::PolicyWording::usd(ordered_json(0.5))), QStringLiteral("$0.50"));
        QCOMPARE(QString::fromStdString(rl::PolicyWording::usd(ordered_json(0.0001))), QStringLiteral("$0.0001"));
    }
};

ROUTELEDGER_TEST_SUITE(TestPolicyWording)
#include "tst_policywording.moc"
