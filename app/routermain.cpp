// routeledger-router: the deployed router (DESIGN.md §3.4). Parses arguments, assembles RouterApp,
// serves until SIGTERM or SIGINT, then drains and flushes the ledger.
#include "buildinfo.h"
#include "routerapp.h"
#include "routerconfig.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <pthread.h>
#include <string>
#include <sys/resource.h>

namespace {

constexpr const char *kUsage =
    "Usage: routeledger-router --config FILE [--check]\n"
    "\n"
    "Serves OpenAI-compatible chat completions, routed by a RouteLedger policy.\n"
    "  --config FILE  the router's JSON config (see resources/router/router-config.example.json)\n"
    "  --check        read the config and the policy, report problems and exit (0: fine, 1: problems)\n"
    "  --help         this text\n"
    "  --version      the version and the commit it was built from\n"
    "\n"
    "Signals: SIGTERM/SIGINT stop accepting, let requests in flight finish (shutdown_grace_ms) and flush\n"
    "the usage ledger. Exit codes: 0 stopped cleanly, 1 cannot start, 2 bad arguments.\n";

} // namespace

int main(int argc, char **argv)
{
    std::string configPath;
    bool checkOnly = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (arg == "--version") {
            std::printf("%s\n", buildinfo::versionLine("routeledger-router").c_str());
            return 0;
        }
        if (arg == "--config" && i + 1 < argc) {
            configPath = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            configPath = arg.substr(9);
        } else if (arg == "--check") {
            checkOnly = true;
        } else {
            std::fprintf(stderr, "routeledger-router: unknown argument '%s'\n\n%s", arg.c_str(), kUsage);
            return 2;
        }
    }
    if (configPath.empty()) {
        std::fprintf(stderr, "routeledger-router: --config FILE is required\n\n%s", kUsage);
        return 2;
    }

    auto config = rl::RouterConfig::load(configPath);
    if (!config) {
        std::fprintf(stderr, "routeledger-router: %s\n", config.error().message.c_str());
        return 1;
    }
    if (config->adminToken.empty())
        std::fprintf(stderr, "routeledger-router: %s is not set; the admin API will refuse every request\n",
                     config->adminTokenEnv.c_str());

    // Workers must not take the stop signals: block them here, before any thread starts, and wait for
    // them on this thread.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    // Each client connection and each upstream connection is a descriptor: take the hard limit, as
    // servers do, so a thousand concurrent streams do not run into the default soft limit of 1,024.
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }

    const std::string listenHost = config->listenHost;
    auto app = rl::RouterApp::create(std::move(config.value()));
    if (!app) {
        std::fprintf(stderr, "routeledger-router: %s\n", app.error().message.c_str());
        return 1;
    }
    if (checkOnly) {
        std::printf("config and policy are fine (policy from %s)\n", app.value()->policySource().c_str());
        return 0;
    }
    auto port = app.value()->start();
    if (!port) {
        std::fprintf(stderr, "routeledger-router: %s\n", port.error().message.c_str());
        return 1;
    }
    std::fprintf(stderr, "routeledger-router: policy from %s\n", app.value()->policySource().c_str());
    std::printf("routeledger-router listening on %s:%u\n", listenHost.c_str(), port.value());
    std::fflush(stdout);

    int signal = 0;
    sigwait(&stopSignals, &signal);
    std::fprintf(stderr, "routeledger-router: %s received, draining\n", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    app.value()->stop();
    std::fprintf(stderr, "routeledger-router: stopped; ledger flushed\n");
    return 0;
}
