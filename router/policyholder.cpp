#include "policyholder.h"

#include "digest.h"
#include "routing/policywriter.h"
#include "routing/promptchecks.h"

namespace rl {

PolicyHolder::PolicyHolder(std::shared_ptr<const Policy> initial, std::shared_ptr<const Policy> shadow)
    : m_state(makeState(makeSnapshot(std::move(initial)),
                        shadow ? std::optional<Snapshot>(makeSnapshot(std::move(shadow))) : std::nullopt))
{}

std::shared_ptr<const Policy> PolicyHolder::policy() const
{
    std::lock_guard lock(m_mutex);
    return m_state->live.policy;
}

PolicyHolder::Snapshot PolicyHolder::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_state->live;
}

std::optional<PolicyHolder::Snapshot> PolicyHolder::shadow() const
{
    std::lock_guard lock(m_mutex);
    return m_state->shadow;
}

std::shared_ptr<const PolicyHolder::State> PolicyHolder::state() const
{
    std::lock_guard lock(m_mutex);
    return m_state;
}

std::string PolicyHolder::shadowETag() const
{
    std::lock_guard lock(m_mutex);
    return m_state->shadow ? m_state->shadow->etag : std::string(kNoShadowETag);
}

PolicyHolder::Snapshot PolicyHolder::makeSnapshot(std::shared_ptr<const Policy> policy)
{
    Snapshot snapshot;
    auto document = std::make_shared<std::string>(PolicyWriter::toText(*policy));
    // The version makes the tag readable; the digest makes two different documents with the same version
    // (an edit that forgot to bump it) distinct.
    snapshot.etag = "\"v" + std::to_string(policy->version) + "-" + sha256Hex(*document).substr(0, 16) + "\"";
    snapshot.document = std::move(document);
    snapshot.policy = std::move(policy);
    return snapshot;
}

std::shared_ptr<const PolicyHolder::State> PolicyHolder::makeState(Snapshot live, std::optional<Snapshot> shadow)
{
    auto state = std::make_shared<State>();
    state->live = std::move(live);
    state->shadow = std::move(shadow);
    // Once per install, not per request: the leaves of both policies, so every request's event says how each
    // prompt condition of either came out (a replay and the shadow comparison need both).
    PromptChecks::collect(*state->live.policy, state->promptLeaves);
    if (state->shadow)
        PromptChecks::collect(*state->shadow->policy, state->promptLeaves);
    return state;
}

void PolicyHolder::install(std::shared_ptr<const State> state)
{
    std::lock_guard lock(m_mutex);
    m_state = std::move(state);
}

} // namespace rl
