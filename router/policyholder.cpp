#include "policyholder.h"

#include "digest.h"
#include "routing/policywriter.h"

namespace rl {

PolicyHolder::PolicyHolder(std::shared_ptr<const Policy> initial) : m_current(makeSnapshot(std::move(initial))) {}

std::shared_ptr<const Policy> PolicyHolder::policy() const
{
    std::lock_guard lock(m_mutex);
    return m_current.policy;
}

PolicyHolder::Snapshot PolicyHolder::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_current;
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

void PolicyHolder::install(const Snapshot &snapshot)
{
    std::lock_guard lock(m_mutex);
    m_current = snapshot;
}

} // namespace rl
