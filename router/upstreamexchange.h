#pragma once

#include "asioincludes.h"
#include "chatexchange.h"
#include "routerconfig.h"
#include "upstreamanswerparser.h"
#include "upstreamcandidate.h"
#include "upstreamconnection.h"
#include "upstreamoutcome.h"
#include "upstreampool.h"

namespace rl {

// One attempt of a chat request at one upstream: a pooled (or new) connection, the request sent, and the
// answer either streamed to the client as it arrives (a 200 event stream to a streaming client: from then
// on the request is committed to this upstream) or read whole, so that the proxy can still fall back.
// Knows nothing of policies' fallbacks, breakers or the ledger: ChatProxy decides those from the outcome.
class UpstreamExchange {
public:
    explicit UpstreamExchange(const RouterConfig &config) : m_config(config) {}

    asio::awaitable<UpstreamOutcome> attempt(const UpstreamCandidate &candidate, ChatExchange &exchange,
                                             UpstreamPool &pool) const;

private:
    using AnswerParser = UpstreamAnswerParser;

    template <typename Stream>
    asio::awaitable<UpstreamOutcome> exchangeOn(Stream &stream, UpstreamConnection &connection,
                                                const UpstreamCandidate &candidate, ChatExchange &exchange) const;
    template <typename Stream>
    asio::awaitable<void> streamAnswer(Stream &stream, UpstreamConnection &connection, AnswerParser &parser,
                                       const UpstreamCandidate &candidate, ChatExchange &exchange,
                                       UpstreamOutcome &outcome) const;
    template <typename Stream>
    asio::awaitable<void> readAnswer(Stream &stream, UpstreamConnection &connection, AnswerParser &parser,
                                     const UpstreamCandidate &candidate, ChatExchange &exchange,
                                     UpstreamOutcome &outcome) const;

    const RouterConfig &m_config;
};

} // namespace rl
