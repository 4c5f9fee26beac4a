// The LiteLLM and Portkey exports against golden files (tests/core/deploy/export/<case>/): policy.json (or
// the shipped default policy), router-config.json when the case has one, litellm.expected (config.yaml),
// portkey.expected.json, warnings.txt ("litellm: …" and "portkey: …" lines) and not-meaningful when nothing
// of the policy's routing survives. ROUTELEDGER_UPDATE_GOLDEN=1 rewrites the golden files (review the diff).
#include "testdata.h"
#include "testsuites.h"

#include "deploy/litellmexport.h"
#include "deploy/portkeyexport.h"
#include "routing/policyparser.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include <nlohmann/json.hpp>

namespace {

QString caseDir(const QString &name)
{
    return testdata::path(QStringLiteral("core/deploy/export/") + name);
}

struct ExportCase {
    std::shared_ptr<const rl::Policy> policy;
    std::optional<nlohmann::json> routerConfig;
    const nlohmann::json *config() const { return routerConfig ? &*routerConfig : nullptr; }
};

ExportCase load(const QString &name)
{
    ExportCase out;
    const QString dir = caseDir(name);
    const QString policyFile = QFile::exists(dir + "/policy.json")
                                   ? dir + "/policy.json"
                                   : testdata::sourcePath(QStringLiteral("resources/policies/default-policy.json"));
    rl::PolicyLoad loaded = rl::PolicyParser::parse(testdata::read(policyFile).toStdString());
    if (!loaded.ok())
        qFatal("%s: %s", qPrintable(policyFile), loaded.errors.front().line().c_str());
    out.policy = loaded.policy;
    if (QFile::exists(dir + "/router-config.json"))
        out.routerConfig = nlohmann::json::parse(testdata::read(dir + "/router-config.json").toStdString());
    return out;
}

QString warningLines(const rl::ExportResult &litellm, const rl::ExportResult &portkey)
{
    QString out;
    for (const std::string &w : litellm.warnings)
        out += "litellm: " + QString::fromStdString(w) + "\n";
    for (const std::string &w : portkey.warnings)
        out += "portkey: " + QString::fromStdString(w) + "\n";
    return out;
}

void compareGolden(const QString &file, const QString &actual)
{
    if (qEnvironmentVariableIsSet("ROUTELEDGER_UPDATE_GOLDEN")) {
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(actual.toUtf8());
        return;
    }
    QVERIFY2(QFile::exists(file), qPrintable(file + " is missing (ROUTELEDGER_UPDATE_GOLDEN=1 writes it)"));
    QCOMPARE(actual, QString::fromUtf8(testdata::read(file)));
}

// Every string in a JSON value, for "is this rule's target in the output" checks.
bool mentions(const nlohmann::ordered_json &value, const std::string &text)
{
    if (value.is_string())
        return value.get<std::string>() == text;
    for (const auto &child : value)
        if (mentions(child, text))
            return true;
    if (value.is_object())
        for (auto it = value.begin(); it != value.end(); ++it)
            if (it.key() == text)
                return true;
    return false;
}

} // namespace

class TestPolicyExport : public QObject {
    Q_OBJECT
private slots:
    void golden_data()
    {
        QTest::addColumn<QString>("name");
        for (const QString &name : testdata::folders(QStringLiteral("core/deploy/export")))
            QTest::newRow(qPrintable(name)) << name;
    }

    void golden()
    {
        QFETCH(QString, name);
        const ExportCase c = load(name);
        const rl::ExportResult litellm = rl::LiteLlmExport::write(*c.policy, c.config());
        const rl::ExportResult portkey = rl::PortkeyExport::write(*c.policy, c.config());
        const bool expectMeaningful = !QFile::exists(caseDir(name) + "/not-meaningful");
        QCOMPARE(litellm.meaningful, expectMeaningful);
        QCOMPARE(portkey.meaningful, expectMeaningful);
        compareGolden(caseDir(name) + "/litellm.expected", QString::fromStdString(litellm.text));
        compareGolden(caseDir(name) + "/portkey.expected.json", QString::fromStdString(portkey.text));
        compareGolden(caseDir(name) + "/warnings.txt", warningLines(litellm, portkey));
        QVERIFY(!litellm.warnings.empty() && !portkey.warnings.empty());
        // Each export's text and its document() agree, and the Portkey text is its JSON.
        std::vector<std::string> warnings;
        bool meaningful = false;
        QCOMPARE(nlohmann::ordered_json::parse(portkey.text),
                 rl::PortkeyExport::document(*c.policy, c.config(), warnings, meaningful));
        QCOMPARE(warnings, portkey.warnings);
    }

