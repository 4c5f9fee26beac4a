#include "policydraft.h"

#include "drafteditcommand.h"
#include "routing/policywriter.h"

#include <QUndoStack>

namespace {

const PolicyDraft::Json &emptyRule()
{
    static const PolicyDraft::Json empty = PolicyDraft::Json::object();
    return empty;
}

PolicyDraft::Json &rulesOf(PolicyDraft::Json &document)
{
    if (!document.is_object())
        document = PolicyDraft::Json::object();
    if (!document.contains("rules") || !document["rules"].is_array())
        document["rules"] = PolicyDraft::Json::array();
    return document["rules"];
}

} // namespace

PolicyDraft::PolicyDraft(QObject *parent) : QObject(parent), m_undo(new QUndoStack(this))
{
    apply(Json::object());
}

PolicyDraft::Json PolicyDraft::emptyFrom(const Json &templateDocument)
{
    Json document = Json::object();
    document["schema"] = "routeledger.policy/v1";
    document["name"] = templateDocument.contains("name") ? templateDocument["name"] : Json("draft");
    if (templateDocument.contains("description"))
        document["description"] = templateDocument["description"];
    document["version"] = templateDocument.contains("version") ? templateDocument["version"] : Json(0);
    for (const char *key : {"tiers", "default_tier"})
        if (templateDocument.contains(key))
            document[key] = templateDocument[key];
    document["rules"] = Json::array();
    for (const char *key : {"budget_guard", "fallback", "budgets"})
        if (templateDocument.contains(key))
            document[key] = templateDocument[key];
    return document;
}

void PolicyDraft::load(Json document, const QString &draftName, std::optional<qint64> baseVersion)
{
    m_draftName = draftName;
    m_baseVersion = baseVersion;
    m_undo->clear();
    apply(document);
    m_undo->setClean();
}

QString PolicyDraft::canonicalText() const
{
    if (m_validation.ok())
        return QString::fromStdString(rl::PolicyWriter::toText(*m_validation.policy));
    return QString::fromStdString(m_document.dump(2)) + QLatin1Char('\n');
}

void PolicyDraft::apply(const Json &document)
{
    m_document = document;
    // The validator takes a plain json; the ordered one keeps the document's key order for display.
    m_validation = rl::PolicyParser::fromJson(nlohmann::json(m_document));
    emit changed();
}

void PolicyDraft::edit(const QString &text, Json after, const QString &mergeKey)
{
    if (after == m_document)
        return;
    m_undo->push(new DraftEditCommand(*this, text, m_document, std::move(after), mergeKey));
}

int PolicyDraft::ruleCount() const
{
    auto rules = m_document.find("rules");
    return rules != m_document.end() && rules->is_array() ? int(rules->size()) : 0;
}

const PolicyDraft::Json &PolicyDraft::rule(int index) const
{
    if (index < 0 || index >= ruleCount())
        return emptyRule();
    return m_document["rules"][std::size_t(index)];
}

QString PolicyDraft::ruleId(int index) const
{
    const Json &r = rule(index);
    auto id = r.find("id");
    if (id != r.end() && id->is_string())
        return QString::fromStdString(id->get<std::string>());
    return tr("rule %1").arg(index + 1);
}

void PolicyDraft::addRule(int index, Json rule)
{
    Json after = m_document;
    Json &rules = rulesOf(after);
    index = std::clamp(index, 0, int(rules.size()));
    const QString id = rule.contains("id") && rule["id"].is_string()
                           ? QString::fromStdString(rule["id"].get<std::string>())
                           : QString();
    rules.insert(rules.begin() + index, std::move(rule));
    edit(tr("Add rule %1").arg(id), std::move(after));
}

void PolicyDraft::duplicateRule(int index)
{
    if (index < 0 || index >= ruleCount())
        return;
    Json copy = rule(index);
    copy["id"] = unusedRuleId(ruleId(index) + QStringLiteral("-copy")).toStdString();
    Json after = m_document;
    Json &rules = rulesOf(after);
    rules.insert(rules.begin() + index + 1, copy);
    edit(tr("Duplicate rule %1").arg(ruleId(index)), std::move(after));
}

