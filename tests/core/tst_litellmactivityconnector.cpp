// LiteLLM's daily activity (gateway-apis.md §1.4) and budgets (§1.5) against the fixture server: team ×
// model buckets from the key breakdown, tags into `app`, a day spread over pages summed before it is
// stored, the cursor and the re-read of recent days, and team/key budgets.
#include "fixtureclient.h"
#include "pricing/pricecatalog.h"
#include "sources/isotime.h"
#include "sources/litellmbudgetreader.h"
#include "sources/litellmdailyactivityconnector.h"
#include "sources/sourcepoller.h"

#include <QTemporaryDir>
#include <QtTest>

using nlohmann::json;

namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kStart = 1'795'824'000'000; // 2026-11-28 00:00 UTC

json metrics(double spend, int prompt, int completion, int cacheRead, int requests)
{
    return {{"spend", spend},
            {"prompt_tokens", prompt},
            {"completion_tokens", completion},
            {"cache_read_input_tokens", cacheRead},
            {"cache_creation_input_tokens", 0},
            {"total_tokens", prompt + completion},
            {"successful_requests", requests},
            {"failed_requests", 0},
            {"api_requests", requests}};
}

json keyEntry(const json &m, const char *team)
{
    return {{"metrics", m}, {"metadata", {{"key_alias", "k"}, {"team_id", team ? json(team) : json()}}}};
}

// One day: gpt-4o used by two keys of two teams (and some usage no key covers), claude by one key.
json teamDay(std::int64_t day, double scale = 1.0)
{
    return {{"date", rl::IsoTime::date(day)},
            {"metrics", metrics(12.3 * scale, 100000, 20000, 50000, 413)},
            {"breakdown",
             {{"models",
               {{"gpt-4o",
                 {{"metrics", metrics(10.0 * scale, 80000, 16000, 50000, 400)},
                  {"metadata", json::object()},
                  {"api_key_breakdown",
                   {{"hash-a", keyEntry(metrics(6.0 * scale, 50000, 10000, 30000, 300), "team-search")},
                    {"hash-b", keyEntry(metrics(3.0 * scale, 20000, 4000, 20000, 90), "team-ads")}}}}},
                {"claude-sonnet-4-20250514",
                 {{"metrics", metrics(2.3 * scale, 20000, 4000, 0, 13)},
                  {"metadata", json::object()},
                  {"api_key_breakdown",
                   {{"hash-a", keyEntry(metrics(2.3 * scale, 20000, 4000, 0, 13), "team-search")}}}}}}},
              {"model_groups", json::object()},
              {"providers", json::object()},
              {"api_keys", json::object()},
              {"entities",
               {{"team-search",
                 {{"metrics", metrics(8.3, 70000, 14000, 30000, 313)}, {"metadata", {{"team_alias", "Search"}}}}},
                {"team-ads",
                 {{"metrics", metrics(3.0, 20000, 4000, 20000, 90)}, {"metadata", {{"team_alias", "Ads"}}}}}}}}}};
}

json envelope(json results, int page, int totalPages)
{
    return {{"results", std::move(results)},
            {"metadata",
             {{"total_spend", 12.3}, {"page", page}, {"total_pages", totalPages}, {"has_more", page < totalPages}}}};
}

} // namespace

class TestLiteLlmActivityConnector : public QObject {
    Q_OBJECT

private:
    NodeServer m_server;
    rl::Pricing m_pricing{rl::PriceCatalog::builtIn()};

