#pragma once

#include "asioincludes.h"
#include "clientidentifier.h"
#include "clock.h"
#include "error.h"
#include "routermetrics.h"
#include "store/usagerecords.h"
#include "usageledger.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rl {

// POST /v1/feedback (DESIGN.md §3.4, issue 14): a client rates one of its own answers, by the request id the router
// gave it (X-RouteLedger-Request-Id), with a score from 0 to 1 or thumbs up/down and an optional comment. The client
// is identified like a chat request (ClientIdentifier, before the body is read); a request id that is unknown or
// another client's is a 404 either way. The same feedback again is a 200 and stored once; a different one replaces it.
class FeedbackApi {
public:
    static constexpr std::size_t kMaxCommentChars = 2000;  // characters (code points), not bytes
    static constexpr std::size_t kMaxRequestIdBytes = 256; // far above the router's own ids

    FeedbackApi(UsageLedger &ledger, RouterMetrics &metrics, Clock clock)
        : m_ledger(ledger), m_metrics(metrics), m_clock(std::move(clock))
    {}

    // The body read and checked, free of Beast. Errors carry the code the client sees: `unsupported_media_type`
    // (415), `invalid_json` or `invalid_feedback` (400), each naming the problem and the fix.
    static Result<FeedbackRecord> read(std::string_view contentType, std::string_view body, std::int64_t nowMs);

    // Answers the request of a client already identified. Runs on its own thread (it reads and writes the ledger).
    HttpResponse handle(const HttpRequest &request, const ClientIdentity &who);

private:
    UsageLedger &m_ledger;
    RouterMetrics &m_metrics;
    const Clock m_clock;
};

} // namespace rl
