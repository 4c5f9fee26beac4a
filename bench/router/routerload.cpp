// Load and latency tool for routeledger-router (bench/router/*.sh drive it; figures in docs/BENCHMARKS.md).
//
//   routerload latency --direct PORT --router PORT [--requests N] [--stream]
//       one keep-alive connection to each; requests alternate direct / router so drift hits both alike;
//       prints median, p90, p99 of the whole request (or, with --stream, of the time to the first SSE
//       bytes) for each, and the router's added median.
//   routerload hold --router PORT --connections N [--seconds S]
//       opens N connections at once, each with a streaming request; reports when all N have received
//       their first event, keeps them open for S seconds (the upstream is slowed down by the script).
//   routerload soak --router PORT --rate R --seconds S [--connections C]
//       a steady R requests/s over C connections; every 10 s prints sent, 2xx, other statuses and
//       transport errors.
#include "asioincludes.h"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace rl;
using Clock = std::chrono::steady_clock;

namespace {

const char *kDirectBody = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hi"}],"max_tokens":16)";
const char *kRouterBody = R"({"model":"auto","messages":[{"role":"user","content":"Say hi"}],"max_tokens":16)";

HttpRequest makeRequest(bool router, bool stream)
{
    HttpRequest request(http::verb::post, "/v1/chat/completions", 11);
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, "application/json");
    request.set(http::field::authorization, "Bearer sk-fake");
    if (router)
        request.set("X-RouteLedger-Team", "bench");
    request.body() = std::string(router ? kRouterBody : kDirectBody) + (stream ? R"(,"stream":true})" : "}");
    request.prepare_payload();
    return request;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
    return values[index];
}

// One request on a blocking connection; returns microseconds to the first body bytes (stream) or to the
// whole answer, or a negative number on failure.
double timedRequest(tcp::socket &socket, beast::flat_buffer &buffer, const HttpRequest &request, bool stream)
{
    beast::error_code ec;
    const auto start = Clock::now();
    http::write(socket, request, ec);
    if (ec)
        return -1;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(64u << 20);
    http::read_header(socket, buffer, parser, ec);
    if (ec || parser.get().result_int() != 200)
        return -1;
    double firstBytes = -1;
    char chunk[16384];
    while (!parser.is_done()) {
        parser.get().body().data = chunk;
        parser.get().body().size = sizeof chunk;
        http::read_some(socket, buffer, parser, ec);
        if (ec == http::error::need_buffer)
            ec = {};
        if (ec)
            return -1;
        if (firstBytes < 0 && parser.get().body().size < sizeof chunk)
            firstBytes = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    }
    const double whole = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    return stream ? firstBytes : whole;
}

int latency(std::uint16_t directPort, std::uint16_t routerPort, int requests, bool stream)
{
    asio::io_context context;
    tcp::socket direct(context), router(context);
    beast::error_code ec;
    direct.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), directPort), ec);
    if (!ec)
        router.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), routerPort), ec);
    if (ec) {
        std::fprintf(stderr, "connect: %s\n", ec.message().c_str());
        return 1;
    }
    direct.set_option(tcp::no_delay(true));
    router.set_option(tcp::no_delay(true));
    beast::flat_buffer directBuffer, routerBuffer;
    const HttpRequest directRequest = makeRequest(false, stream), routerRequest = makeRequest(true, stream);
    std::vector<double> directTimes, routerTimes;
    for (int i = 0; i < requests + requests / 10; ++i) {
        double d = timedRequest(direct, directBuffer, directRequest, stream);
        double r = timedRequest(router, routerBuffer, routerRequest, stream);
        if (d < 0 || r < 0) {
            std::fprintf(stderr, "request %d failed\n", i);
            return 1;
        }
        if (i >= requests / 10) { // the first tenth warms up
            directTimes.push_back(d);
            routerTimes.push_back(r);
        }
    }
    const char *what = stream ? "time to first SSE bytes" : "request latency";
    std::printf("%s over %d alternating requests (one connection each), microseconds:\n", what, requests);
    std::printf("  direct  p50 %8.1f  p90 %8.1f  p99 %8.1f\n", percentile(directTimes, 0.5),
                percentile(directTimes, 0.9), percentile(directTimes, 0.99));
    std::printf("  router  p50 %8.1f  p90 %8.1f  p99 %8.1f\n", percentile(routerTimes, 0.5),
                percentile(routerTimes, 0.9), percentile(routerTimes, 0.99));
    std::vector<double> added;
    for (std::size_t i = 0; i < directTimes.size(); ++i)
        added.push_back(routerTimes[i] - directTimes[i]);
    std::printf("  added by the router: p50 difference %.1f us; median of paired differences %.1f us\n",
                percentile(routerTimes, 0.5) - percentile(directTimes, 0.5), percentile(added, 0.5));
    return 0;
}

struct HoldState {
    std::atomic<int> firstEvent{0};
    std::atomic<int> finished{0};
    std::atomic<int> failed{0};
};

