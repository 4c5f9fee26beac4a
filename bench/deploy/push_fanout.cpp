// Pushing a policy to many routers at once (PolicyPusher; figures in docs/BENCHMARKS.md).
//
//   push_fanout [--routers 10] [--rounds 10] [--connect-timeout-ms 1000] [--router-exe PATH]
//
// Starts N real routeledger-router processes on loopback (each its own folder, config and ledger), then:
//   1. pushes a new policy version to all N, `rounds` times: GET, PUT with If-Match, GET readback, compare;
//      prints the wall time of each round (all N done, every one applied and read back identical) and the
//      median and worst;
//   2. the same with one more target that never completes a TCP handshake (a listening socket whose accept
//      queue is kept full, so the kernel drops further SYNs and the connect really times out): prints the
//      wall time, the slowest of the N real routers and the black hole's own time. The claim: the real
//      routers finish as fast as without it, and the whole push ends at about the connect timeout.
#include "deploy/policypusher.h"

#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

extern char **environ;

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

const char *const kToken = "bench-push-admin-token-00112233";

const char *arg(int argc, char **argv, const char *name, const char *fallback)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return fallback;
}

json policy(int version)
{
    json rules = json::array();
    for (int r = 0; r < 20; ++r)
        rules.push_back({{"id", "team-" + std::to_string(r)},
                         {"when", {{"team", {{"in", {"team" + std::to_string(r)}}}}}},
                         {"then", {{"tier", r % 2 ? "light" : "frontier"}}}});
    return {{"schema", "routeledger.policy/v1"},
            {"name", "fanout"},
            {"version", version},
            {"tiers",
             {{{"name", "frontier"}, {"models", {"alpha/big"}}},
              {{"name", "mid"}, {"models", {"alpha/mid"}}},
              {{"name", "light"}, {"models", {"alpha/small"}}}}},
            {"default_tier", "mid"},
            {"rules", rules},
            {"fallback", {{"on", {"timeout", "server_error"}}, {"max_attempts", 2}, {"across_tiers", "down"}}}};
}

struct Router {
    pid_t pid = 0;
    int out = -1;
    int port = 0;
};

// Starts routeledger-router on a config in `dir` and reads its stdout until "listening on HOST:PORT".
bool startRouter(const std::string &exe, const std::filesystem::path &dir, Router &router)
{
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "policy.json") << policy(1).dump(2);
    const json config = {{"listen", "127.0.0.1:0"},
                         {"admin_token_env", "RL_BENCH_ADMIN_TOKEN"},
                         {"policy_file", "policy.json"},
                         {"ledger", "ledger.db"},
                         {"threads", 1},
                         {"providers",
                          {{{"name", "alpha"},
                            {"base_url", "http://127.0.0.1:9/v1"},
                            {"models", {"alpha/big", "alpha/mid", "alpha/small"}}}}}};
    std::ofstream(dir / "config.json") << config.dump(2);
    int pipeFds[2];
    if (::pipe(pipeFds) != 0)
        return false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipeFds[0]);
    const std::string configPath = (dir / "config.json").string();
    std::vector<std::string> env;
    for (char **e = environ; *e; ++e)
        env.emplace_back(*e);
    env.push_back(std::string("RL_BENCH_ADMIN_TOKEN=") + kToken);
    std::vector<char *> envp;
    for (std::string &e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string exeCopy = exe, flag = "--config", configCopy = configPath;
    char *argvChild[] = {exeCopy.data(), flag.data(), configCopy.data(), nullptr};
    const int spawned = posix_spawn(&router.pid, exe.c_str(), &actions, nullptr, argvChild, envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipeFds[1]);
    router.out = pipeFds[0];
    if (spawned != 0)
        return false;
    std::string seen;
    char buffer[512];
    while (true) {
        const ssize_t n = ::read(router.out, buffer, sizeof buffer);
        if (n <= 0)
            return false;
        seen.append(buffer, static_cast<std::size_t>(n));
        auto at = seen.find("listening on ");
        if (at != std::string::npos) {
            auto colon = seen.find(':', at + 13);
            auto end = seen.find_first_of(" \n", colon);
            if (colon != std::string::npos && end != std::string::npos) {
                router.port = std::atoi(seen.substr(colon + 1, end - colon - 1).c_str());
                return router.port > 0;
            }
        }
    }
}

// A listening socket that never accepts, its backlog filled: further connects get no SYN-ACK.
struct BlackHole {
    int listener = -1;
    std::vector<int> fillers;
    int port = 0;

