// The documented shapes of the services the usage connectors read (tests/sources/schemas, gateway-apis.md and
// its §9): every schema is usable, the reference's own examples match their schema, bodies the services never
// send are refused with the place and the reason, and fixture::script will not serve such a body to a connector.
#include "fixtureclient.h"
#include "jsonschemacheck.h"
#include "schemaregistry.h"
#include "servicepages.h"
#include "testsuites.h"

#include <QRegularExpression>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <functional>

using fixture::example; // tests/sources/schemas/examples/<endpoint>.json
using nlohmann::json;

namespace {

const std::string kSchemas = ROUTELEDGER_TEST_DATA "/sources/schemas";

// The small schemas and values below are written with ' for " (moc of Qt 6.4 loses its way in raw string
// literals, so this file has none).
json relaxed(const QByteArray &text)
{
    QByteArray quoted = text;
    return json::parse(quoted.replace('\'', '"').toStdString());
}

QByteArray joined(const std::vector<std::string> &lines)
{
    QByteArray out;
    for (const std::string &line : lines)
        out += "\n    " + QByteArray::fromStdString(line);
    return out;
}

// A /key/list full key as UserAPIKeyAuth serializes it: the reference's /key/info key, hash included, without
// the budget table (never joined there).
json listedKey()
{
    json key = example("litellm-key-info")["info"];
    key["key_name"] = "sk-...abcd";
    key["litellm_budget_table"] = nullptr;
    return key;
}

json changed(json body, const std::function<void(json &)> &change)
{
    change(body);
    return body;
}

} // namespace

class TestFixtureSchemas : public QObject {
    Q_OBJECT

private:
    fixture::SchemaRegistry m_registry{kSchemas};
    NodeServer m_server;

    const fixture::JsonSchemaCheck *named(const std::string &name) const
    {
        for (const fixture::JsonSchemaCheck &schema : m_registry.schemas()) {
            if (schema.name() == name)
                return &schema;
        }
        return nullptr;
    }

