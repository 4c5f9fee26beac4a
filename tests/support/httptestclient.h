#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

// A small blocking HTTP/1.1 client for the router's end-to-end tests (Boost.Beast over loopback), with
// a receive timeout so a test never hangs on a server that does not answer.
struct HttpReply {
    bool transportOk = false; // false: could not connect, or the connection broke before a whole answer
    std::string transportError;
    int status = 0;
    std::map<std::string, std::string> headers; // names in lower case
    std::string body;
    std::string header(const std::string &name) const
    {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

class HttpTestClient {
public:
    explicit HttpTestClient(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~HttpTestClient();
    HttpTestClient(const HttpTestClient &) = delete;
    HttpTestClient &operator=(const HttpTestClient &) = delete;

    // Sends one request on the client's keep-alive connection (reconnecting when the server closed it).
    HttpReply request(const std::string &method, const std::string &target, const std::string &body = {},
                      const std::map<std::string, std::string> &headers = {});
    HttpReply post(const std::string &target, const std::string &body,
                   const std::map<std::string, std::string> &headers = {})
    {
        return request("POST", target, body, headers);
    }
    HttpReply get(const std::string &target, const std::map<std::string, std::string> &headers = {})
    {
        return request("GET", target, {}, headers);
    }
    bool connected() const;

private:
    struct Impl;
    Impl *m_impl;
};

// Opens a TCP connection, writes `bytes`, then reads until the server closes, `enough` (when given) holds
// for what has arrived, or `timeout` passes. Returns what was read; `closedByServer` says whether the
// server closed it.
std::string rawExchange(std::uint16_t port, const std::string &bytes, std::chrono::milliseconds timeout,
                        bool *closedByServer = nullptr,
                        const std::function<bool(const std::string &received)> &enough = {});
