#pragma once

#include "routing/condition.h"
#include "routing/policy.h"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace rl {

// The policy in force and the shadow policy (DESIGN.md §3.4), each with its canonical text and ETag, and
// the prompt conditions of both. Readers take one shared_ptr to all of it (State), so a request keeps the
// live and shadow policies it started with however often an admin swaps either; writers compare-and-swap
// on the ETag, so of two PUTs made against the same version exactly one wins.
class PolicyHolder {
public:
    struct Snapshot {
        std::shared_ptr<const Policy> policy;
        std::shared_ptr<const std::string> document; // canonical JSON (PolicyWriter)
        std::string etag;                            // quoted, as sent in the ETag header
    };
    // What one request is decided with, taken together: never the live policy of one install with the
    // shadow of another.
    struct State {
        Snapshot live;
        std::optional<Snapshot> shadow;
        // The prompt leaves of the live policy, then the shadow's (PromptChecks::collect, each key once),
        // collected once per install; they point into the two policies, which this State keeps alive.
        std::vector<const Condition *> promptLeaves;
    };

    // The ETag of "no shadow policy": what GET /admin/policy?shadow sends with its 404, and the If-Match
    // that installs the first shadow policy (docs/ROUTER.md).
    static constexpr const char *kNoShadowETag = "\"none\"";

    explicit PolicyHolder(std::shared_ptr<const Policy> initial, std::shared_ptr<const Policy> shadow = nullptr);

    std::shared_ptr<const Policy> policy() const;
    Snapshot snapshot() const;
    std::optional<Snapshot> shadow() const;
    std::shared_ptr<const State> state() const;
    // The shadow policy's ETag, or kNoShadowETag.
    std::string shadowETag() const;

    enum class SwapResult { Swapped, Unchanged, StaleETag, VersionNotIncreasing, PersistFailed };
    // Installs `next` if the policy in force still has `expectedEtag` and `next` has a higher version;
    // the document in force again is `Unchanged`, whatever `expectedEtag` (a retried push succeeds). Runs `persist`
    // (which may fail and veto the swap) and swaps, all while holding the writer lock. `installed` is what is in force
    // after the call; `previous` what was in force before it. The shadow policy stays as it is.
    template <typename Persist>
    SwapResult replaceIf(const std::string &expectedEtag, std::shared_ptr<const Policy> next, Persist &&persist,
                         Snapshot &installed, Snapshot &previous)
    {
        std::lock_guard writer(m_writerMutex);
        const std::shared_ptr<const State> current = state();
        previous = current->live;
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
        install(makeState(candidate, current->shadow));
        installed = candidate;
        return SwapResult::Swapped;
    }

    enum class ShadowResult { Swapped, Unchanged, StaleETag, NoShadow, PersistFailed };
    // Installs `next` as the shadow policy, or ends shadow mode when `next` is null, if the shadow's ETag
    // (kNoShadowETag when there is none) is still `expectedEtag`. The shadow's version is free: it need not
    // be above the live one's or the previous shadow's. The shadow in force again is `Unchanged` whatever
    // `expectedEtag`; ending shadow mode without one is `NoShadow`. `persist` gets what is to be in force
    // (nullopt: none) and may veto, under the writer lock like replaceIf.
    template <typename Persist>
    ShadowResult replaceShadowIf(const std::string &expectedEtag, std::shared_ptr<const Policy> next, Persist &&persist,
                                 std::optional<Snapshot> &installed, std::optional<Snapshot> &previous)
    {
        std::lock_guard writer(m_writerMutex);
        const std::shared_ptr<const State> current = state();
        previous = current->shadow;
        installed = previous;
        const std::string previousEtag = previous ? previous->etag : std::string(kNoShadowETag);
        std::optional<Snapshot> candidate;
        if (next)
            candidate = makeSnapshot(std::move(next));
        else if (!previous)
            return ShadowResult::NoShadow;
        if (candidate && candidate->etag == previousEtag)
            return ShadowResult::Unchanged;
        if (previousEtag != expectedEtag)
            return ShadowResult::StaleETag;
        if (!persist(candidate))
            return ShadowResult::PersistFailed;
        install(makeState(current->live, candidate));
        installed = candidate;
        return ShadowResult::Swapped;
    }

    static Snapshot makeSnapshot(std::shared_ptr<const Policy> policy);

private:
    static std::shared_ptr<const State> makeState(Snapshot live, std::optional<Snapshot> shadow);
    void install(std::shared_ptr<const State> state);

    std::mutex m_writerMutex;
    mutable std::mutex m_mutex;
    std::shared_ptr<const State> m_state;
};

} // namespace rl