    rl::LiteLlmDailyActivityConnector::Options options(rl::LiteLlmDailyActivityConnector::Dimension dimension)
    {
        rl::LiteLlmDailyActivityConnector::Options o;
        o.dimension = dimension;
        o.firstMs = kStart;
        o.windowDays = 2;
        o.pageSize = 2;
        o.nowMs = [] { return kStart + 2 * kDay + 3'600'000; }; // today is the 3rd day
        return o;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_server.start(QString(ROUTELEDGER_TEST_DATA) + "/sources/fixture-server.js", &error),
                 qPrintable(error));
    }
    void init() { QVERIFY(fixture::reset(m_server)); }

    void teamsByModelFromTheKeyBreakdown()
    {
        rl::LiteLlmDailyActivityConnector::Window window;
        window.firstDayMs = kStart;
        window.lastDayMs = kStart;
        auto more =
            rl::LiteLlmDailyActivityConnector::readPage(envelope({teamDay(kStart)}, 1, 1).dump(), "litellm",
                                                        rl::LiteLlmDailyActivityConnector::Dimension::Team, 1, window);
        QVERIFY2(more.ok(), more.ok() ? "" : more.error().message.c_str());
        QVERIFY(!more.value());
        auto buckets = rl::LiteLlmDailyActivityConnector::buckets(window, m_pricing);
        // (Search, gpt-4o), (Ads, gpt-4o), ("", gpt-4o: the 10k prompt tokens no key covers), (Search, claude)
        QCOMPARE(buckets.size(), std::size_t(4));
        std::map<std::pair<std::string, std::string>, rl::UsageBucket> by;
        for (const auto &b : buckets)
            by[{b.team, b.model}] = b;
        auto at = [&by](const char *team, const char *model) { return by[{team, model}]; };
        const rl::UsageBucket search = at("Search", "gpt-4o");
        QCOMPARE(search.startMs, kStart);
        QCOMPARE(search.endMs, kStart + kDay);
        QCOMPARE(search.requests, std::int64_t(300));
        QCOMPARE(search.tokens.cachedInput, std::int64_t(30000));
        QCOMPARE(search.tokens.input, std::int64_t(20000)); // prompt 50k includes the 30k cache reads
        QCOMPARE(search.tokens.output, std::int64_t(10000));
        QCOMPARE(search.reportedCostMicro, std::optional<std::int64_t>(6'000'000));
        QVERIFY(!search.unpriced);
        QCOMPARE(at("Ads", "gpt-4o").reportedCostMicro, std::optional<std::int64_t>(3'000'000));
        QCOMPARE(at("", "gpt-4o").reportedCostMicro, std::optional<std::int64_t>(1'000'000));
        QCOMPARE(at("", "gpt-4o").requests, std::int64_t(10));
        QCOMPARE(at("Search", "claude-sonnet-4-20250514").requests, std::int64_t(13));
        std::int64_t spend = 0;
        for (const auto &b : buckets)
            spend += *b.reportedCostMicro;
        QCOMPARE(spend, std::int64_t(12'300'000)); // the day's total, nothing lost or doubled
    }

    void tagsGoIntoApp()
    {
        json day = teamDay(kStart);
        day["breakdown"]["entities"] = {
            {"jobID:214590dsff09fds", {{"metrics", metrics(4.0, 1000, 100, 0, 7)}}},
            {"taskName:run_page_classification", {{"metrics", metrics(9.0, 2000, 200, 0, 9)}}}};
        rl::LiteLlmDailyActivityConnector::Window window;
        window.firstDayMs = kStart;
        window.lastDayMs = kStart;
        auto more = rl::LiteLlmDailyActivityConnector::readPage(
            envelope({day}, 1, 1).dump(), "litellm", rl::LiteLlmDailyActivityConnector::Dimension::Tag, 1, window);
        QVERIFY(more.ok());
        auto buckets = rl::LiteLlmDailyActivityConnector::buckets(window, m_pricing);
        QCOMPARE(buckets.size(), std::size_t(2));
        QCOMPARE(buckets[0].app, std::string("jobID:214590dsff09fds"));
        QCOMPARE(buckets[0].team, std::string());
        QCOMPARE(buckets[0].model, std::string());
        QCOMPARE(buckets[0].reportedCostMicro, std::optional<std::int64_t>(4'000'000));
        QCOMPARE(buckets[1].requests, std::int64_t(9));
    }

    void pagesOfAWindowAreSummedThenRereadUpserts()
    {
        // Window 1 (days 1–2) over two pages, day 1 split across them; window 2 is today (day 3). Then the
        // re-read from two days back: day 2 revised.
        json half = teamDay(kStart, 0.5);
        QVERIFY(fixture::script(m_server, {{"/team/daily/activity",
                                            {{{"body", envelope({half}, 1, 2)}},
                                             {{"body", envelope({half, teamDay(kStart + kDay)}, 2, 2)}},
                                             {{"body", envelope({teamDay(kStart + 2 * kDay)}, 1, 1)}},
                                             {{"body", envelope({teamDay(kStart + kDay, 2.0)}, 1, 1)}},
                                             {{"body", envelope({teamDay(kStart + 2 * kDay)}, 1, 1)}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        QVERIFY(store.ok());
        rl::HttpClient http(fixture::quickHttp());
        rl::LiteLlmDailyActivityConnector connector(http, m_pricing, "litellm-teams", m_server.url().toStdString(),
                                                    "sk-master",
                                                    options(rl::LiteLlmDailyActivityConnector::Dimension::Team));
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(report.pages, std::size_t(2)); // two windows
        json seen = fixture::requests(m_server);
        QCOMPARE(seen.size(), std::size_t(3));
        QCOMPARE(seen[0]["query"]["start_date"].get<std::string>(), std::string("2026-11-28"));
        QCOMPARE(seen[0]["query"]["end_date"].get<std::string>(), std::string("2026-11-29"));
        QCOMPARE(seen[0]["query"]["page"].get<std::string>(), std::string("1"));
        QCOMPARE(seen[0]["query"]["page_size"].get<std::string>(), std::string("2"));
        QCOMPARE(seen[1]["query"]["page"].get<std::string>(), std::string("2"));
        QCOMPARE(seen[2]["query"]["start_date"].get<std::string>(), std::string("2026-11-30"));
        QCOMPARE(seen[2]["query"]["end_date"].get<std::string>(), std::string("2026-11-30"));
        QCOMPARE(seen[0]["headers"]["authorization"].get<std::string>(), std::string("Bearer sk-master"));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(12));
        QCOMPARE(fixture::scalar(store.value(), "SELECT SUM(reported_cost_micro) FROM usage_buckets"),
                 std::int64_t(3 * 12'300'000));
        QCOMPARE(store->cursor("litellm-teams").value(), std::optional<std::string>("2026-11-28"));

        // Re-read: two days before today (days 1–2, then today). Day 2 doubled: counts stay, values replaced.
        QVERIFY(fixture::script(m_server, {{"/team/daily/activity",
                                            {{{"body", envelope({teamDay(kStart), teamDay(kStart + kDay, 2.0)}, 1, 1)}},
                                             {{"body", envelope({teamDay(kStart + 2 * kDay)}, 1, 1)}}}}}));
        report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(12));
        QCOMPARE(fixture::scalar(store.value(), "SELECT SUM(reported_cost_micro) FROM usage_buckets"),
                 std::int64_t(4 * 12'300'000));
    }

    void tagEndpointIsSelectedByTheOption()
    {
        json day = teamDay(kStart + 2 * kDay);
        day["breakdown"]["entities"] = {{"prod", {{"metrics", metrics(4.0, 1000, 100, 0, 7)}}}};
        QVERIFY(fixture::script(m_server, {{"/tag/daily/activity", {{{"body", envelope({day}, 1, 1)}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        rl::HttpClient http(fixture::quickHttp());
        auto o = options(rl::LiteLlmDailyActivityConnector::Dimension::Tag);
        o.firstMs = kStart + 2 * kDay;
        rl::LiteLlmDailyActivityConnector connector(http, m_pricing, "litellm-tags", m_server.url().toStdString(), "k",
                                                    o);
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(fixture::requests(m_server)[0]["path"].get<std::string>(), std::string("/tag/daily/activity"));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(1));
        auto bad = connector.fetch(std::string("28/11/2026"));
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, std::string("source.bad_cursor"));
    }

    void budgetsOfTeamsAndKeys()
    {
        const json teams = json::array({{{"team_id", "team-search"},
                                         {"team_alias", "Search"},
                                         {"spend", 41.27},
                                         {"max_budget", 100.0},
                                         {"budget_duration", "30d"},
                                         {"budget_reset_at", "2025-12-01T00:00:00Z"}},
                                        {{"team_id", "team-free"}, {"spend", 3}, {"max_budget", nullptr}}});
        // The documented /key/info example's info (§1.5), listed in full by /key/list, plus one listed by token only.
        const json keyInfo = {
            {"token", "88dc28d0...6b4b"},
            {"key_alias", "search-backend-prod"},
            {"spend", 41.27},
            {"max_budget", 100.0},
            {"budget_duration", "30d"},
            {"budget_reset_at", "2025-12-01T00:00:00Z"},
            {"team_id", "team-search"},
            {"litellm_budget_table", {{"soft_budget", 80.0}, {"max_budget", 100.0}, {"budget_duration", "30d"}}}};
        QVERIFY(fixture::script(
            m_server,
            {{"/team/list", {{{"body", teams}}}},
             {"/key/list", {{{"body", {{"keys", {keyInfo, "hash-2"}}, {"total_pages", 1}}}}}},
             {"/key/info", {{{"body", {{"key", "hash-2"}, {"info", {{"spend", 1.5}, {"max_budget", 2}}}}}}}}}));
        rl::HttpClient http(fixture::quickHttp());
        rl::LiteLlmBudgetReader reader(http, "litellm", m_server.url().toStdString(), "sk-master");
        auto all = reader.readAll();
        QVERIFY2(all.ok(), all.ok() ? "" : all.error().message.c_str());
        QCOMPARE(all->size(), std::size_t(4));
        const std::vector<rl::LiteLlmBudget> &budgets = all.value();
        const rl::LiteLlmBudget &team = budgets[0];
        QCOMPARE(team.kind, rl::LiteLlmBudget::Kind::Team);
        QCOMPARE(team.alias, std::string("Search"));
        QCOMPARE(team.spendMicro, std::int64_t(41'270'000));
        QCOMPARE(team.maxBudgetMicro, std::optional<std::int64_t>(100'000'000));
        QCOMPARE(team.budgetDuration, std::string("30d"));
        QCOMPARE(team.budgetResetAtMs, rl::IsoTime::parse("2025-12-01T00:00:00Z"));
        QVERIFY(!budgets[1].maxBudgetMicro);
        const rl::LiteLlmBudget &key = budgets[2];
        QCOMPARE(key.kind, rl::LiteLlmBudget::Kind::Key);
        QCOMPARE(key.id, std::string("88dc28d0...6b4b"));
        QCOMPARE(key.teamId, std::string("team-search"));
        QCOMPARE(key.softBudgetMicro, std::optional<std::int64_t>(80'000'000));
        QCOMPARE(budgets[3].id, std::string("hash-2"));
        QCOMPARE(budgets[3].maxBudgetMicro, std::optional<std::int64_t>(2'000'000));
        const json seen = fixture::requests(m_server);
        QCOMPARE(seen[1]["query"]["return_full_object"].get<std::string>(), std::string("true"));
        QCOMPARE(seen[2]["query"]["key"].get<std::string>(), std::string("hash-2"));
    }
};

QTEST_GUILESS_MAIN(TestLiteLlmActivityConnector)
#include "tst_litellmactivityconnector.moc"
