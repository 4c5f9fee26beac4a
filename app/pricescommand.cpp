#include "commandline.h"
#include "commandstore.h"
#include "headlesscommands.h"

#include "store/usagestore.h"
#include "textfile.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace headless {

namespace {

const char *kPricesHelp = R"(Usage: routeledger prices --store FILE [--create] [--import CATALOG.json]
                          [--override provider/model --input USD --output USD [--from YYYY-MM-DD]]
                          [--discount PROVIDER --percent P [--from YYYY-MM-DD]]
                          [--show provider/model [--at YYYY-MM-DD]]

Manages a store's prices. --import replaces the built-in LiteLLM catalog with a newer file of the same
format (validated whole: a bad file changes nothing). --override sets a model's price in USD per
million tokens from a date on (default: today); --discount takes a percentage off everything a provider
charges from a date on. Past usage keeps the price it had. --show prints a model's prices in effect.

The store must exist and be a RouteLedger store; --create starts a new, empty one at FILE. A store whose
SQLite integrity check fails is refused before anything is written.
Exit codes: 0 done, 1 refused or failed (the reason on stderr), 2 wrong arguments.
)";

std::optional<std::int64_t> dateMs(const std::string &text)
{
    int y = 0, m = 0, d = 0;
    if (std::sscanf(text.c_str(), "%d-%d-%d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return std::nullopt;
    const auto days = std::chrono::sys_days(std::chrono::year(y) / std::chrono::month(static_cast<unsigned>(m))
                                            / std::chrono::day(static_cast<unsigned>(d)));
    return std::chrono::duration_cast<std::chrono::milliseconds>(days.time_since_epoch()).count();
}

std::int64_t todayMs()
{
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    return now / 86'400'000 * 86'400'000;
}

// USD per million tokens -> pico-USD per token.
std::int64_t perMillionToPico(double usd)
{
    return std::llround(usd * 1e6);
}

} // namespace

int prices(const std::vector<std::string> &args)
{
    for (const std::string &arg : args)
        if (arg == "--help" || arg == "-h") {
            std::cout << kPricesHelp;
            return 0;
        }
    CommandLine line(args,
                     {"--store", "--import", "--override", "--input", "--output", "--from", "--discount", "--percent",
                      "--show", "--at"},
                     {"--create"});
    const std::optional<double> input = line.number("--input", 0, 1e6);
    const std::optional<double> output = line.number("--output", 0, 1e6);
    const std::optional<double> percent = line.number("--percent", 0, 100);
    if (!line.ok() || !line.value("--store") || !line.positional().empty()) {
        std::cerr << (line.ok() ? "prices needs --store FILE" : line.error()) << "\n" << kPricesHelp;
        return 2;
    }
    std::int64_t from = todayMs();
    if (auto text = line.value("--from")) {
        auto parsed = dateMs(*text);
        if (!parsed) {
            std::cerr << "--from expects a date as YYYY-MM-DD, got \"" << *text << "\"\n";
            return 2;
        }
        from = *parsed;
    }
    const std::string path = *line.value("--store");
    if (path.empty()) {
        std::cerr << "--store needs a file name\n";
        return 2;
    }
    auto store = openCommandStore(path, line.has("--create"),
                                  "check the path, or add --create to start a new, empty store there");
    if (!store)
        return 1;
    if (auto file = line.value("--import")) {
        auto text = rl::readTextFile(*file, rl::PriceCatalog::kMaxFileBytes);
        if (!text) {
            std::cerr << text.error().message << "\n";
            return 1;
        }
        auto imported = store->importPriceCatalog(text.value());
        if (!imported) {
            std::cerr << *file << ": " << imported.error().message << "\n";
            return 1;
        }
        std::cout << "imported " << *file << "\n";
    }
    if (auto model = line.value("--override")) {
        if (!input || !output) {
            std::cerr << "--override needs --input and --output, in USD per million tokens\n";
            return 2;
        }
        rl::PriceOverride o;
        o.model = *model;
        o.effectiveFromMs = from;
        o.prices.input = o.prices.cachedInput = o.prices.cacheWrite = perMillionToPico(*input);
        o.prices.output = o.prices.reasoning = perMillionToPico(*output);
        if (auto saved = store->addPriceOverride(o); !saved) {
            std::cerr << saved.error().message << "\n";
            return 1;
        }
        std::cout << "override saved for " << *model << "\n";
    }
    if (auto provider = line.value("--discount")) {
        if (!percent) {
            std::cerr << "--discount needs --percent\n";
            return 2;
        }
        if (auto saved =
                store->addProviderDiscount({*provider, static_cast<std::int32_t>(std::lround(*percent * 100)), from});
            !saved) {
            std::cerr << saved.error().message << "\n";
            return 1;
        }
        std::cout << "discount saved for " << *provider << "\n";
    }
    if (auto model = line.value("--show")) {
        std::int64_t at = todayMs() + 86'400'000 - 1;
        if (auto text = line.value("--at")) {
            auto parsed = dateMs(*text);
            if (!parsed) {
                std::cerr << "--at expects a date as YYYY-MM-DD\n";
                return 2;
            }
            at = *parsed + 86'400'000 - 1;
        }
        auto pricing = store->pricing();
        if (!pricing) {
            std::cerr << pricing.error().message << "\n";
            return 1;
        }
        auto p = pricing->pricesAt(*model, at);
        if (!p) {
            std::cout << *model << ": unpriced (not in the catalog and no override)\n";
            return 0;
        }
        const std::string provider = model->substr(0, model->find('/'));
        const double off = pricing->discountAt(provider, at) / 100.0;
        std::printf("%s: input $%.4f, cached input $%.4f, cache write $%.4f, output $%.4f per million tokens; "
                    "discount %.2f %%\n",
                    model->c_str(), double(p->input) / 1e6, double(p->cachedInput) / 1e6, double(p->cacheWrite) / 1e6,
                    double(p->output) / 1e6, off);
    }
    return 0;
}

} // namespace headless
