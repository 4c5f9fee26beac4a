#pragma once

// Helpers for tests that drive tests/sources/fixture-server.js: scripting responses, reading what the
// client sent, and counting rows of a store.
#include "net/httpclient.h"
#include "nodeserver.h"
#include "store/usagestore.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace fixture {

inline bool script(const NodeServer &server, const nlohmann::json &scripts)
{
    rl::HttpClient control;
    return control.sendOnce({"POST", server.url("/control/script").toStdString(), {}, scripts.dump()}).ok();
}

inline bool reset(const NodeServer &server)
{
    rl::HttpClient control;
    return control.sendOnce({"POST", server.url("/control/reset").toStdString(), {}, "{}"}).ok();
}

inline nlohmann::json requests(const NodeServer &server)
{
    rl::HttpClient control;
    auto answer = control.sendOnce({"GET", server.url("/control/requests").toStdString(), {}, {}});
    return answer ? nlohmann::json::parse(answer->body) : nlohmann::json::array();
}

inline std::int64_t scalar(rl::UsageStore &store, const std::string &sql)
{
    auto query = store.database().prepare(sql);
    return query && query->step().valueOr(false) ? query->int64(0) : -1;
}

// An HttpClient that records its waits instead of sleeping.
inline rl::HttpClient::Options quickHttp(int maxAttempts = 2,
                                         std::chrono::milliseconds transferTimeout = std::chrono::milliseconds(3000))
{
    rl::HttpClient::Options o;
    o.sleep = [](std::chrono::milliseconds) {};
    o.maxAttempts = maxAttempts;
    o.transferTimeout = transferTimeout;
    return o;
}

} // namespace fixture
