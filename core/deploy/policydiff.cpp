#include "deploy/policydiff.h"

#include "routing/policyissue.h"
#include "routing/policywording.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>

namespace rl {

using nlohmann::ordered_json;

namespace {

using Changes = std::vector<PolicyChange>;

const ordered_json kNull;

// An item of a list with the key it is matched by: its id or name, "#2" appended for a second item with the
// same one (only an invalid draft has those), or its position when it has neither.
struct Keyed {
    std::string key;
    std::size_t index = 0;
    const ordered_json *value = nullptr;
};

const ordered_json *member(const ordered_json &object, const std::string &key)
{
    if (!object.is_object())
        return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

bool same(const ordered_json *a, const ordered_json *b)
{
    if (a == nullptr || b == nullptr)
        return a == b;
    return *a == *b;
}

std::string shown(const ordered_json *value)
{
    return value == nullptr ? "(none)" : PolicyWording::value(*value);
}

std::string quoted(const ordered_json *value)
{
    if (value == nullptr)
        return "(none)";
    return value->is_string() ? "\"" + PolicyWording::value(*value) + "\"" : PolicyWording::value(*value);
}

std::string child(const std::string &path, const std::string &key)
{
    return PolicyIssues::child(path, key);
}

std::string child(const std::string &path, std::size_t index)
{
    return PolicyIssues::child(path, index);
}

void add(Changes &out, std::string kind, std::string object, std::string path, std::string text)
{
    out.push_back({std::move(kind), std::move(object), std::move(path), std::move(text)});
}

std::string textOf(const ordered_json &object, const char *key)
{
    const ordered_json *value = member(object, key);
    return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

std::vector<Keyed> keyed(const ordered_json *list, const std::function<std::string(const ordered_json &)> &idOf)
{
    std::vector<Keyed> out;
    if (list == nullptr || !list->is_array())
        return out;
    std::unordered_map<std::string, int> seen;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const ordered_json &item = (*list)[i];
        std::string key = idOf(item);
        key = key.empty() ? "\x01@" + std::to_string(i) : "=" + key;
        if (const int n = ++seen[key]; n > 1)
            key += "\x01#" + std::to_string(n);
        out.push_back({std::move(key), i, &item});
    }
    return out;
}

std::unordered_map<std::string, std::size_t> indexOf(const std::vector<Keyed> &items)
{
    std::unordered_map<std::string, std::size_t> out;
    for (std::size_t i = 0; i < items.size(); ++i)
        out.emplace(items[i].key, i);
    return out;
}

// For `sequence` (positions in B of the items both lists have, in A's order): which elements form one longest
// increasing subsequence, i.e. the longest run of common items that kept their relative order. The others
// moved. Patience sorting, O(n log n); the keys are unique, so this is the longest common subsequence.
std::vector<bool> keptInOrder(const std::vector<std::size_t> &sequence)
{
    std::vector<std::size_t> tails; // element index ending the best run of each length
    std::vector<std::ptrdiff_t> parent(sequence.size(), -1);
    for (std::size_t i = 0; i < sequence.size(); ++i) {
        auto at = std::lower_bound(tails.begin(), tails.end(), sequence[i],
                                   [&](std::size_t element, std::size_t value) { return sequence[element] < value; });
        if (at != tails.begin())
            parent[i] = static_cast<std::ptrdiff_t>(*(at - 1));
        if (at == tails.end())
            tails.push_back(i);
        else
            *at = i;
    }
    std::vector<bool> kept(sequence.size(), false);
    for (std::ptrdiff_t k = tails.empty() ? -1 : static_cast<std::ptrdiff_t>(tails.back()); k >= 0;
         k = parent[static_cast<std::size_t>(k)])
        kept[static_cast<std::size_t>(k)] = true;
    return kept;
}

// Lines for the keys of two objects that no dedicated comparison covers (keys an invalid draft may have).
void otherKeys(const ordered_json &a, const ordered_json &b, const std::set<std::string> &known,
               const std::string &object, const std::string &prefix, const std::string &pathA, const std::string &pathB,
               Changes &out)
{
    std::vector<std::string> keys;
    for (const ordered_json *document : {&a, &b})
        if (document->is_object())
            for (auto it = document->begin(); it != document->end(); ++it)
                if (!known.count(it.key()) && std::find(keys.begin(), keys.end(), it.key()) == keys.end())
                    keys.push_back(it.key());
    for (const std::string &key : keys) {
        const ordered_json *before = member(a, key);
        const ordered_json *after = member(b, key);
        if (same(before, after))
            continue;
        const std::string kind = before == nullptr ? "added" : after == nullptr ? "removed" : "changed";
        add(out, kind, object.empty() ? key : object, child(after == nullptr ? pathA : pathB, key),
            prefix + key + ": " + shown(before) + " → " + shown(after));
    }
}

// ---- conditions ----------------------------------------------------------------------------------------------

struct LeafChange {
    const ordered_json *before = nullptr;
    const ordered_json *after = nullptr;
    std::string path;
};

// How many field tests differ between two condition trees of the same shape (the tests' fields and operators
// equal, their values not); -1 when the shapes differ. `found` receives the last differing test.
int leafDifferences(const ordered_json &a, const ordered_json &b, const std::string &path, LeafChange &found, int depth)
{
    if (a == b)
        return 0;
    if (depth > 64 || !a.is_object() || !b.is_object() || a.size() != 1 || b.size() != 1
        || a.begin().key() != b.begin().key())
        return -1;
    const std::string &key = a.begin().key();
    const ordered_json &va = a.begin().value();
    const ordered_json &vb = b.begin().value();
    const std::string keyPath = child(path, key);
    if (key == "all" || key == "any") {
        if (!va.is_array() || !vb.is_array() || va.size() != vb.size())
            return -1;
        int total = 0;
        for (std::size_t i = 0; i < va.size(); ++i) {
            const int n = leafDifferences(va[i], vb[i], child(keyPath, i), found, depth + 1);
            if (n < 0)
                return -1;
            total += n;
        }
        return total;
    }
    if (key == "not")
        return leafDifferences(va, vb, keyPath, found, depth + 1);
    // The same field and operator with another value; a new operator rewords the whole condition.
    if (!va.is_object() || !vb.is_object() || va.size() != 1 || vb.size() != 1 || va.begin().key() != vb.begin().key())
        return -1;
    found = {&a, &b, child(keyPath, vb.begin().key())};
    return 1;
}

// When one `all`/`any` list is the other with conditions added (or removed) and nothing else changed, the
// conditions that differ: "added condition has no tools". False otherwise.
bool conditionsAddedOrRemoved(const ordered_json &a, const ordered_json &b, const std::string &label,
                              const std::string &pathA, const std::string &pathB, Changes &out)
{
    if (!a.is_object() || !b.is_object() || a.size() != 1 || b.size() != 1 || a.begin().key() != b.begin().key())
        return false;
    const std::string &key = a.begin().key();
    const ordered_json &listA = a.begin().value();
    const ordered_json &listB = b.begin().value();
    if ((key != "all" && key != "any") || !listA.is_array() || !listB.is_array() || listA.size() == listB.size())
        return false;
    const bool added = listB.size() > listA.size();
    const ordered_json &shorter = added ? listA : listB;
    const ordered_json &longer = added ? listB : listA;
    std::vector<std::size_t> extra;
    std::size_t at = 0;
    for (std::size_t i = 0; i < longer.size(); ++i) {
        if (at < shorter.size() && longer[i] == shorter[at])
            ++at;
        else
            extra.push_back(i);
    }
    if (at != shorter.size())
        return false;
    const std::string noun = key == "all" ? " condition " : " alternative ";
    for (std::size_t i : extra)
        add(out, added ? "added" : "removed", label, child(child(added ? pathB : pathA, key), i),
            label + ": " + (added ? "added" : "removed") + noun + PolicyWording::condition(longer[i]));
    return true;
}

std::string conditionWords(const ordered_json *when)
{
    return when == nullptr ? "(no condition)" : PolicyWording::condition(*when);
}

// ---- rules ---------------------------------------------------------------------------------------------------

std::string ruleId(const ordered_json &rule)
{
    return textOf(rule, "id");
}

std::string ruleLabel(const Keyed &rule)
{
    const std::string id = ruleId(*rule.value);
    return id.empty() ? "rule " + std::to_string(rule.index + 1) : "rule `" + id + "`";
}

std::string ruleReference(const Keyed &rule)
{
    const std::string id = ruleId(*rule.value);
    return id.empty() ? "rule " + std::to_string(rule.index + 1) : "`" + id + "`";
}

std::string outcomeWords(const ordered_json *then)
{
    if (then == nullptr)
        return "(none)";
    std::string words = PolicyWording::action(*then);
    const std::string arrow = "→ ";
    return words.rfind(arrow, 0) == 0 ? words.substr(arrow.size()) : words;
}

void compareRules(const ordered_json &a, const ordered_json &b, const std::string &label, const std::string &pathA,
                  const std::string &path, Changes &out)
{
    if (!a.is_object() || !b.is_object()) {
        if (a != b)
            add(out, "changed", label, path, label + ": " + PolicyWording::rule(a) + " → " + PolicyWording::rule(b));
        return;
    }
    const ordered_json *enabledA = member(a, "enabled");
    const ordered_json *enabledB = member(b, "enabled");
    const bool readableA = enabledA == nullptr || enabledA->is_boolean();
    const bool readableB = enabledB == nullptr || enabledB->is_boolean();
    const bool isEnabledA = enabledA == nullptr || (enabledA->is_boolean() && enabledA->get<bool>());
    const bool isEnabledB = enabledB == nullptr || (enabledB->is_boolean() && enabledB->get<bool>());
    if (readableA && readableB) {
        if (isEnabledA != isEnabledB)
            add(out, "changed", label, child(path, "enabled"), label + (isEnabledB ? " enabled" : " disabled"));
    } else if (!same(enabledA, enabledB)) {
        add(out, "changed", label, child(path, "enabled"),
            label + ": enabled " + shown(enabledA) + " → " + shown(enabledB));
    }

    const ordered_json *whenA = member(a, "when");
    const ordered_json *whenB = member(b, "when");
    if (!same(whenA, whenB)) {
        LeafChange leaf;
        if (whenA != nullptr && whenB != nullptr
            && leafDifferences(*whenA, *whenB, child(path, "when"), leaf, 0) == 1) {
            const PolicyWording::LeafWords before = PolicyWording::leaf(*leaf.before);
            const PolicyWording::LeafWords after = PolicyWording::leaf(*leaf.after);
            const std::string to =
                !after.subject.empty() && after.subject == before.subject ? after.predicate : after.text();
            add(out, "changed", label, leaf.path, label + ": " + before.text() + " → " + to);
        } else if (whenA == nullptr || whenB == nullptr
                   || !conditionsAddedOrRemoved(*whenA, *whenB, label, child(pathA, "when"), child(path, "when"),
                                                out)) {
            const std::string wordsA = conditionWords(whenA);
            const std::string wordsB = conditionWords(whenB);
            add(out, "changed", label, child(path, "when"),
                wordsA == wordsB ? label + ": condition rewritten, still " + wordsB
                                 : label + ": when " + wordsA + " → " + wordsB);
        }
    }

    const ordered_json *thenA = member(a, "then");
    const ordered_json *thenB = member(b, "then");
    if (!same(thenA, thenB))
        add(out, "changed", label, child(path, "then"),
            label + ": outcome " + outcomeWords(thenA) + " → " + outcomeWords(thenB));

    const ordered_json *descriptionA = member(a, "description");
    const ordered_json *descriptionB = member(b, "description");
    if (!same(descriptionA, descriptionB))
        add(out, "changed", label, child(path, "description"),
            label + ": description " + quoted(descriptionA) + " → " + quoted(descriptionB));

    otherKeys(a, b, {"enabled", "when", "then", "description"}, label, label + ": ", pathA, path, out);
}

void diffRules(const ordered_json &a, const ordered_json &b, Changes &out)
{
    const ordered_json *rulesA = member(a, "rules");
    const ordered_json *rulesB = member(b, "rules");
    if (same(rulesA, rulesB))
        return;
    if ((rulesA != nullptr && !rulesA->is_array()) || (rulesB != nullptr && !rulesB->is_array())) {
        add(out, "changed", "rules", "/rules", "rules: " + shown(rulesA) + " → " + shown(rulesB));
        return;
    }
    const std::vector<Keyed> before = keyed(rulesA, ruleId);
    const std::vector<Keyed> after = keyed(rulesB, ruleId);
    const auto inBefore = indexOf(before);
    const auto inAfter = indexOf(after);

    std::vector<std::size_t> positions; // in B, of the rules both have, in A's order
    for (const Keyed &rule : before) {
        auto it = inAfter.find(rule.key);
        if (it == inAfter.end())
            add(out, "removed", ruleLabel(rule), child("/rules", rule.index), ruleLabel(rule) + " removed");
        else
            positions.push_back(it->second);
    }
    const std::vector<bool> kept = keptInOrder(positions);
    std::set<std::size_t> moved;
    for (std::size_t i = 0; i < positions.size(); ++i)
        if (!kept[i])
            moved.insert(positions[i]);

    for (std::size_t j = 0; j < after.size(); ++j) {
        const Keyed &rule = after[j];
        const std::string label = ruleLabel(rule);
        const std::string path = child("/rules", rule.index);
        auto it = inBefore.find(rule.key);
        if (it == inBefore.end()) {
            const std::string where = j == 0 ? " added first: " : " added after " + ruleReference(after[j - 1]) + ": ";
            const ordered_json *enabled = member(*rule.value, "enabled");
            const bool disabled = enabled != nullptr && *enabled == false;
            add(out, "added", label, path,
                label + where + PolicyWording::rule(*rule.value) + (disabled ? " (disabled)" : ""));
            continue;
        }
        const Keyed &old = before[it->second];
        if (moved.count(j))
            add(out, "moved", label, path,
                label + " moved from position " + std::to_string(old.index + 1) + " to " + std::to_string(j + 1));
        compareRules(*old.value, *rule.value, label, child("/rules", old.index), path, out);
    }
}

// ---- tiers ---------------------------------------------------------------------------------------------------

std::string tierName(const ordered_json &tier)
{
    return textOf(tier, "name");
}

std::string tierLabel(const Keyed &tier)
{
    const std::string name = tierName(*tier.value);
    return name.empty() ? "tier " + std::to_string(tier.index + 1) : "tier `" + name + "`";
}

std::string modelId(const ordered_json &model)
{
    return PolicyWording::value(model);
}

std::string modelList(const ordered_json *models)
{
    if (models == nullptr || !models->is_array())
        return shown(models);
    if (models->empty())
        return "no models";
    std::string out;
    for (const ordered_json &model : *models)
        out += (out.empty() ? "" : ", ") + modelId(model);
    return out;
}

// "a, b" for the items of `items` whose key is in `common`, in the list's order.
std::string commonOrder(const std::vector<Keyed> &items, const std::unordered_map<std::string, std::size_t> &other,
                        const std::function<std::string(const Keyed &)> &name, std::vector<std::string> *keys = nullptr)
{
    std::string out;
    for (const Keyed &item : items)
        if (other.count(item.key)) {
            out += (out.empty() ? "" : ", ") + name(item);
            if (keys != nullptr)
                keys->push_back(item.key);
        }
    return out;
}

void compareModels(const ordered_json *a, const ordered_json *b, const std::string &label, const std::string &pathA,
                   const std::string &pathB, Changes &out)
{
    if (same(a, b))
        return;
    if (a == nullptr || b == nullptr || !a->is_array() || !b->is_array()) {
        add(out, "changed", label, pathB, label + ": models " + modelList(a) + " → " + modelList(b));
        return;
    }
    const std::vector<Keyed> before = keyed(a, modelId);
    const std::vector<Keyed> after = keyed(b, modelId);
    const auto inBefore = indexOf(before);
    const auto inAfter = indexOf(after);
    for (const Keyed &model : before)
        if (!inAfter.count(model.key))
            add(out, "removed", label, child(pathA, model.index), label + ": removed `" + modelId(*model.value) + "`");
    for (std::size_t j = 0; j < after.size(); ++j)
        if (!inBefore.count(after[j].key))
            add(out, "added", label, child(pathB, j),
                label + ": added `" + modelId(*after[j].value) + "`"
                    + (j == 0 ? " first" : " after `" + modelId(*after[j - 1].value) + "`"));
    const auto name = [](const Keyed &model) { return modelId(*model.value); };
    std::vector<std::string> orderA, orderB;
    const std::string wordsA = commonOrder(before, inAfter, name, &orderA);
    const std::string wordsB = commonOrder(after, inBefore, name, &orderB);
    if (orderA != orderB)
        add(out, "moved", label, pathB, label + ": order " + wordsA + " → " + wordsB);
}

void diffTiers(const ordered_json &a, const ordered_json &b, Changes &out)
{
    const ordered_json *tiersA = member(a, "tiers");
    const ordered_json *tiersB = member(b, "tiers");
    if (same(tiersA, tiersB))
        return;
    if ((tiersA != nullptr && !tiersA->is_array()) || (tiersB != nullptr && !tiersB->is_array())) {
        add(out, "changed", "tiers", "/tiers", "tiers: " + shown(tiersA) + " → " + shown(tiersB));
        return;
    }
    const std::vector<Keyed> before = keyed(tiersA, tierName);
    const std::vector<Keyed> after = keyed(tiersB, tierName);
    const auto inBefore = indexOf(before);
    const auto inAfter = indexOf(after);

    // A tier that is gone while one with the same models appeared was renamed.
    std::unordered_map<std::size_t, std::size_t> renamedTo; // index in B → index in A
    std::set<std::size_t> renamedFrom;
    for (std::size_t i = 0; i < before.size(); ++i) {
        if (inAfter.count(before[i].key))
            continue;
        const ordered_json *models = member(*before[i].value, "models");
        for (std::size_t j = 0; j < after.size() && models != nullptr; ++j)
            if (!inBefore.count(after[j].key) && !renamedTo.count(j) && same(models, member(*after[j].value, "models"))
                && !tierName(*after[j].value).empty() && !tierName(*before[i].value).empty()) {
                renamedTo[j] = i;
                renamedFrom.insert(i);
                break;
            }
    }
    for (std::size_t i = 0; i < before.size(); ++i)
        if (!inAfter.count(before[i].key) && !renamedFrom.count(i))
            add(out, "removed", tierLabel(before[i]), child("/tiers", before[i].index),
                tierLabel(before[i]) + " removed");

    const auto name = [](const Keyed &tier) {
        const std::string text = tierName(*tier.value);
        return text.empty() ? "tier " + std::to_string(tier.index + 1) : text;
    };
    std::vector<std::string> orderA, orderB;
    const std::string wordsA = commonOrder(before, inAfter, name, &orderA);
    const std::string wordsB = commonOrder(after, inBefore, name, &orderB);
    if (orderA != orderB)
        add(out, "moved", "tiers", "/tiers", "tiers: order " + wordsA + " → " + wordsB);

    for (std::size_t j = 0; j < after.size(); ++j) {
        const Keyed &tier = after[j];
        const std::string label = tierLabel(tier);
        const std::string path = child("/tiers", tier.index);
        if (auto renamed = renamedTo.find(j); renamed != renamedTo.end()) {
            const Keyed &old = before[renamed->second];
            add(out, "changed", tierLabel(old), child(path, "name"), tierLabel(old) + " renamed `" + name(tier) + "`");
            continue;
        }
        auto it = inBefore.find(tier.key);
        if (it == inBefore.end()) {
            add(out, "added", label, path,
                label + (j == 0 ? " added first: " : " added after `" + name(after[j - 1]) + "`: ")
                    + modelList(member(*tier.value, "models")));
            continue;
        }
        const Keyed &old = before[it->second];
        const std::string oldPath = child("/tiers", old.index);
        if (!old.value->is_object() || !tier.value->is_object()) {
            if (*old.value != *tier.value)
                add(out, "changed", label, path, label + ": " + shown(old.value) + " → " + shown(tier.value));
            continue;
        }
        compareModels(member(*old.value, "models"), member(*tier.value, "models"), label, child(oldPath, "models"),
                      child(path, "models"), out);
        otherKeys(*old.value, *tier.value, {"models"}, label, label + ": ", oldPath, path, out);
    }
}

// ---- budget guard, fallback, budgets -------------------------------------------------------------------------

std::string stepKey(const ordered_json &step)
{
    const ordered_json *used = member(step, "used_at_least");
    return used != nullptr && used->is_number() ? PolicyWording::number(used->get<double>()) : std::string();
}

std::string stepThreshold(const Keyed &step)
{
    const ordered_json *used = member(*step.value, "used_at_least");
    return used == nullptr ? "step " + std::to_string(step.index + 1) : PolicyWording::guardThreshold(*used);
}

std::string stepAction(const ordered_json &step)
{
    if (!step.is_object())
        return "? (unreadable)";
    const ordered_json *then = member(step, "then");
    return then == nullptr ? "? (no action)" : PolicyWording::guardAction(*then);
}

void diffBudgetGuard(const ordered_json &a, const ordered_json &b, Changes &out)
{
    const ordered_json *stepsA = member(a, "budget_guard");
    const ordered_json *stepsB = member(b, "budget_guard");
    if (same(stepsA, stepsB))
        return;
    const std::string object = "budget guard";
    if ((stepsA != nullptr && !stepsA->is_array()) || (stepsB != nullptr && !stepsB->is_array())) {
        add(out, "changed", object, "/budget_guard", "budget guard: " + shown(stepsA) + " → " + shown(stepsB));
        return;
    }
    const std::vector<Keyed> before = keyed(stepsA, stepKey);
    const std::vector<Keyed> after = keyed(stepsB, stepKey);
    const auto inBefore = indexOf(before);
    const auto inAfter = indexOf(after);

    // A step whose threshold moved keeps its action: pair a vanished step with a new one doing the same.
    std::unordered_map<std::size_t, std::size_t> shiftedTo; // index in B → index in A
    std::set<std::size_t> shiftedFrom;
    for (std::size_t i = 0; i < before.size(); ++i) {
        if (inAfter.count(before[i].key) || !before[i].value->is_object())
            continue;
        for (std::size_t j = 0; j < after.size(); ++j)
            if (!inBefore.count(after[j].key) && !shiftedTo.count(j) && after[j].value->is_object()
                && same(member(*before[i].value, "then"), member(*after[j].value, "then"))) {
                shiftedTo[j] = i;
                shiftedFrom.insert(i);
                break;
            }
    }
    for (std::size_t i = 0; i < before.size(); ++i)
        if (!inAfter.count(before[i].key) && !shiftedFrom.count(i))
            add(out, "removed", object, child("/budget_guard", before[i].index),
                "budget guard: removed " + stepThreshold(before[i]) + ": " + stepAction(*before[i].value));
    for (std::size_t j = 0; j < after.size(); ++j) {
        const Keyed &step = after[j];
        const std::string path = child("/budget_guard", step.index);
        if (auto shifted = shiftedTo.find(j); shifted != shiftedTo.end()) {
            const Keyed &old = before[shifted->second];
            add(out, "changed", object, child(path, "used_at_least"),
                "budget guard: " + stepThreshold(old) + " → " + stepThreshold(step) + ": " + stepAction(*step.value));
            otherKeys(*old.value, *step.value, {"used_at_least", "then"}, object,
                      "budget guard: " + stepThreshold(step) + ": ", child("/budget_guard", old.index), path, out);
            continue;
        }
        auto it = inBefore.find(step.key);
        if (it == inBefore.end()) {
            add(out, "added", object, path,
                "budget guard: added " + stepThreshold(step) + ": " + stepAction(*step.value));
            continue;
        }
        const Keyed &old = before[it->second];
        if (*old.value == *step.value)
            continue;
        if (!old.value->is_object() || !step.value->is_object()
            || !same(member(*old.value, "then"), member(*step.value, "then")))
            add(out, "changed", object, child(path, "then"),
                "budget guard: " + stepThreshold(step) + ": " + stepAction(*old.value) + " → "
                    + stepAction(*step.value));
        if (old.value->is_object() && step.value->is_object())
            otherKeys(*old.value, *step.value, {"used_at_least", "then"}, object,
                      "budget guard: " + stepThreshold(step) + ": ", child("/budget_guard", old.index), path, out);
    }
}

void diffFallback(const ordered_json &a, const ordered_json &b, Changes &out)
{
    const ordered_json *fallbackA = member(a, "fallback");
    const ordered_json *fallbackB = member(b, "fallback");
    if (same(fallbackA, fallbackB))
        return;
    const std::string object = "fallback";
    if ((fallbackA != nullptr && !fallbackA->is_object()) || (fallbackB != nullptr && !fallbackB->is_object())) {
        add(out, "changed", object, "/fallback",
            "fallback: " + PolicyWording::fallback(fallbackA ? *fallbackA : kNull) + " → "
                + PolicyWording::fallback(fallbackB ? *fallbackB : kNull));
        return;
    }
    const ordered_json defaults = {
        {"on", {"timeout", "rate_limited", "server_error"}}, {"max_attempts", 3}, {"across_tiers", "down"}};
    const auto effective = [&](const ordered_json *fallback, const char *key) {
        const ordered_json *value = fallback == nullptr ? nullptr : member(*fallback, key);
        return value != nullptr ? *value : defaults.at(key);
    };
    const ordered_json onA = effective(fallbackA, "on"), onB = effective(fallbackB, "on");
    if (onA != onB)
        add(out, "changed", object, "/fallback/on",
            "fallback: " + PolicyWording::fallbackErrors(onA) + " → " + PolicyWording::fallbackErrors(onB));
    const ordered_json attemptsA = effective(fallbackA, "max_attempts"),
                       attemptsB = effective(fallbackB, "max_attempts");
    if (attemptsA != attemptsB)
        add(out, "changed", object, "/fallback/max_attempts",
            "fallback: " + PolicyWording::fallbackAttempts(attemptsA) + " → "
                + (attemptsB.is_number() && attemptsA.is_number() && attemptsA != 1 && attemptsB != 1
                       ? PolicyWording::number(attemptsB.get<double>())
                       : PolicyWording::fallbackAttempts(attemptsB)));
    const ordered_json acrossA = effective(fallbackA, "across_tiers"), acrossB = effective(fallbackB, "across_tiers");
    if (acrossA != acrossB)
        add(out, "changed", object, "/fallback/across_tiers",
            "fallback: " + PolicyWording::fallbackAcross(acrossA) + " → " + PolicyWording::fallbackAcross(acrossB));
    otherKeys(fallbackA ? *fallbackA : kNull, fallbackB ? *fallbackB : kNull, {"on", "max_attempts", "across_tiers"},
              object, "fallback: ", "/fallback", "/fallback", out);
}

std::string budgetKey(const ordered_json &budget)
{
    if (!budget.is_object())
        return {};
    const ordered_json *scope = member(budget, "scope");
    std::string key;
    if (scope != nullptr && scope->is_object()) {
        for (const char *part : {"team", "app", "user"})
            if (const ordered_json *value = member(*scope, part))
                key += std::string(part) + "=" + PolicyWording::value(*value) + ";";
        for (auto it = scope->begin(); it != scope->end(); ++it)
            if (it.key() != "team" && it.key() != "app" && it.key() != "user")
                key += it.key() + "=" + PolicyWording::value(it.value()) + ";";
    } else if (scope != nullptr) {
        key += "scope=" + PolicyWording::value(*scope) + ";";
    }
    const ordered_json *period = member(budget, "period");
    return key + "|" + (period == nullptr ? std::string() : PolicyWording::value(*period));
}

std::string budgetLabel(const Keyed &budget)
{
    const ordered_json *scope = member(*budget.value, "scope");
    if (!budget.value->is_object() || (scope != nullptr && !scope->is_object()))
        return "budget " + std::to_string(budget.index + 1);
    std::string who;
    if (scope != nullptr)
        for (auto it = scope->begin(); it != scope->end(); ++it)
            who += (who.empty() ? "" : ", ") + it.key() + " `" + PolicyWording::value(it.value()) + "`";
    const ordered_json *period = member(*budget.value, "period");
    return "budget for " + (who.empty() ? std::string("everyone") : who)
           + (period == nullptr ? std::string() : " (" + PolicyWording::value(*period) + ")");
}

void diffBudgets(const ordered_json &a, const ordered_json &b, Changes &out)
{
    const ordered_json *budgetsA = member(a, "budgets");
    const ordered_json *budgetsB = member(b, "budgets");
    if (same(budgetsA, budgetsB))
        return;
    if ((budgetsA != nullptr && !budgetsA->is_array()) || (budgetsB != nullptr && !budgetsB->is_array())) {
        add(out, "changed", "budgets", "/budgets", "budgets: " + shown(budgetsA) + " → " + shown(budgetsB));
        return;
    }
    const std::vector<Keyed> before = keyed(budgetsA, budgetKey);
    const std::vector<Keyed> after = keyed(budgetsB, budgetKey);
    const auto inBefore = indexOf(before);
    const auto inAfter = indexOf(after);
    const auto limit = [](const ordered_json &budget) {
        const ordered_json *value = member(budget, "limit_usd");
        return value == nullptr ? std::string("(none)") : PolicyWording::usd(*value);
    };
    for (const Keyed &budget : before)
        if (!inAfter.count(budget.key))
            add(out, "removed", budgetLabel(budget), child("/budgets", budget.index), budgetLabel(budget) + " removed");
    for (const Keyed &budget : after) {
        const std::string label = budgetLabel(budget);
        const std::string path = child("/budgets", budget.index);
        auto it = inBefore.find(budget.key);
        if (it == inBefore.end()) {
            add(out, "added", label, path,
                label
                    + " added: " + (budget.value->is_object() ? "limit " + limit(*budget.value) : shown(budget.value)));
            continue;
        }
        const Keyed &old = before[it->second];
        if (*old.value == *budget.value)
            continue;
        if (!old.value->is_object() || !budget.value->is_object()) {
            add(out, "changed", label, path, label + ": " + shown(old.value) + " → " + shown(budget.value));
            continue;
        }
        if (!same(member(*old.value, "limit_usd"), member(*budget.value, "limit_usd")))
            add(out, "changed", label, child(path, "limit_usd"),
                label + ": limit " + limit(*old.value) + " → " + limit(*budget.value));
        const ordered_json *spentA = member(*old.value, "spent_usd_at_publish");
        const ordered_json *spentB = member(*budget.value, "spent_usd_at_publish");
        if (!same(spentA, spentB))
            add(out, "changed", label, child(path, "spent_usd_at_publish"),
                label + ": spent at publish " + (spentA ? PolicyWording::usd(*spentA) : "(none)") + " → "
                    + (spentB ? PolicyWording::usd(*spentB) : "(none)"));
        otherKeys(*old.value, *budget.value, {"scope", "period", "limit_usd", "spent_usd_at_publish"}, label,
                  label + ": ", child("/budgets", old.index), path, out);
    }
}

std::string documentKind(const ordered_json &document)
{
    if (document.is_object())
        return "a policy document";
    if (document.is_array())
        return "an array, not a policy";
    if (document.is_null())
        return "nothing";
    return PolicyWording::value(document) + ", not a policy";
}

} // namespace

std::vector<PolicyChange> PolicyDiff::between(const ordered_json &a, const ordered_json &b)
{
    Changes out;
    if (!a.is_object() || !b.is_object()) {
        if (a != b)
            add(out, "changed", "document", "", "document: " + documentKind(a) + " → " + documentKind(b));
        return out;
    }
    for (const char *key : {"schema", "name"}) {
        const ordered_json *before = member(a, key);
        const ordered_json *after = member(b, key);
        if (!same(before, after))
            add(out,
                before == nullptr  ? "added"
                : after == nullptr ? "removed"
                                   : "changed",
                key, child("", key), std::string(key) + ": " + shown(before) + " → " + shown(after));
    }
    if (const ordered_json *before = member(a, "description"), *after = member(b, "description"); !same(before, after))
        add(out,
            before == nullptr  ? "added"
            : after == nullptr ? "removed"
                               : "changed",
            "description", "/description", "description: " + quoted(before) + " → " + quoted(after));
    diffTiers(a, b, out);
    if (const ordered_json *before = member(a, "default_tier"), *after = member(b, "default_tier");
        !same(before, after))
        add(out,
            before == nullptr  ? "added"
            : after == nullptr ? "removed"
                               : "changed",
            "default tier", "/default_tier", "default tier: " + shown(before) + " → " + shown(after));
    diffRules(a, b, out);
    diffBudgetGuard(a, b, out);
    diffFallback(a, b, out);
    diffBudgets(a, b, out);
    otherKeys(a, b,
              {"schema", "name", "description", "version", "tiers", "default_tier", "rules", "budget_guard", "fallback",
               "budgets"},
              "", "", "", "", out);
    return out;
}

ordered_json PolicyDiff::toJson(const std::vector<PolicyChange> &changes)
{
    ordered_json out = ordered_json::array();
    for (const PolicyChange &change : changes)
        out.push_back(ordered_json{
            {"kind", change.kind}, {"object", change.object}, {"path", change.path}, {"text", change.text}});
    return out;
}

} // namespace rl
