#pragma once

#include "error.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rl {

struct HttpExchange {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers; // secrets go here, never into logs
    std::string body;
};

struct HttpAnswer {
    long status = 0;
    std::map<std::string, std::string> headers; // names in lower case
    std::string body;
    std::string header(const std::string &name) const
    {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// An HTTP client on libcurl for the source connectors (DESIGN.md §2: core/net). TLS verification on,
// connect and whole-transfer timeouts, proxies from the environment (curl's http_proxy, https_proxy,
// no_proxy), compressed transfers, at most 5 redirects, a cap on the body size, and keep-alive
// connections reused between calls. send() retries transient failures (connection errors, timeouts,
// 429, 500, 502, 503, 504) with exponential backoff and full jitter, waits as long as Retry-After says
// on 429 and 503, and stops after `maxAttempts`. Errors say what to fix: wrong key, wrong URL, TLS,
// DNS, rate limited until when. One client per thread.
class HttpClient {
public:
    struct Options {
        std::chrono::milliseconds connectTimeout{10'000};
        std::chrono::milliseconds transferTimeout{60'000};
        std::size_t maxBodyBytes = 64u << 20;
        int maxAttempts = 4;
        std::chrono::milliseconds backoffBase{500};
        std::chrono::milliseconds backoffMax{30'000};
        std::chrono::milliseconds retryAfterMax{120'000}; // a longer Retry-After fails the call instead
        std::string caFile;                               // extra CA bundle; empty: the system's
        std::string userAgent = "RouteLedger/0.1";
        // Waits between attempts; tests replace it to record the waits instead of sleeping.
        std::function<void(std::chrono::milliseconds)> sleep;
        std::uint64_t jitterSeed = 0; // 0: random
        // Polled during transfers and between attempts; true ends the call with net.cancelled (a poller
        // being stopped or paused does not wait out a slow source).
        std::function<bool()> cancelled;
    };

    explicit HttpClient(Options options);
    HttpClient() : HttpClient(Options{}) {}
    ~HttpClient();
    HttpClient(const HttpClient &) = delete;
    HttpClient &operator=(const HttpClient &) = delete;

    // With retries. A 4xx other than 429 (and any answer after the last attempt) is returned as an
    // Error whose message says what the status means for this request; 2xx and 3xx come back as answers.
    Result<HttpAnswer> send(const HttpExchange &exchange);
    // One attempt; any HTTP status is an answer, transport failures are Errors.
    Result<HttpAnswer> sendOnce(const HttpExchange &exchange);

    // The wait before attempt `attempt` (1-based retry number), without Retry-After.
    std::chrono::milliseconds backoff(int attempt);
    // Seconds or an HTTP date, relative to `nowSeconds` (Unix); nullopt when absent or unreadable.
    static std::optional<std::chrono::milliseconds> parseRetryAfter(const std::string &value, std::int64_t nowSeconds);
    // The Error for an HTTP status, naming the URL's host and what to check.
    static Error statusError(long status, const std::string &url, const std::string &body);

    const std::vector<std::chrono::milliseconds> &waits() const { return m_waits; } // for tests and logs

private:
    struct Handles;
    Options m_options;
    std::unique_ptr<Handles> m_handles;
    std::uint64_t m_rng;
    std::vector<std::chrono::milliseconds> m_waits;
};

std::string urlHost(const std::string &url);

} // namespace rl