void PolicyDraft::removeRule(int index)
{
    if (index < 0 || index >= ruleCount())
        return;
    Json after = m_document;
    Json &rules = rulesOf(after);
    rules.erase(rules.begin() + index);
    edit(tr("Delete rule %1").arg(ruleId(index)), std::move(after));
}

void PolicyDraft::setRuleEnabled(int index, bool enabled)
{
    if (index < 0 || index >= ruleCount())
        return;
    Json after = m_document;
    Json &r = rulesOf(after)[std::size_t(index)];
    if (enabled)
        r.erase("enabled"); // the default: canonical documents leave it out
    else
        r["enabled"] = false;
    edit(enabled ? tr("Enable rule %1").arg(ruleId(index)) : tr("Disable rule %1").arg(ruleId(index)),
         std::move(after));
}

void PolicyDraft::moveRule(int from, int to)
{
    const int count = ruleCount();
    if (from < 0 || from >= count || to < 0 || to >= count || from == to)
        return;
    Json after = m_document;
    Json &rules = rulesOf(after);
    Json moved = rules[std::size_t(from)];
    rules.erase(rules.begin() + from);
    rules.insert(rules.begin() + to, std::move(moved));
    edit(tr("Move rule %1 to position %2").arg(ruleId(from)).arg(to + 1), std::move(after));
}

void PolicyDraft::setRuleField(int index, const char *key, Json value, const QString &text, const QString &mergeKey)
{
    if (index < 0 || index >= ruleCount())
        return;
    Json after = m_document;
    Json &r = rulesOf(after)[std::size_t(index)];
    if (value.is_null())
        r.erase(key);
    else
        r[key] = std::move(value);
    edit(text, std::move(after), mergeKey);
}

void PolicyDraft::setTierModels(int tier, const std::vector<std::string> &models, const QString &text)
{
    auto tiers = m_document.find("tiers");
    if (tiers == m_document.end() || !tiers->is_array() || tier < 0 || tier >= int(tiers->size()))
        return;
    Json after = m_document;
    after["tiers"][std::size_t(tier)]["models"] = models;
    edit(text, std::move(after));
}

void PolicyDraft::addTier(const QString &name)
{
    Json after = m_document;
    if (!after.contains("tiers") || !after["tiers"].is_array())
        after["tiers"] = Json::array();
    after["tiers"].push_back(Json{{"name", name.toStdString()}, {"models", Json::array()}});
    edit(tr("Add tier %1").arg(name), std::move(after));
}

void PolicyDraft::removeTier(int tier)
{
    auto tiers = m_document.find("tiers");
    if (tiers == m_document.end() || !tiers->is_array() || tier < 0 || tier >= int(tiers->size()))
        return;
    Json after = m_document;
    const Json &removed = (*tiers)[std::size_t(tier)];
    const QString name = removed.contains("name") && removed["name"].is_string()
                             ? QString::fromStdString(removed["name"].get<std::string>())
                             : QString();
    after["tiers"].erase(after["tiers"].begin() + tier);
    edit(tr("Remove tier %1").arg(name), std::move(after));
}

void PolicyDraft::setDefaultTier(const QString &name)
{
    Json after = m_document;
    after["default_tier"] = name.toStdString();
    edit(tr("Default tier %1").arg(name), std::move(after));
}

bool PolicyDraft::setText(const QString &text, QString *error)
{
    const std::string utf8 = text.toStdString();
    Json parsed = Json::parse(utf8, nullptr, false);
    if (parsed.is_discarded()) {
        // Point at the first character the parser could not take.
        try {
            const Json again = Json::parse(utf8);
            Q_UNUSED(again);
        } catch (const Json::parse_error &e) {
            if (error)
                *error =
                    tr("Not JSON: %1. Nothing was changed; fix the text or undo.").arg(QString::fromUtf8(e.what()));
        }
        return false;
    }
    edit(tr("Edit the JSON"), std::move(parsed));
    return true;
}

QString PolicyDraft::unusedRuleId(const QString &base) const
{
    auto taken = [&](const QString &id) {
        for (int i = 0; i < ruleCount(); ++i)
            if (ruleId(i) == id)
                return true;
        return false;
    };
    if (!taken(base))
        return base;
    for (int n = 2;; ++n) {
        const QString candidate = QStringLiteral("%1-%2").arg(base).arg(n);
        if (!taken(candidate))
            return candidate;
    }
}
