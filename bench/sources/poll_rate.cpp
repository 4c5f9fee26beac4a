// Poll-and-ingest rate from a routeledger-router (bench/sources/poll-rate.sh; docs/BENCHMARKS.md).
//
//   poll_rate make-ledger --out LEDGER --events N     fills a router ledger with N realistic events
//   poll_rate poll --url URL --token T --store STORE [--page 1000]
//       polls the router into a new store with RouterUsageConnector + SourcePoller and prints events/s,
//       then ingests the same number of events straight from memory into another new store (the raw
//       rate of the same machine at the same moment) and prints the ratio; peak RSS is printed at each
//       step, to show that polling keeps memory flat (bounded pages).
#include "ledgerevent.h"
#include "net/httpclient.h"
#include "sources/routerusageconnector.h"
#include "sources/sourcepoller.h"
#include "store/usagestore.h"
#include "usageledger.h"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

const char *arg(int argc, char **argv, const char *name, const char *fallback)
{
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], name) == 0)
            return argv[i + 1];
    }
    return fallback;
}

long peakRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

rl::LedgerEvent makeEvent(std::int64_t i)
{
    static const char *teams[] = {"legal", "support", "engineering", "research", "sales", "finance"};
    static const char *models[] = {"openai/gpt-5", "openai/gpt-5-mini", "openai/gpt-5-nano",
                                   "anthropic/claude-sonnet-4-5"};
    static const char *tiers[] = {"frontier", "mid", "light", "mid"};
    rl::LedgerEvent event;
    rl::UsageEvent &u = event.usage;
    u.requestId = "rl-bench-" + std::to_string(i);
    u.timeMs = 1'795'000'000'000LL + i * 50;
    u.team = teams[i % 6];
    u.user = "user" + std::to_string(i % 97);
    u.app = "app" + std::to_string(i % 7);
    u.requestedModel = "auto";
    u.model = models[i % 4];
    u.provider = u.model.substr(0, u.model.find('/'));
    u.tier = tiers[i % 4];
    u.tierRank = static_cast<int>(i % 3);
    u.rule = i % 5 == 0 ? "easy-to-light" : "default";
    u.policyVersion = 3;
    u.tokens.input = 200 + i % 1000;
    u.tokens.cachedInput = i % 3 == 0 ? 64 : 0;
    u.tokens.output = 50 + i % 300;
    u.costMicro = 100 + i % 5000;
    u.frontierCostMicro = 900 + i % 9000;
    u.latencyMs = 300 + i % 2000;
    u.complexity = static_cast<double>(i % 100) / 100.0;
    u.task = "chat";
    event.httpStatus = 200;
    event.attempts.push_back({u.model, "ok", 200, u.latencyMs});
    return event;
}

int makeLedger(const std::string &out, std::int64_t events)
{
    std::filesystem::remove(out);
    auto ledger = rl::UsageLedger::open(out, std::chrono::milliseconds(50));
    if (!ledger) {
        std::fprintf(stderr, "%s\n", ledger.error().message.c_str());
        return 1;
    }
    for (std::int64_t i = 0; i < events; ++i) {
        ledger.value()->append(makeEvent(i));
        if (ledger.value()->pendingCount() > 200'000) // let the writer keep up
            while (ledger.value()->pendingCount() > 10'000)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ledger.value()->stop();
    std::printf("ledger %s: %lld events\n", out.c_str(), static_cast<long long>(ledger.value()->committedCount()));
    return 0;
}

int poll(const std::string &url, const std::string &token, const std::string &storePath, std::size_t pageSize)
{
    std::filesystem::remove(storePath);
    auto store = rl::UsageStore::open(storePath);
    if (!store) {
        std::fprintf(stderr, "%s\n", store.error().message.c_str());
        return 1;
    }
    std::printf("peak RSS before polling: %ld MB\n", peakRssMb());
    rl::HttpClient http;
    rl::RouterUsageConnector connector(http, "router-bench", url, token, pageSize);
    const auto start = Clock::now();
    rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector, 1'000'000);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (report.error) {
        std::fprintf(stderr, "poll failed: %s\n", report.error->message.c_str());
        return 1;
    }
    const double pollRate = static_cast<double>(report.inserted) / seconds;
    std::printf("polled %zu events in %zu pages of %zu in %.2f s: %.0f events/s; peak RSS %ld MB\n", report.inserted,
                report.pages, pageSize, seconds, pollRate, peakRssMb());

    // The raw ingest rate of the same events, same machine, same moment: batches straight from memory.
    const std::string rawPath = storePath + ".raw";
    std::filesystem::remove(rawPath);
    auto raw = rl::UsageStore::open(rawPath);
    if (!raw)
        return 1;
    const auto rawStart = Clock::now();
    for (std::size_t done = 0; done < report.inserted;) {
        rl::IngestBatch batch;
        batch.source = "raw";
        for (std::size_t i = 0; i < pageSize && done < report.inserted; ++i, ++done)
            batch.events.push_back(makeEvent(static_cast<std::int64_t>(done)).usage);
        batch.cursor = std::to_string(done);
        if (!raw->ingest(batch))
            return 1;
    }
    const double rawSeconds = std::chrono::duration<double>(Clock::now() - rawStart).count();
    const double rawRate = static_cast<double>(report.inserted) / rawSeconds;
    std::printf("raw ingest of the same count in pages of %zu: %.2f s, %.0f events/s\n", pageSize, rawSeconds, rawRate);
    std::printf("poll-and-ingest / raw ingest: %.0f %%; peak RSS %ld MB\n", 100.0 * pollRate / rawRate, peakRssMb());
    std::filesystem::remove(rawPath);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: poll_rate make-ledger|poll ... (see the comment at the top)\n");
        return 2;
    }
    const std::string mode = argv[1];
    if (mode == "make-ledger")
        return makeLedger(arg(argc, argv, "--out", "/tmp/poll-ledger.db"),
                          std::atoll(arg(argc, argv, "--events", "1000000")));
    if (mode == "poll")
        return poll(arg(argc, argv, "--url", "http://127.0.0.1:8080"), arg(argc, argv, "--token", ""),
                    arg(argc, argv, "--store", "/tmp/poll-store.db"),
                    static_cast<std::size_t>(std::atoll(arg(argc, argv, "--page", "1000"))));
    return 2;
}
