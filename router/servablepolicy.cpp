#include "servablepolicy.h"

namespace rl {

namespace {

void checkModel(const std::string &model, const std::string &path, const RouterConfig &config,
                std::vector<PolicyIssue> &errors)
{
    if (config.providerFor(model) != nullptr)
        return;
    errors.push_back({path, "no provider '" + model.substr(0, model.find('/')) + "' is configured in this router for '"
                                + model + "'; add it to the router's providers or change the model"});
}

} // namespace

PolicyLoad parseServablePolicy(std::string_view text, const RouterConfig &config)
{
    PolicyLoad load = PolicyParser::parse(text);
    if (!load.ok())
        return load;
    const Policy &policy = *load.policy;
    for (std::size_t t = 0; t < policy.tiers.size(); ++t) {
        for (std::size_t m = 0; m < policy.tiers[t].models.size(); ++m)
            checkModel(policy.tiers[t].models[m], "/tiers/" + std::to_string(t) + "/models/" + std::to_string(m),
                       config, load.errors);
    }
    for (std::size_t r = 0; r < policy.rules.size(); ++r) {
        const RuleAction &then = policy.rules[r].then;
        if (then.kind == RuleAction::Kind::Model)
            checkModel(then.value, "/rules/" + std::to_string(r) + "/then/model", config, load.errors);
    }
    if (!load.errors.empty())
        load.policy.reset();
    return load;
}

} // namespace rl
