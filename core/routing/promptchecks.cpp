#include "routing/promptchecks.h"

#include "digest.h"
#include "routing/policy.h"
#include "routing/routerequest.h"

#include <algorithm>

namespace rl {

namespace {

void collectLeaves(const Condition &node, std::vector<const Condition *> &leaves)
{
    if (node.kind != Condition::Kind::Leaf) {
        for (const Condition &child : node.children)
            collectLeaves(child, leaves);
        return;
    }
    if (node.field != Field::Prompt || node.promptKey.empty())
        return;
    const bool seen = std::any_of(leaves.begin(), leaves.end(),
                                  [&](const Condition *leaf) { return leaf->promptKey == node.promptKey; });
    if (!seen)
        leaves.push_back(&node);
}

bool isKey(std::string_view text)
{
    return text.size() == 16 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

} // namespace

std::string PromptChecks::key(Op op, std::string_view pattern)
{
    std::string material = "routeledger.prompt/v1;";
    material += opName(op);
    material += ';';
    material += pattern;
    return sha256Hex(material).substr(0, 16);
}

void PromptChecks::collect(const Policy &policy, std::vector<const Condition *> &leaves)
{
    for (const Rule &rule : policy.rules)
        collectLeaves(rule.when, leaves);
}

void PromptChecks::evaluate(const std::vector<const Condition *> &leaves, const RouteRequest &request,
                            std::vector<PromptCheck> &out)
{
    // A prompt leaf reads nothing but the prompt, so the other context values do not matter here.
    const EvalContext context{request, 0.0, Task::Chat, 0, 0, 1};
    for (const Condition *leaf : leaves)
        out.push_back({leaf->promptKey, leaf->holds(context)});
}

std::string PromptChecks::encode(const std::vector<PromptCheck> &checks)
{
    std::string text;
    text.reserve(checks.size() * 19);
    for (const PromptCheck &check : checks) {
        if (!text.empty())
            text += ',';
        text += check.key;
        text += check.held ? "=1" : "=0";
    }
    return text;
}

bool PromptChecks::decode(std::string_view text, std::vector<PromptCheck> &out)
{
    out.clear();
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        if (item.size() != 18 || item[16] != '=' || (item[17] != '0' && item[17] != '1') || !isKey(item.substr(0, 16)))
            return false;
        out.push_back({std::string(item.substr(0, 16)), item[17] == '1'});
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
        if (text.empty())
            return false; // a trailing comma
    }
    return true;
}

} // namespace rl