    bool open()
    {
        listener = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 || ::listen(listener, 0) != 0)
            return false;
        socklen_t length = sizeof address;
        ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length);
        port = ntohs(address.sin_port);
        for (int i = 0; i < 3; ++i) {
            int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
            fillers.push_back(fd);
        }
        ::usleep(100'000); // let the handshakes of the fillers complete, so the queue is full
        return true;
    }
    ~BlackHole()
    {
        for (int fd : fillers)
            ::close(fd);
        if (listener >= 0)
            ::close(listener);
    }
};

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

} // namespace

int main(int argc, char **argv)
{
    const int count = std::atoi(arg(argc, argv, "--routers", "10"));
    const int rounds = std::atoi(arg(argc, argv, "--rounds", "10"));
    const int connectMs = std::atoi(arg(argc, argv, "--connect-timeout-ms", "1000"));
    const std::string exe = arg(argc, argv, "--router-exe", ROUTER_EXE);

    char pattern[] = "/tmp/push_fanout.XXXXXX";
    if (!::mkdtemp(pattern)) {
        std::perror("mkdtemp");
        return 1;
    }
    const std::filesystem::path root(pattern);
    std::vector<Router> routers(static_cast<std::size_t>(count));
    std::vector<rl::PushTarget> targets;
    int status = 0;
    for (int i = 0; i < count; ++i) {
        if (!startRouter(exe, root / ("r" + std::to_string(i)), routers[static_cast<std::size_t>(i)])) {
            std::fprintf(stderr, "router %d did not start (%s)\n", i, exe.c_str());
            status = 1;
            break;
        }
        targets.push_back({"r" + std::to_string(i),
                           "http://127.0.0.1:" + std::to_string(routers[static_cast<std::size_t>(i)].port), kToken,
                           std::nullopt});
    }

    rl::PolicyPusher::Options options;
    options.connectTimeout = std::chrono::milliseconds(connectMs);
    const rl::PolicyPusher pusher(options);
    int version = 1;
    if (status == 0) {
        std::printf("push to %d routers on loopback (GET, PUT with If-Match, GET readback, canonical compare), "
                    "%d rounds:\n",
                    count, rounds);
        std::vector<double> walls;
        for (int round = 0; round < rounds && status == 0; ++round) {
            const std::string document = policy(++version).dump();
            const auto start = Clock::now();
            const std::vector<rl::PushResult> results = pusher.push(document, targets);
            const double wall = msSince(start);
            walls.push_back(wall);
            std::int64_t slowest = 0;
            for (const rl::PushResult &r : results) {
                slowest = std::max(slowest, r.elapsedMs);
                if (r.outcome != rl::PushOutcome::Applied) {
                    std::fprintf(stderr, "%s: %s: %s\n", r.target.c_str(),
                                 std::string(pushOutcomeName(r.outcome)).c_str(), r.summary.c_str());
                    status = 1;
                }
            }
            std::printf("  round %2d: %7.1f ms wall, slowest router %lld ms\n", round + 1, wall,
                        static_cast<long long>(slowest));
        }
        std::sort(walls.begin(), walls.end());
        if (!walls.empty())
            std::printf("  median %.1f ms, worst %.1f ms (figure: <= 1000 ms)\n", walls[walls.size() / 2],
                        walls.back());
    }

    if (status == 0) {
        BlackHole hole;
        if (!hole.open()) {
            std::perror("black hole");
            status = 1;
        } else {
            std::vector<rl::PushTarget> withHole = targets;
            withHole.push_back({"blackhole", "http://127.0.0.1:" + std::to_string(hole.port), kToken, std::nullopt});
            const std::string document = policy(++version).dump();
            const auto start = Clock::now();
            const std::vector<rl::PushResult> results = pusher.push(document, withHole);
            const double wall = msSince(start);
            std::int64_t slowest = 0;
            for (std::size_t i = 0; i + 1 < results.size(); ++i) {
                slowest = std::max(slowest, results[i].elapsedMs);
                if (results[i].outcome != rl::PushOutcome::Applied)
                    status = 1;
            }
            const rl::PushResult &h = results.back();
            std::printf("with one black-holed router (connect timeout %d ms):\n", connectMs);
            std::printf("  wall %.1f ms; slowest of the %d real routers %lld ms (all applied: %s); black hole %lld ms: "
                        "%s: %s\n",
                        wall, count, static_cast<long long>(slowest), status == 0 ? "yes" : "no",
                        static_cast<long long>(h.elapsedMs), std::string(pushOutcomeName(h.outcome)).c_str(),
                        h.summary.c_str());
            if (h.outcome != rl::PushOutcome::Unreachable)
                status = 1;
        }
    }

    for (Router &router : routers) {
        if (router.pid > 0) {
            ::kill(router.pid, SIGTERM);
            ::waitpid(router.pid, nullptr, 0);
        }
        if (router.out >= 0)
            ::close(router.out);
    }
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
    return status;
}
