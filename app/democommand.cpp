#include "commandline.h"
#include "headlesscommands.h"

#include "demo/demoworkload.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace headless {

namespace {

const char *kDemoHelp = R"(Usage: routeledger demo --out FILE [--days 90] [--events N] [--seed S] [--end YYYY-MM-DD]

Builds a demo store through the real routing core and price catalog: twelve teams of
different sizes and habits, apps and users, a workday and weekly rhythm, a month-end
spike, a team that overruns its budget, and a policy change (version 1 -> 2) partway
through. The same seed and end date give the same store.

  --events N     requests to generate (default 200000)
  --end DATE     the day after the last day of data (default: now, so the last day is today
                 up to the current hour and minute, and every period that includes today has data)
)";

} // namespace

int demo(const std::vector<std::string> &args)
{
    for (const std::string &arg : args)
        if (arg == "--help" || arg == "-h") {
            std::cout << kDemoHelp;
            return 0;
        }
    CommandLine line(args, {"--out", "--days", "--events", "--seed", "--end"}, {});
    rl::DemoWorkload::Options options;
    options.clock = rl::systemClock(); // "now", when --end is not given
    options.days = static_cast<int>(line.number("--days", 1, 3650).value_or(90));
    options.events = static_cast<std::int64_t>(line.number("--events", 1, 1e9).value_or(200000));
    options.seed = static_cast<std::uint64_t>(line.number("--seed", 0, 1e15).value_or(1));
    if (auto end = line.value("--end")) {
        int y = 0, m = 0, d = 0;
        if (std::sscanf(end->c_str(), "%d-%d-%d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31) {
            std::cerr << "--end expects a date as YYYY-MM-DD, got \"" << *end << "\"\n";
            return 2;
        }
        const auto days = std::chrono::sys_days(std::chrono::year(y) / std::chrono::month(static_cast<unsigned>(m))
                                                / std::chrono::day(static_cast<unsigned>(d)));
        options.endMs = std::chrono::duration_cast<std::chrono::milliseconds>(days.time_since_epoch()).count();
    }
    if (!line.ok() || !line.value("--out") || !line.positional().empty()) {
        std::cerr << (line.ok() ? "demo needs --out FILE" : line.error()) << "\n" << kDemoHelp;
        return 2;
    }
    const std::string out = *line.value("--out");
    if (out.empty()) {
        std::cerr << "demo --out needs a file name\n" << kDemoHelp;
        return 2;
    }
    if (std::filesystem::exists(out)) {
        std::cerr << out << " already exists; choose another file or delete it first\n";
        return 1;
    }
    auto store = rl::UsageStore::open(out);
    if (!store) {
        std::cerr << store.error().message << "\n";
        return 1;
    }
    rl::Pricing pricing(rl::PriceCatalog::builtIn());
    rl::DemoWorkload workload(options, pricing);
    const auto started = std::chrono::steady_clock::now();
    int lastPercent = -1;
    auto generated = workload.generate(store.value(), [&](double done) {
        const int percent = static_cast<int>(done * 100);
        if (percent / 10 != lastPercent / 10)
            std::cerr << "\r" << percent << " %" << std::flush;
        lastPercent = percent;
        return true;
    });
    std::cerr << "\n";
    if (!generated) {
        std::cerr << generated.error().message << "\n";
        return 1;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "wrote " << generated.value() << " requests over " << options.days << " days to " << out << " in "
              << static_cast<int>(seconds * 10) / 10.0 << " s\n";
    return 0;
}

} // namespace headless
