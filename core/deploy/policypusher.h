#pragma once

#include "deploy/pushresult.h"
#include "error.h"

#include <chrono>
#include <string>
#include <vector>

namespace rl {

// Installs a policy on routeledger-router instances through their admin API and checks what each one
// serves afterwards (DESIGN.md §3.4; docs/ROUTER.md, "Pushing policies"). Per router: GET /admin/policy (its
// ETag and document); PUT with If-Match (the ETag the app last installed there when known, so a change made
// behind the app's back is a real 412, else the one just read); on 200 GET again and compare canonical form
// with canonical form. A router already holding this very policy is Applied without a PUT. A dry run POSTs
// to /admin/policy/validate instead and installs nothing. Every router is pushed on a thread of its own, with
// one attempt per step (no retries: the caller decides to push again), so an unreachable router costs the
// others nothing and itself at most its connect timeout. Admin tokens never appear in a result.
class PolicyPusher {
public:
    struct Options {
        std::chrono::milliseconds connectTimeout{2000};
        std::chrono::milliseconds transferTimeout{10000};
        std::string caFile; // extra CA bundle for https routers; empty: the system's
    };

    explicit PolicyPusher(Options options);

    // Every target in parallel (a thread each); results in target order. An invalid `policyDocument` is
    // Rejected for every target with its error lines, and nothing is sent. `shadow`: installed as the routers'
    // shadow policy (`/admin/policy?shadow`: decided beside the live one and recorded, never served), whose
    // version need not be higher than anything.
    std::vector<PushResult> push(const std::string &policyDocument, const std::vector<PushTarget> &targets,
                                 bool dryRun = false, bool shadow = false) const;
    // Ends shadow mode on every target (GET ?shadow for its ETag, DELETE with If-Match): Applied when ended or
    // when none ran.
    std::vector<PushResult> endShadow(const std::vector<PushTarget> &targets) const;
    // GET /admin/policy (`shadow`: ?shadow; none reads as an empty document). Errors: net.* (HttpClient's, in
    // words), push.token (401/403), push.refused (another status), push.unreadable (not a policy document).
    Result<RouterPolicyState> read(const PushTarget &target, bool shadow = false) const;

private:
    Options m_options;
};

} // namespace rl
