#pragma once

#include "routing/policy.h"

#include <memory>
#include <mutex>
#include <string>

namespace rl {

// The policy in force, its canonical text and its ETag. Readers take a shared_ptr copy, so a request
// keeps the policy it started with however often an admin swaps it; writers compare-and-swap on the
// ETag, so of two PUTs made against the same version exactly one wins.
class PolicyHolder {
public:
    struct Snapshot {
        std::shared_ptr<const Policy> policy;
        std::shared_ptr<const std::string> document; // canonical JSON (PolicyWriter)
        std::string etag;                            // quoted, as sent in the ETag header
    };

    explicit PolicyHolder(std::shared_ptr<const Policy> initial);

    std::shared_ptr<const Policy> policy() const;
    Snapshot snapshot() const;

    enum class SwapResult { Swapped, Unchanged, StaleETag, VersionNotIncreasing, PersistFailed };
    // Installs `next` if the policy in force still has `expectedEtag` and `next` has a higher version;
    // the document in force again is `Unchanged`, whatever `expectedEtag` (a retried push succeeds). Runs `persist`
    // (which may fail and veto the swap) and swaps, all while holding the writer lock. `installed` is what is in force
    // after the call; `previous` what was in force before it.
    template <typename Persist>
    SwapResult replaceIf(const std::string &expectedEtag, std::shared_ptr<const Policy> next, Persist &&persist,
                         Snapshot &installed, Snapshot &previous)
    {
        std::lock_guard writer(m_writerMutex);
        previous = snapshot();
        installed = previous;
        Snapshot candidate = makeSnapshot(std::move(next));
        // The document in force again is a retry of the push that installed it: it succeeds whatever
        // If-Match it carries (the retry still holds the ETag it read before its first try).
        if (candidate.etag == previous.etag)
            return SwapResult::Unchanged;
        if (previous.etag != expectedEtag)
            return SwapResult::StaleETag;
        if (candidate.policy->version <= previous.policy->version)
            return SwapResult::VersionNotIncreasing;
        if (!persist(candidate))
            return SwapResult::PersistFailed;
        install(candidate);
        installed = candidate;
        return SwapResult::Swapped;
    }

    static Snapshot makeSnapshot(std::shared_ptr<const Policy> policy);

private:
    void install(const Snapshot &snapshot);

    std::mutex m_writerMutex;
    mutable std::mutex m_mutex;
    Snapshot m_current;
};

} // namespace rl