asio::awaitable<void> holdOne(tcp::endpoint endpoint, HoldState &state, std::chrono::seconds hold)
{
    auto executor = co_await asio::this_coro::executor;
    tcp::socket socket(executor);
    beast::error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    co_await socket.async_connect(endpoint, token);
    if (ec) {
        ++state.failed;
        co_return;
    }
    HttpRequest request = makeRequest(true, true);
    co_await http::async_write(socket, request, token);
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    co_await http::async_read_header(socket, buffer, parser, token);
    if (ec || parser.get().result_int() != 200) {
        ++state.failed;
        co_return;
    }
    char chunk[4096];
    bool first = true;
    while (!parser.is_done()) {
        parser.get().body().data = chunk;
        parser.get().body().size = sizeof chunk;
        co_await http::async_read_some(socket, buffer, parser, token);
        if (ec == http::error::need_buffer)
            ec = {};
        if (ec) {
            ++state.failed;
            co_return;
        }
        if (first && parser.get().body().size < sizeof chunk) {
            first = false;
            ++state.firstEvent;
        }
    }
    ++state.finished;
    asio::steady_timer wait(executor, hold);
    co_await wait.async_wait(token);
}

int hold(std::uint16_t port, int connections, int seconds)
{
    asio::io_context context(1);
    HoldState state;
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    for (int i = 0; i < connections; ++i)
        asio::co_spawn(context, holdOne(endpoint, state, std::chrono::seconds(0)), asio::detached);
    std::atomic<bool> reported{false};
    const auto start = Clock::now();
    asio::steady_timer ticker(context);
    std::function<void()> tick = [&] {
        ticker.expires_after(std::chrono::milliseconds(100));
        ticker.async_wait([&](const beast::error_code &) {
            if (!reported && state.firstEvent.load() + state.failed.load() >= connections) {
                reported = true;
                std::printf("all %d streams open (first event received) after %.2f s; %d failed\n", connections,
                            std::chrono::duration<double>(Clock::now() - start).count(), state.failed.load());
                std::fflush(stdout);
            }
            if (state.finished.load() + state.failed.load() < connections
                && Clock::now() - start < std::chrono::seconds(seconds))
                tick();
        });
    };
    tick();
    context.run();
    std::printf("streams finished %d, failed %d\n", state.finished.load(), state.failed.load());
    return state.failed.load() == 0 ? 0 : 1;
}

struct SoakState {
    std::atomic<long> sent{0}, ok{0}, otherStatus{0}, transportErrors{0};
};

asio::awaitable<void> soakConnection(tcp::endpoint endpoint, SoakState &state, std::chrono::microseconds interval,
                                     Clock::time_point end)
{
    auto executor = co_await asio::this_coro::executor;
    beast::error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    const HttpRequest request = makeRequest(true, false);
    asio::steady_timer timer(executor);
    auto next = Clock::now();
    while (Clock::now() < end) {
        tcp::socket socket(executor);
        co_await socket.async_connect(endpoint, token);
        if (ec) {
            ++state.transportErrors;
            timer.expires_after(std::chrono::milliseconds(100));
            co_await timer.async_wait(token);
            continue;
        }
        beast::flat_buffer buffer;
        while (Clock::now() < end) {
            next += interval;
            timer.expires_at(next);
            co_await timer.async_wait(token);
            ++state.sent;
            co_await http::async_write(socket, request, token);
            http::response<http::string_body> response;
            if (!ec)
                co_await http::async_read(socket, buffer, response, token);
            if (ec) {
                ++state.transportErrors;
                break;
            }
            (response.result_int() == 200 ? state.ok : state.otherStatus)++;
        }
    }
}

int soak(std::uint16_t port, int rate, int seconds, int connections)
{
    asio::io_context context(1);
    SoakState state;
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    const auto end = Clock::now() + std::chrono::seconds(seconds);
    const auto interval = std::chrono::microseconds(1'000'000LL * connections / rate);
    for (int i = 0; i < connections; ++i)
        asio::co_spawn(context, soakConnection(endpoint, state, interval, end), asio::detached);
    asio::steady_timer reporter(context);
    const auto start = Clock::now();
    std::function<void()> report = [&] {
        reporter.expires_after(std::chrono::seconds(10));
        reporter.async_wait([&](const beast::error_code &) {
            std::printf("t=%4.0fs sent %ld ok %ld other %ld transport-errors %ld\n",
                        std::chrono::duration<double>(Clock::now() - start).count(), state.sent.load(), state.ok.load(),
                        state.otherStatus.load(), state.transportErrors.load());
            std::fflush(stdout);
            if (Clock::now() < end)
                report();
        });
    };
    report();
    context.run();
    std::printf("total sent %ld ok %ld other %ld transport-errors %ld (%.0f req/s)\n", state.sent.load(),
                state.ok.load(), state.otherStatus.load(), state.transportErrors.load(),
                static_cast<double>(state.sent.load()) / seconds);
    return state.otherStatus.load() + state.transportErrors.load() == 0 ? 0 : 1;
}

int intArg(int argc, char **argv, const char *name, int fallback)
{
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], name) == 0)
            return std::atoi(argv[i + 1]);
    }
    return fallback;
}

bool flag(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], name) == 0)
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: routerload latency|hold|soak ... (see the comment at the top of routerload.cpp)\n");
        return 2;
    }
    const std::string mode = argv[1];
    const auto routerPort = static_cast<std::uint16_t>(intArg(argc, argv, "--router", 8080));
    if (mode == "latency")
        return latency(static_cast<std::uint16_t>(intArg(argc, argv, "--direct", 9101)), routerPort,
                       intArg(argc, argv, "--requests", 20000), flag(argc, argv, "--stream"));
    if (mode == "hold")
        return hold(routerPort, intArg(argc, argv, "--connections", 1000), intArg(argc, argv, "--seconds", 60));
    if (mode == "soak")
        return soak(routerPort, intArg(argc, argv, "--rate", 500), intArg(argc, argv, "--seconds", 600),
                    intArg(argc, argv, "--connections", 8));
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
}