    // The fixture server's answer to GET `path`: 404 while nothing is scripted there.
    long served(const QString &path)
    {
        rl::HttpClient client;
        auto answer = client.sendOnce({"GET", m_server.url(path).toStdString(), {}, {}});
        return answer ? answer->status : -1;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_server.start(QString(ROUTELEDGER_TEST_DATA) + "/sources/fixture-server.js", &error),
                 qPrintable(error));
    }
    void init() { QVERIFY(fixture::reset(m_server)); }

    void theFolderLoads()
    {
        QVERIFY2(m_registry.loadErrors().empty(), joined(m_registry.loadErrors()).constData());
        QCOMPARE(m_registry.schemas().size(), std::size_t(12));
    }

    // (a) Loads, says where it comes from and which paths it describes, and every $ref resolves.
    void everySchemaIsUsable_data()
    {
        QTest::addColumn<QString>("name");
        for (const fixture::JsonSchemaCheck &schema : m_registry.schemas())
            QTest::addRow("%s", schema.name().c_str()) << QString::fromStdString(schema.name());
    }
    void everySchemaIsUsable()
    {
        QFETCH(QString, name);
        const fixture::JsonSchemaCheck *schema = named(name.toStdString());
        QVERIFY(schema);
        QVERIFY2(schema->schemaErrors().empty(), joined(schema->schemaErrors()).constData());
        QVERIFY(!schema->origin().empty());
        QVERIFY(!schema->paths().empty());
    }

    // Every endpoint a connector reads has its schema, also under a base-URL prefix and with a query.
    void everyEndpointReadHasASchema_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("schema"); // empty: none describes the path
        auto row = [](const char *path, const char *schema) { QTest::addRow("%s", path) << path << schema; };
        row("/spend/logs/v2", "litellm-spend-logs.schema.json");
        row("/spend/logs/ui", "litellm-spend-logs.schema.json");
        row("/team/daily/activity", "litellm-daily-activity.schema.json");
        row("/tag/daily/activity", "litellm-daily-activity.schema.json");
        row("/team/list", "litellm-team-list.schema.json");
        row("/key/list", "litellm-key-list.schema.json");
        row("/key/info", "litellm-key-info.schema.json");
        row("/organization/usage/completions", "openai-usage-completions.schema.json");
        row("/v1/organization/usage/completions", "openai-usage-completions.schema.json");
        row("/v1/organization/costs?start_time=1730419200&limit=7", "openai-costs.schema.json");
        row("/v1/organizations/usage_report/messages", "anthropic-usage-messages.schema.json");
        row("/v1/organizations/cost_report", "anthropic-cost-report.schema.json");
        row("/api/v1/activity", "openrouter-activity.schema.json");
        row("/api/v1/key", "openrouter-key.schema.json");
        row("/api/v1/auth/key", "openrouter-key.schema.json");
        row("/admin/usage", "router-admin-usage.schema.json");
        row("/api/v1/generation", "");
        row("/organization/costs/extra", "");
    }
    void everyEndpointReadHasASchema()
    {
        QFETCH(QString, path);
        QFETCH(QString, schema);
        const fixture::JsonSchemaCheck *found = m_registry.forPath(path.toStdString());
        QCOMPARE(QString::fromStdString(found ? found->name() : std::string()), schema);
    }

    // (b) The reference's own examples (copied into examples/<schema name>.json) have the documented shape.
    void referenceExamplesMatch_data()
    {
        QTest::addColumn<QString>("endpoint");
        std::vector<std::string> names;
        for (const auto &entry : std::filesystem::directory_iterator(kSchemas + "/examples"))
            names.push_back(entry.path().stem().string());
        std::sort(names.begin(), names.end());
        QVERIFY(names.size() >= 9);
        for (const std::string &name : names)
            QTest::addRow("%s", name.c_str()) << QString::fromStdString(name);
    }
    void referenceExamplesMatch()
    {
        QFETCH(QString, endpoint);
        const fixture::JsonSchemaCheck *schema = named(endpoint.toStdString() + ".schema.json");
        QVERIFY2(schema, "an example needs a schema of the same name");
        const json body = example(endpoint.toStdString());
        QVERIFY(!body.is_discarded());
        const std::vector<std::string> problems = schema->problems(body);
        QVERIFY2(problems.empty(), joined(problems).constData());
    }

    // The checker itself, on small schemas: the messages name the place and what is wrong.
    void checkerRules_data()
    {
        QTest::addColumn<QByteArray>("schema");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QStringList>("problems");
        auto row = [](const char *name, const char *schema, const char *value, QStringList problems) {
            QTest::addRow("%s", name) << QByteArray(schema) << QByteArray(value) << problems;
        };
        row("an integer may be written 3.0", "{'type': 'integer'}", "3.0", {});
        row("3.5 is no integer", "{'type': 'integer'}", "3.5", {"(root): number is not allowed (integer)"});
        row("a list of types", "{'type': ['number', 'string']}", "null",
            {"(root): null is not allowed (number|string)"});
        row("enum", "{'enum': ['ok', 'error']}", "'success'", {"(root): \"success\" is not one of \"ok\", \"error\""});
        row("required, and nothing else",
            "{'type': 'object', 'required': ['a'], 'additionalProperties': false,"
            " 'properties': {'a': {'type': ['integer', 'null']}}}",
            "{'b': 1}",
            {"/a: missing, but the service always sends it (null when it has no value)",
             "/b: not sent by the service"});
        row("null where null is allowed",
            "{'type': 'object', 'required': ['a'], 'properties': {'a': {'type': ['integer', 'null']}}}", "{'a': null}",
            {});
        row("keys of a map are escaped in the pointer",
            "{'type': 'object', 'additionalProperties': {'type': 'object', 'required': ['metrics']}}",
            "{'openai/gpt-4o': {}, 'a~b': {}, 'c': 2, 'd': {'metrics': 1}}",
            {"/c: integer is not allowed (object)",
             "/openai~1gpt-4o/metrics: missing, but the service always sends it (null when it has no value)",
             "/a~0b/metrics: missing, but the service always sends it (null when it has no value)"});
        row("$ref and items", "{'type': 'array', 'items': {'$ref': '#/$defs/n'}, '$defs': {'n': {'type': 'number'}}}",
            "[1, 'x', 2.5]", {"/1: string is not allowed (number)"});
        row("a field the service never sends", "{'properties': {'x': false}}", "{'x': 1, 'y': 2}",
            {"/x: not sent by the service"});
        row("nothing below a value of the wrong type", "{'type': 'object', 'required': ['a']}", "[]",
            {"(root): array is not allowed (object)"});
        row("a $ref that does not resolve", "{'$ref': '#/$defs/missing'}", "1",
            {"(root): schema error: $ref \"#/$defs/missing\" does not resolve"});
    }
    void checkerRules()
    {
        QFETCH(QByteArray, schema);
        QFETCH(QByteArray, value);
        QFETCH(QStringList, problems);
        const fixture::JsonSchemaCheck check(relaxed(schema), "rule");
        QStringList found;
        for (const std::string &problem : check.problems(relaxed(value)))
            found << QString::fromStdString(problem);
        found.sort();
        problems.sort();
        QCOMPARE(found, problems);
    }

    // A schema that would accept too much (a misspelt keyword) or cannot be satisfied is itself an error.
    void brokenSchemasAreFound_data()
    {
        QTest::addColumn<QByteArray>("schema");
        QTest::addColumn<QString>("error");
        const char *head = "'x-origin': 'test', 'x-paths': ['/x'], ";
        auto row = [&](const char *name, const std::string &schema, const char *error) {
            QTest::addRow("%s", name) << QByteArray::fromStdString(schema) << QString(error);
        };
        row("no x-origin", "{'x-paths': ['/x']}", "no \"x-origin\"");
        row("no x-paths", "{'x-origin': 'test'}", "\"x-paths\" must be a non-empty list");
        row("a relative x-path", "{'x-origin': 'test', 'x-paths': ['x']}", "does not start with '/'");
        row("misspelt keyword", std::string("{") + head + "'type': 'object', 'requried': ['a']}",
            "#: unknown keyword \"requried\"");
        row("unknown type", std::string("{") + head + "'properties': {'a': {'type': 'int'}}}",
            "#/properties/a/type: \"int\" is not a JSON Schema type");
        row("required but closed out", std::string("{") + head + "'required': ['a'], 'additionalProperties': false}",
            "\"a\" is not in properties, and additionalProperties is false");
        row("unresolved $ref", std::string("{") + head + "'items': {'$ref': '#/$defs/nope'}}",
            "#/items/$ref: \"#/$defs/nope\" does not resolve");
    }
    void brokenSchemasAreFound()
    {
        QFETCH(QByteArray, schema);
        QFETCH(QString, error);
        const fixture::JsonSchemaCheck check(relaxed(schema), "broken.schema.json");
        const QByteArray errors = joined(check.schemaErrors());
        QVERIFY2(QString::fromUtf8(errors).contains(error), errors.constData());
    }

    // (c) Bodies the real services never send fail with the place and the reason; what they may send passes.
    void servicesNeverSendThese_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("problem"); // a problem expected among those found; empty: the body matches
        auto row = [](const char *name, const char *path, const json &body, const char *problem) {
            QTest::addRow("%s", name) << QString(path) << QByteArray::fromStdString(body.dump()) << QString(problem);
        };
        // LiteLLM /key/list (§9): the budget table is never joined there.
        row("key list: a full key carrying litellm_budget_table", "/key/list",
            fixture::litellmKeyList({changed(listedKey(),
                                             [](json &k) {
                                                 k["litellm_budget_table"] = {{"soft_budget", 80.0}};
                                             })}),
            "/keys/0/litellm_budget_table: object is not allowed (null)");
        row("key list: a full key", "/key/list", fixture::litellmKeyList({listedKey()}), "");
        row("key list: keys listed by token only", "/key/list", fixture::litellmKeyList({"88dc28d0...6b4b", "hash-2"}),
            "");
        row("key list: a key without max_budget", "/key/list",
            fixture::litellmKeyList({changed(listedKey(), [](json &k) { k.erase("max_budget"); })}),
            "/keys/0/max_budget: missing");
        // LiteLLM /key/info: upstream pops `token`; the budget table is there, maybe null.
        row("key info: without token", "/key/info",
            changed(example("litellm-key-info"), [](json &b) { b["info"].erase("token"); }), "");
        row("key info: no budget table", "/key/info",
            changed(example("litellm-key-info"), [](json &b) { b["info"]["litellm_budget_table"] = nullptr; }), "");
        row("key info: an info without litellm_budget_table", "/key/info",
            changed(example("litellm-key-info"), [](json &b) { b["info"].erase("litellm_budget_table"); }),
            "/info/litellm_budget_table: missing");
        row("team list: a team", "/team/list", json::array({fixture::litellmTeam()}), "");
        row("team list: a team without max_budget", "/team/list",
            json::array({changed(fixture::litellmTeam(), [](json &t) { t.erase("max_budget"); })}),
            "/0/max_budget: missing");
        // LiteLLM spend logs.
        row("spend logs: an unknown envelope field", "/spend/logs/v2",
            changed(example("litellm-spend-logs"), [](json &b) { b["has_more"] = true; }),
            "/has_more: not sent by the service");
        row("spend logs: spend as a string", "/spend/logs/ui",
            changed(example("litellm-spend-logs"), [](json &b) { b["data"][0]["spend"] = "0.00123"; }),
            "/data/0/spend: string is not allowed (number)");
        row("spend logs: a row without model_group", "/spend/logs/v2",
            changed(example("litellm-spend-logs"), [](json &b) { b["data"][0].erase("model_group"); }),
            "/data/0/model_group: missing");
        row("spend logs: free-form metadata", "/spend/logs/v2",
            changed(example("litellm-spend-logs"),
                    [](json &b) { b["data"][0]["metadata"]["user_api_key_end_user_id"] = "c-17"; }),
            "");
        // LiteLLM daily activity.
        row("daily activity: metrics without api_requests", "/team/daily/activity",
            changed(example("litellm-daily-activity"),
                    [](json &b) { b["results"][0]["metrics"].erase("api_requests"); }),
            "/results/0/metrics/api_requests: missing");
        row("daily activity: newer metrics", "/team/daily/activity",
            changed(example("litellm-daily-activity"),
                    [](json &b) {
                        b["results"][0]["metrics"]["flat_cost"] = 0.0;
                        b["results"][0]["breakdown"]["endpoints"] = json::object();
                    }),
            "");
        row("daily activity: key metadata with a team alias", "/team/daily/activity",
            changed(
                example("litellm-daily-activity"),
                [](json &b) { b["results"][0]["breakdown"]["api_keys"]["<hash>"]["metadata"]["team_alias"] = "S"; }),
            "/results/0/breakdown/api_keys/<hash>/metadata/team_alias: not sent by the service");
        row("daily activity: an entity without api_key_breakdown", "/tag/daily/activity",
            changed(
                example("litellm-daily-activity"),
                [](json &b) { b["results"][0]["breakdown"]["entities"]["team-search"].erase("api_key_breakdown"); }),
            "/results/0/breakdown/entities/team-search/api_key_breakdown: missing");
        row("daily activity: a model named with a slash", "/team/daily/activity",
            changed(example("litellm-daily-activity"),
                    [](json &b) {
                        json &models = b["results"][0]["breakdown"]["models"];
                        models["openai/gpt-4o"] = models["gpt-4o"];
                        models["openai/gpt-4o"].erase("metadata");
                    }),
            "/results/0/breakdown/models/openai~1gpt-4o/metadata: missing");
        row("daily activity: no breakdown", "/team/daily/activity",
            changed(example("litellm-daily-activity"), [](json &b) { b["results"][0].erase("breakdown"); }),
            "/results/0/breakdown: missing");
        // OpenAI usage and costs (§2, §9).
        row("openai usage: a result without num_model_requests", "/v1/organization/usage/completions",
            changed(example("openai-usage-completions"),
                    [](json &b) { b["data"][0]["results"][0].erase("num_model_requests"); }),
            "/data/0/results/0/num_model_requests: missing");
        row("openai usage: the required fields only", "/organization/usage/completions",
            changed(example("openai-usage-completions"),
                    [](json &b) {
                        b["data"][0]["results"][0] = {{"object", "organization.usage.completions.result"},
                                                      {"input_tokens", 10},
                                                      {"output_tokens", 2},
                                                      {"num_model_requests", 1}};
                    }),
            "");
        row("openai costs: a result without amount", "/organization/costs",
            changed(example("openai-costs"), [](json &b) { b["data"][0]["results"][0].erase("amount"); }), "");
        row("openai costs: amount.value null", "/organization/costs",
            changed(example("openai-costs"), [](json &b) { b["data"][0]["results"][0]["amount"]["value"] = nullptr; }),
            "");
        row("openai costs: amount.value as a string", "/organization/costs",
            changed(example("openai-costs"), [](json &b) { b["data"][0]["results"][0]["amount"]["value"] = "0.06"; }),
            "");
        row("openai costs: a result without object", "/organization/costs",
            changed(example("openai-costs"), [](json &b) { b["data"][0]["results"][0].erase("object"); }),
            "/data/0/results/0/object: missing");
        row("openai costs: amount.value as a boolean", "/organization/costs",
            changed(example("openai-costs"), [](json &b) { b["data"][0]["results"][0]["amount"]["value"] = true; }),
            "/data/0/results/0/amount/value: boolean is not allowed (number|string|null)");
        // Anthropic (§3, §9).
        row("anthropic cost: amount as a number", "/v1/organizations/cost_report",
            changed(example("anthropic-cost-report"),
                    [](json &b) { b["data"][0]["results"][0]["amount"] = 123.78912; }),
            "/data/0/results/0/amount: number is not allowed (string)");
        row("anthropic usage: a result without server_tool_use", "/v1/organizations/usage_report/messages",
            changed(example("anthropic-usage-messages"),
                    [](json &b) { b["data"][0]["results"][0].erase("server_tool_use"); }),
            "/data/0/results/0/server_tool_use: missing");
        row("anthropic usage: ungrouped keys are null", "/v1/organizations/usage_report/messages",
            changed(
                example("anthropic-usage-messages"),
                [](json &b) {
                    for (const char *key : {"api_key_id", "workspace_id", "model", "service_tier", "context_window"})
                        b["data"][0]["results"][0][key] = nullptr;
                }),
            "");
        // OpenRouter (§4, §9).
        row("openrouter activity: an item without reasoning_tokens", "/api/v1/activity",
            changed(example("openrouter-activity"), [](json &b) { b["data"][0].erase("reasoning_tokens"); }),
            "/data/0/reasoning_tokens: missing");
        row("openrouter key: an unlimited key", "/api/v1/key",
            changed(example("openrouter-key"),
                    [](json &b) {
                        for (const char *key : {"limit", "limit_remaining", "limit_reset"})
                            b["data"][key] = nullptr;
                    }),
            "");
        // The router's /admin/usage (DESIGN.md §3.3, docs/ROUTER.md).
        row("router usage: an event", "/admin/usage", fixture::routerPage(41, 1, false), "");
        row("router usage: status success", "/admin/usage",
            changed(fixture::routerPage(41, 1, false), [](json &b) { b["events"][0]["status"] = "success"; }),
            "/events/0/status: \"success\" is not one of \"ok\", \"error\", \"blocked\", \"fallback\"");
        row("router usage: replay features and a shadow decision (ledger schema 3)", "/admin/usage",
            changed(fixture::routerPage(41, 1, false),
                    [](json &b) {
                        b["events"][0].update({{"has_tools", true},
                                               {"has_images", false},
                                               {"routed_input_tokens", 120},
                                               {"budget_used", 0.5},
                                               {"prompt_checks", {{"0123456789abcdef", true}}},
                                               {"routed_model", "openai/gpt-5"},
                                               {"shadow_policy_version", 4},
                                               {"shadow_tier", "light"},
                                               {"shadow_model", "openai/gpt-5-nano"},
                                               {"shadow_rule", "default"},
                                               {"shadow_blocked", false},
                                               {"shadow_cost_micro_usd", 12}});
                    }),
            "");
        row("router usage: a prompt check that is not a bool", "/admin/usage",
            changed(fixture::routerPage(41, 1, false),
                    [](json &b) {
                        b["events"][0]["prompt_checks"] = {{"0123456789abcdef", 1}};
                    }),
            "/events/0/prompt_checks/0123456789abcdef: integer is not allowed (boolean)");
        row("router usage: a numeric cursor", "/admin/usage",
            changed(fixture::routerPage(41, 1, false), [](json &b) { b["next_cursor"] = 41; }),
            "/next_cursor: integer is not allowed (string)");
    }
    void servicesNeverSendThese()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(QString, problem);
        const std::vector<std::string> problems =
            fixture::schemaProblems(path.toStdString(), json::parse(body.toStdString()));
        if (problem.isEmpty()) {
            QVERIFY2(problems.empty(), joined(problems).constData());
            return;
        }
        bool named = false;
        for (const std::string &found : problems)
            named = named || QString::fromStdString(found).startsWith(problem);
        QVERIFY2(named, ("expected \"" + problem.toUtf8() + "\" among:" + joined(problems)).constData());
    }

    // The same fault in every row of a page is printed once, with its first place.
    void problemsOfManyRowsAreFolded()
    {
        const std::vector<std::string> folded =
            fixture::foldedProblems({"/data/0/a: missing", "/data/1/a: missing", "/data/12/b/3/c: missing",
                                     "/data/1/b/0/c: missing", "/next: not sent by the service"});
        const std::vector<std::string> expected = {"/data/0/a: missing (and 1 more like it)",
                                                   "/data/12/b/3/c: missing (and 1 more like it)",
                                                   "/next: not sent by the service"};
        QCOMPARE(folded, expected);
    }

    // fixture::script checks every success body before the server may serve it.
    void scriptServesOnlyDocumentedShapes()
    {
        const json good = example("openrouter-activity");
        const json bad = changed(good, [](json &b) { b["data"][0].erase("reasoning_tokens"); });

        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("^fixture::script: /api/v1/activity, response 2 of 2 is "
                                                              "not what the service sends \\(openrouter-activity"));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("^    /data/0/reasoning_tokens: missing"));
        QVERIFY(!fixture::script(m_server, {{"/api/v1/activity", {{{"body", good}}, {{"body", bad}}}}}));
        QCOMPARE(served("/api/v1/activity"), 404L); // nothing was installed

        // Deliberate faults say why; error answers, text bodies and paths without a schema are not checked.
        QVERIFY(
            fixture::script(m_server, {{"/api/v1/activity", {{{"body", bad}, {"off_schema", "a renamed field"}}}}}));
        QCOMPARE(served("/api/v1/activity"), 200L);
        QVERIFY(fixture::script(m_server, {{"/api/v1/activity", {{{"status", 500}, {"body", {{"oops", 1}}}}}}}));
        QVERIFY(fixture::script(m_server, {{"/api/v1/activity", {{{"body", "{\"data\": [{\"oops\""}}}}}));
        QVERIFY(fixture::script(m_server, {{"/api/v1/generation", {{{"body", {{"anything", true}}}}}}}));
        QVERIFY(fixture::script(m_server, {{"/api/v1/activity", {{{"big_bytes", 1000}}}}}));

        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("\"off_schema\" must say why"));
        QVERIFY(!fixture::script(m_server, {{"/api/v1/activity", {{{"body", bad}, {"off_schema", ""}}}}}));
    }
};

ROUTELEDGER_TEST_SUITE(TestFixtureSchemas)
#include "tst_fixtureschemas.moc"