    // No rule disappears silently: every enabled rule is either routed to in the export or named in a warning.
    void everyRuleIsAccountedFor_data() { golden_data(); }
    void everyRuleIsAccountedFor()
    {
        QFETCH(QString, name);
        const ExportCase c = load(name);
        for (const bool portkey : {false, true}) {
            std::vector<std::string> warnings;
            bool meaningful = false;
            const nlohmann::ordered_json doc =
                portkey ? rl::PortkeyExport::document(*c.policy, c.config(), warnings, meaningful)
                        : rl::LiteLlmExport::document(*c.policy, c.config(), warnings, meaningful);
            std::string allWarnings;
            for (const std::string &w : warnings)
                allWarnings += w + "\n";
            for (const rl::Rule &rule : c.policy->rules) {
                if (!rule.enabled)
                    continue;
                const bool warned = allWarnings.find("rule `" + rule.id + "`") != std::string::npos;
                bool routed = false;
                if (portkey) {
                    // The rule's own condition: one leading to its target that is not the tier request condition.
                    const std::string target = rule.then.kind == rl::RuleAction::Kind::Tier
                                                   ? c.policy->tiers[static_cast<std::size_t>(rule.then.tierIndex)].name
                                                   : rule.then.value;
                    const nlohmann::ordered_json tierQuery = {
                        {"$or", {{{"metadata.tier", {{"$eq", target}}}}, {{"params.model", {{"$eq", target}}}}}}};
                    for (const auto &condition : doc["strategy"]["conditions"])
                        if (condition["then"] == target && condition["query"] != tierQuery)
                            routed = true;
                } else {
                    routed = mentions(doc["router_settings"]["model_group_alias"],
                                      rule.then.kind == rl::RuleAction::Kind::Tier
                                          ? c.policy->tiers[static_cast<std::size_t>(rule.then.tierIndex)].name
                                          : rule.then.value);
                }
                QVERIFY2(warned || routed, (name.toStdString() + (portkey ? " portkey" : " litellm") + ": rule "
                                            + rule.id + " is neither exported nor warned about")
                                               .c_str());
                QVERIFY2(!(warned && routed && rule.then.kind == rl::RuleAction::Kind::Block),
                         "a block rule cannot be exported");
            }
        }
    }

    // The hand-written YAML reads back (PyYAML, as LiteLLM reads config.yaml) as exactly the JSON document.
    void litellmYamlParses_data() { golden_data(); }
    void litellmYamlParses()
    {
        QFETCH(QString, name);
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (python.isEmpty())
            QSKIP("python3 is not installed");
        QProcess probe;
        probe.start(python, {"-c", "import yaml"});
        QVERIFY(probe.waitForFinished(30000));
        if (probe.exitCode() != 0)
            QSKIP("PyYAML is not installed (python3-yaml)");
        const ExportCase c = load(name);
        const rl::ExportResult result = rl::LiteLlmExport::write(*c.policy, c.config());
        QProcess yaml;
        yaml.start(python, {"-c", "import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"});
        QVERIFY(yaml.waitForStarted());
        yaml.write(QByteArray::fromStdString(result.text));
        yaml.closeWriteChannel();
        QVERIFY(yaml.waitForFinished(30000));
        QVERIFY2(yaml.exitCode() == 0, yaml.readAllStandardError().constData());
        std::vector<std::string> warnings;
        bool meaningful = false;
        const nlohmann::json expected = rl::LiteLlmExport::document(*c.policy, c.config(), warnings, meaningful);
        QCOMPARE(nlohmann::json::parse(yaml.readAllStandardOutput().toStdString()), expected);
    }

    // Strings that YAML would read as something else stay strings.
    void yamlKeepsAwkwardStrings()
    {
        auto policyText = testdata::read(caseDir(QStringLiteral("no-router-config")) + "/policy.json").toStdString();
        nlohmann::json document = nlohmann::json::parse(policyText);
        document["tiers"][0]["name"] = "no";
        document["tiers"][1]["name"] = "1e3";
        document["default_tier"] = "1e3";
        document["rules"][0]["then"]["tier"] = "no";
        document["rules"][1]["when"]["requested_model"]["eq"] = "a: \"b\" #c\n- d";
        rl::PolicyLoad loaded = rl::PolicyParser::fromJson(document);
        if (!loaded.ok()) // tier names are restricted; the rule's value is not
            QSKIP(loaded.errors.front().line().c_str());
        const rl::ExportResult result = rl::LiteLlmExport::write(*loaded.policy, nullptr);
        QVERIFY(result.text.find("model_name: \"no\"") != std::string::npos);
        QVERIFY(result.text.find("\"a: \\\"b\\\" #c\\n- d\": \"openai/gpt-5-mini\"") != std::string::npos);
    }
};

ROUTELEDGER_TEST_SUITE(TestPolicyExport)
#include "tst_policyexport.moc"
