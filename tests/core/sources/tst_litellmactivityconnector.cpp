// LiteLLM's daily activity (gateway-apis.md §1.4, §9) and budgets (§1.5) against the fixture server's
// LiteLLM emulator, which aggregates daily records the way the proxy does: spend on the team it was logged
// under (not the key's current team), an open day that changes while it is paged stored as its final
// state, re-read days replaced, tags into `app`, a proxy that ignores the team filter or has no database
// named as such, and soft budgets read through /key/info.
#include "fixtureclient.h"
#include "pricing/pricecatalog.h"
#include "servicepages.h"
#include "sources/isotime.h"
#include "sources/litellmbudgetreader.h"
#include "sources/litellmdailyactivityconnector.h"
#include "sources/sourcepoller.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <set>
#include <tuple>

using nlohmann::json;
using Connector = rl::LiteLlmDailyActivityConnector;

namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kStart = 1'795'824'000'000; // 2026-11-28 00:00 UTC
const std::string kDay1 = "2026-11-28", kDay2 = "2026-11-29", kToday = "2026-11-30";

// One LiteLLM_DailyTeamSpend row (team_id null: no team).
json record(const std::string &id, const std::string &date, const char *team, const std::string &key,
            const std::string &model, double spend, int prompt = 1000, int completion = 100, int cacheRead = 0,
            int requests = 1)
{
    return {{"id", id},
            {"date", date},
            {"team_id", team ? json(team) : json()},
            {"api_key", key},
            {"model", model},
            {"custom_llm_provider", "openai"},
            {"spend", spend},
            {"prompt_tokens", prompt},
            {"completion_tokens", completion},
            {"cache_read_input_tokens", cacheRead},
            {"cache_creation_input_tokens", 0},
            {"api_requests", requests},
            {"successful_requests", requests},
            {"failed_requests", 0}};
}

const json kTeams = {{"team-search", {{"team_alias", "Search"}}}, {"team-ads", {{"team_alias", "Ads"}}}};

// (day, team name, model) → reported micro-USD, from the records as LiteLLM holds them now.
using Spend = std::map<std::tuple<std::string, std::string, std::string>, std::int64_t>;

Spend truth(const json &records)
{
    Spend out;
    for (const json &r : records) {
        std::string team;
        if (r["team_id"].is_string())
            team = kTeams[r["team_id"].get<std::string>()]["team_alias"].get<std::string>();
        out[{r["date"].get<std::string>(), team, r["model"].get<std::string>()}] +=
            std::llround(r["spend"].get<double>() * 1e6);
    }
    return out;
}

Spend stored(rl::UsageStore &store, const std::string &source)
{
    Spend out;
    auto q = store.database().prepare(
        "SELECT b.start_ms, COALESCE(t.name, ''), COALESCE(m.name, ''), b.reported_cost_micro FROM usage_buckets b "
        "JOIN sources s ON s.id = b.source_id LEFT JOIN teams t ON t.id = b.team_id LEFT JOIN models m ON m.id = "
        "b.model_id WHERE s.name = ?1");
    if (!q)
        return out;
    q->bind(1, source);
    while (q->step().valueOr(false))
        out[{rl::IsoTime::date(q->int64(0)), q->text(1), q->text(2)}] += q->int64(3);
    return out;
}

} // namespace

class TestLiteLlmActivityConnector : public QObject {
    Q_OBJECT

private:
    NodeServer m_server;
    rl::Pricing m_pricing{rl::PriceCatalog::builtIn()};

    Connector::Options options(Connector::Dimension dimension = Connector::Dimension::Team)
    {
        Connector::Options o;
        o.dimension = dimension;
        o.firstMs = kStart;
        o.windowDays = 3;
        o.nowMs = [] { return kStart + 2 * kDay + 3'600'000; }; // today is the 3rd day
        return o;
    }
    bool emulate(const json &state) { return fixture::control(m_server, "/control/litellm", state); }
    bool upsert(const json &records) { return fixture::control(m_server, "/control/litellm/upsert", records); }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_server.start(QString(ROUTELEDGER_TEST_DATA) + "/sources/fixture-server.js", &error),
                 qPrintable(error));
    }
    void init() { QVERIFY(fixture::reset(m_server)); }

    // A key that moved from Search to Ads, and a deleted key: LiteLLM's key breakdown names their current
    // team (Ads, none), but the spend stays on the team it was logged under.
    void spendStaysOnTheTeamItWasLoggedUnder()
    {
        const json records = {record("r1", kDay1, "team-search", "hash-a", "gpt-4o", 6.0, 50000, 10000, 30000, 300),
                              record("r2", kDay1, "team-search", "hash-moved", "gpt-4o", 2.0),
                              record("r3", kDay1, "team-ads", "hash-moved", "claude-sonnet-4-20250514", 1.5),
                              record("r4", kDay1, "team-search", "hash-deleted", "claude-sonnet-4-20250514", 0.5),
                              record("r5", kDay1, nullptr, "hash-x", "gpt-4o", 0.25)};
        QVERIFY(emulate({{"daily", records},
                         {"teams", kTeams},
                         {"keys",
                          {{"hash-a", {{"key_alias", "search-prod"}, {"team_id", "team-search"}}},
                           {"hash-moved", {{"key_alias", "moved"}, {"team_id", "team-ads"}}},
                           {"hash-x", {{"key_alias", "x"}, {"team_id", "team-ads"}}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        QVERIFY(store.ok());
        rl::HttpClient http(fixture::quickHttp());
        Connector connector(http, m_pricing, "litellm-teams", m_server.url().toStdString(), "sk-master", options());
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        const Spend want = {{{kDay1, "Search", "gpt-4o"}, 8'000'000},
                            {{kDay1, "Search", "claude-sonnet-4-20250514"}, 500'000},
                            {{kDay1, "Ads", "claude-sonnet-4-20250514"}, 1'500'000},
                            {{kDay1, "", "gpt-4o"}, 250'000}};
        QCOMPARE(stored(store.value(), "litellm-teams"), want);
        QCOMPARE(truth(records), want);
        // One unfiltered read and one per team, each with LiteLLM's own team filter.
        std::set<std::string> filters;
        for (const json &request : fixture::requests(m_server)) {
            QCOMPARE(request["headers"]["authorization"].get<std::string>(), std::string("Bearer sk-master"));
            QCOMPARE(request["query"]["start_date"].get<std::string>(), kDay1);
            QCOMPARE(request["query"]["end_date"].get<std::string>(), kToday);
            filters.insert(request["query"].value("team_ids", std::string("(all)")));
        }
        QCOMPARE(filters, (std::set<std::string>{"(all)", "team-ads", "team-search"}));
        // Tokens and the catalog's price: prompt tokens include the cache reads.
        auto q = store->database().prepare(
            "SELECT input_tokens, cached_input_tokens, output_tokens, requests, cost_micro FROM usage_buckets b JOIN "
            "teams t ON t.id = b.team_id JOIN models m ON m.id = b.model_id WHERE t.name = 'Search' AND m.name = "
            "'gpt-4o'");
        QVERIFY(q && q->step().valueOr(false));
        QCOMPARE(q->int64(0), std::int64_t(50000 - 30000 + 1000));
        QCOMPARE(q->int64(1), std::int64_t(30000));
        QCOMPARE(q->int64(2), std::int64_t(10100));
        QCOMPARE(q->int64(3), std::int64_t(301));
        rl::TokenUsage tokens;
        tokens.input = 21000;
        tokens.cachedInput = 30000;
        tokens.output = 10100;
        QCOMPARE(q->int64(4), m_pricing.cost("gpt-4o", tokens, kStart).microUsd);
    }

    // Today's rows are upserted while the connector pages (the emulator changes them after the first
    // request, and orders rows of one date differently at every request, as LiteLLM may): the stored day
    // equals the rows as they are, never a sum of overlapping pages; a re-read replaces it, and a bucket
    // the new reading no longer has is removed.
    void anOpenDayIsStoredAsItsFinalState()
    {
        json records = json::array();
        for (int i = 0; i < 9; ++i)
            records.push_back(record("t" + std::to_string(i), kToday, i % 3 ? "team-search" : "team-ads",
                                     "hash-" + std::to_string(i % 4), i % 2 ? "gpt-4o" : "gpt-4o-mini", 1.0 + i));
        json changed = records;
        changed[0]["spend"] = 20.0;                                                      // revised in place
        changed.push_back(record("t9", kToday, "team-search", "hash-9", "gpt-4o", 0.5)); // logged meanwhile
        QVERIFY(emulate({{"daily", records},
                         {"teams", kTeams},
                         {"order", "unstable"},
                         {"changes", {{{"after_requests", 1}, {"upsert", {changed[0], changed[9]}}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        rl::HttpClient http(fixture::quickHttp());
        Connector::Options o = options();
        o.pageSize = 2; // 5 pages at first: asked again as one
        Connector connector(http, m_pricing, "litellm-open", m_server.url().toStdString(), "k", o);
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(stored(store.value(), "litellm-open"), truth(changed));
        const json first = fixture::requests(m_server);
        QCOMPARE(first[0]["query"]["page_size"].get<std::string>(), std::string("2"));
        QCOMPARE(first[1]["query"]["page_size"].get<std::string>(), std::string("10"));
        QCOMPARE(store->cursor("litellm-open").value(), std::optional<std::string>(kDay1)); // 2 days re-read

        // The day goes on: a row moves from Ads to no team, another grows. The re-read replaces the day.
        json later = changed;
        later[3]["team_id"] = nullptr;
        later[4]["spend"] = 7.25;
        QVERIFY(upsert({later[3], later[4]}));
        report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(stored(store.value(), "litellm-open"), truth(later));
        // The rollups moved with the buckets.
        std::int64_t want = 0;
        for (const auto &[key, micro] : truth(later))
            want += micro;
        QCOMPARE(fixture::scalar(store.value(), "SELECT SUM(reported_cost_micro) FROM daily_rollups"), want);
    }

    // Where one page cannot hold the window (maxPageSize), pages are read in turn; rows added between two
    // pages change the page count, and the read starts over.
    void aReadStartsOverWhenRowsAreAddedBetweenPages()
    {
        json records = json::array();
        for (int i = 0; i < 10; ++i)
            records.push_back(
                record("p" + std::to_string(i), i < 5 ? kDay2 : kToday, "team-search", "hash-a", "gpt-4o", 1.0 + i));
        const json added = record("p10", kToday, "team-search", "hash-a", "gpt-4o-mini", 3.0);
        QVERIFY(emulate(
            {{"daily", records}, {"teams", kTeams}, {"changes", {{{"after_requests", 1}, {"upsert", {added}}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        rl::HttpClient http(fixture::quickHttp());
        Connector::Options o = options();
        o.pageSize = 2;
        o.maxPageSize = 2;
        Connector connector(http, m_pricing, "litellm-paged", m_server.url().toStdString(), "k", o);
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        json all = records;
        all.push_back(added);
        QCOMPARE(stored(store.value(), "litellm-paged"), truth(all));
        // Pages 1, 2 (which saw 6 pages, not 5), then 1 to 6 again.
        std::vector<std::string> pages;
        for (const json &request : fixture::requests(m_server))
            if (!request["query"].contains("team_ids"))
                pages.push_back(request["query"]["page"].get<std::string>());
        QCOMPARE(pages, (std::vector<std::string>{"1", "2", "1", "2", "3", "4", "5", "6"}));

        // Rows that never stop changing: refused, nothing stored, retried at the next poll.
        QVERIFY(fixture::reset(m_server));
        json churn = json::array();
        for (int n = 1; n <= 40; ++n)
            churn.push_back({{"after_requests", n},
                             {"upsert", {record("c" + std::to_string(n), kToday, "team-ads", "hash-b", "gpt-4o", 1)}}});
        QVERIFY(emulate({{"daily", records}, {"teams", kTeams}, {"changes", churn}}));
        auto other = rl::UsageStore::open((dir.path() + "/t.db").toStdString());
        report = rl::SourcePoller::pollOnce(other.value(), connector);
        QVERIFY(report.error);
        QCOMPARE(report.error->code, std::string("source.unstable"));
        QCOMPARE(fixture::scalar(other.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(0));
    }

    void tagsGoIntoApp()
    {
        json tagged = json::array();
        const std::vector<std::tuple<std::string, std::string, double>> tags = {
            {"g1", "prod", 4.0}, {"g2", "batch-jobs", 9.0}, {"g3", "prod", 1.0}};
        for (const auto &[id, tag, spend] : tags) {
            json r = record(id, kDay1, "team-search", "hash-a", "gpt-4o", spend);
            r.erase("team_id");
            r["tag"] = tag;
            tagged.push_back(r);
        }
        QVERIFY(emulate({{"daily", tagged}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        rl::HttpClient http(fixture::quickHttp());
        Connector connector(http, m_pricing, "litellm-tags", m_server.url().toStdString(), "k",
                            options(Connector::Dimension::Tag));
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY2(!report.error, report.error ? report.error->message.c_str() : "");
        QCOMPARE(fixture::requests(m_server)[0]["path"].get<std::string>(), std::string("/tag/daily/activity"));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets b JOIN apps a ON a.id = b.app_id "
                                                "WHERE a.name = 'prod' AND b.reported_cost_micro = 5000000"),
                 std::int64_t(1));
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(2));
        auto bad = connector.fetch(std::string("28/11/2026"));
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, std::string("source.bad_cursor"));
    }

    // An old proxy that ignores team_ids answers every team to every filtered read: counting that once
    // per team would multiply spend, so it is refused with the fix.
    void aProxyThatIgnoresTheTeamFilterIsRefused()
    {
        // Each team spent the same; the day, its model and the page's totals are the two teams together.
        auto metricsOf = [](int requests) {
            return fixture::spendMetrics(1.0 * requests, 10 * requests, requests, requests);
        };
        const json team = metricsOf(1), day = metricsOf(2);
        const json page = fixture::dailyActivityPage(
            {fixture::dailyActivityDay(kDay1, day,
                                       {{"team-search", fixture::breakdownEntry(team, {{"team_alias", "Search"}})},
                                        {"team-ads", fixture::breakdownEntry(team, {{"team_alias", "Ads"}})}})},
            day);
        QVERIFY(fixture::script(m_server, {{"/team/daily/activity", {{{"body", page}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        rl::HttpClient http(fixture::quickHttp());
        Connector connector(http, m_pricing, "litellm-old", m_server.url().toStdString(), "k", options());
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY(report.error);
        QCOMPARE(report.error->code, std::string("source.unsupported"));
        QVERIFY(report.error->message.find("team_ids") != std::string::npos);
        QCOMPARE(fixture::scalar(store.value(), "SELECT COUNT(*) FROM usage_buckets"), std::int64_t(0));
    }

    void aProxyWithoutADatabaseIsNamed()
    {
        QVERIFY(fixture::script(
            m_server,
            {{"/team/daily/activity",
              {{{"status", 500},
                {"body", {{"detail", {{"error", "Database not connected. Connect a database to your proxy"}}}}}}}}}));
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        rl::HttpClient http(fixture::quickHttp());
        Connector connector(http, m_pricing, "litellm-nodb", m_server.url().toStdString(), "k", options());
        rl::PollReport report = rl::SourcePoller::pollOnce(store.value(), connector);
        QVERIFY(report.error);
        QCOMPARE(report.error->code, std::string("source.no_database"));
        QVERIFY(report.error->message.find("DATABASE_URL") != std::string::npos);
        QVERIFY(report.error->message.find("litellm-nodb") != std::string::npos);
    }

    // The emulator stands in for LiteLLM in the tests above, so its answers must have the documented
    // shapes (tests/sources/schemas) too: daily activity by team and by tag, and spend-log pages.
    void theEmulatorAnswersInTheDocumentedShape()
    {
        json records = {record("e1", kDay1, "team-search", "hash-a", "gpt-4o", 6.0, 50000, 10000, 30000, 300),
                        record("e2", kDay1, "team-ads", "hash-moved", "claude-sonnet-4-20250514", 1.5),
                        record("e3", kDay2, nullptr, "hash-deleted", "gpt-4o-mini", 0.25)};
        for (const auto &[id, tag] : {std::pair{"g1", "prod"}, std::pair{"g2", "batch-jobs"}}) {
            json r = record(id, kDay2, nullptr, "hash-a", "gpt-4o", 2.0);
            r.erase("team_id");
            r["tag"] = tag;
            records.push_back(r);
        }
        json untracked = fixture::spendLogRow("chatcmpl-2", "2026-11-28T14:59:59.500000Z"); // logged without a team
        untracked["team_id"] = nullptr;
        untracked["metadata"]["user_api_key_team_id"] = nullptr;
        untracked["metadata"]["user_api_key_team_alias"] = nullptr;
        const json logs = {fixture::spendLogRow("chatcmpl-1", "2026-11-28T14:03:12.123000Z"), untracked,
                           fixture::spendLogRow("chatcmpl-3", "2026-11-29T09:00:00+00:00")};
        QVERIFY(emulate({{"daily", records},
                         {"spend_logs", logs},
                         {"teams", kTeams},
                         {"keys",
                          {{"hash-a", {{"key_alias", "search-prod"}, {"team_id", "team-search"}}},
                           {"hash-moved", {{"key_alias", "moved"}, {"team_id", "team-ads"}}}}}}));
        const std::string days = "?start_date=" + kDay1 + "&end_date=" + kToday;
        const std::string window = "?start_date=2026-11-28%2000:00:00&end_date=2026-11-30%2000:00:00";
        struct Ask {
            std::string path, query;
            const char *list; // the answer's list, which must not be empty
        };
        const std::vector<Ask> asks = {{"/team/daily/activity", days + "&page=1&page_size=10", "results"},
                                       {"/team/daily/activity", days + "&team_ids=team-search", "results"},
                                       {"/team/daily/activity", days + "&page=1&page_size=1", "results"},
                                       {"/tag/daily/activity", days + "&page=1&page_size=10", "results"},
                                       {"/spend/logs/v2", window + "&page=1&page_size=50", "data"},
                                       {"/spend/logs/v2", window + "&page=2&page_size=2", "data"}};
        rl::HttpClient http(fixture::quickHttp());
        for (const Ask &ask : asks) {
            const QByteArray where = QByteArray::fromStdString(ask.path + ask.query);
            auto answer = http.sendOnce(
                {"GET", m_server.url(QString::fromStdString(ask.path)).toStdString() + ask.query, {}, {}});
            QVERIFY2(answer.ok(), where.constData());
            QVERIFY2(answer->status == 200, (where + ": HTTP " + QByteArray::number(answer->status)).constData());
            const json body = json::parse(answer->body, nullptr, false);
            QVERIFY2(body.is_object(), where.constData());
            QVERIFY2(body.contains(ask.list) && !body[ask.list].empty(), (where + ": nothing answered").constData());
            QByteArray problems;
            for (const std::string &problem : fixture::schemaProblems(ask.path, body))
                problems += "\n    " + QByteArray::fromStdString(problem);
            QVERIFY2(problems.isEmpty(), (where + " is not in the documented shape:" + problems).constData());
        }
    }

    // /key/list objects never carry the budget table (§9): a key with a budget row is read through /key/info,
    // where its soft budget is; a key without one is not.
    void budgetsOfTeamsAndKeys()
    {
        // GET /team/list: LiteLLM_TeamTable rows with their memberships and keys; the second without a budget.
        json freeTeam = fixture::litellmTeam();
        freeTeam["team_id"] = "team-free";
        freeTeam["team_alias"] = nullptr;
        freeTeam["spend"] = 3;
        for (const char *field : {"max_budget", "budget_duration", "budget_reset_at"})
            freeTeam[field] = nullptr;
        freeTeam["metadata"] = json::object();
        freeTeam["created_at"] = "2025-10-02T09:00:00Z";
        const json teams = json::array({fixture::litellmTeam(), freeTeam});
        // A LiteLLM_VerificationToken row (§1.5, the reference's /key/info example). /key/list sends it with the
        // hash and without the budget table joined; /key/info without the hash and with the table.
        auto keyRow = [](const char *alias, double spend, const json &maxBudget, const char *duration,
                         const char *resetAt, const char *team, const char *budgetId) {
            auto orNull = [](const char *text) { return text ? json(text) : json(); };
            return json{{"key_name", alias ? "sk-...abcd" : "sk-...wxyz"},
                        {"key_alias", orNull(alias)},
                        {"spend", spend},
                        {"max_budget", maxBudget},
                        {"expires", nullptr},
                        {"models", alias ? json{"tier-premium", "tier-economy"} : json::array()},
                        {"aliases", json::object()},
                        {"config", json::object()},
                        {"user_id", alias ? json("alice@example.com") : json()},
                        {"team_id", orNull(team)},
                        {"max_parallel_requests", nullptr},
                        {"metadata", json::object()},
                        {"tpm_limit", nullptr},
                        {"rpm_limit", nullptr},
                        {"budget_duration", orNull(duration)},
                        {"budget_reset_at", orNull(resetAt)},
                        {"allowed_cache_controls", json::array()},
                        {"permissions", json::object()},
                        {"model_spend", alias ? json{{"gpt-4o", 39.1}} : json::object()},
                        {"model_max_budget", json::object()},
                        {"soft_budget_cooldown", false},
                        {"blocked", nullptr},
                        {"budget_id", orNull(budgetId)},
                        {"org_id", nullptr},
                        {"created_at", "2025-10-01T09:00:00Z"},
                        {"created_by", "default_user_id"},
                        {"updated_at", "2025-10-01T09:00:00Z"},
                        {"updated_by", "default_user_id"},
                        {"object_permission_id", nullptr},
                        {"litellm_budget_table", nullptr}};
        };
        json listed =
            keyRow("search-backend-prod", 41.27, 100.0, "30d", "2025-12-01T00:00:00Z", "team-search", "budget-1");
        listed["token"] = "88dc28d0...6b4b";
        json unbudgeted = keyRow(nullptr, 0.5, nullptr, nullptr, nullptr, nullptr, nullptr);
        unbudgeted["token"] = "hash-3";
        json info = listed;
        info.erase("token"); // /key/info answers without the hash
        info["litellm_budget_table"] = {{"budget_id", "budget-1"},
                                        {"soft_budget", 80.0},
                                        {"max_budget", 100.0},
                                        {"max_parallel_requests", nullptr},
                                        {"tpm_limit", nullptr},
                                        {"rpm_limit", nullptr},
                                        {"model_max_budget", nullptr},
                                        {"budget_duration", "30d"},
                                        {"budget_reset_at", "2025-12-01T00:00:00Z"},
                                        {"created_at", "2025-10-01T09:00:00Z"},
                                        {"created_by", "default_user_id"},
                                        {"updated_at", "2025-10-01T09:00:00Z"},
                                        {"updated_by", "default_user_id"}};
        const json tokenOnlyInfo = keyRow(nullptr, 1.5, 2, nullptr, nullptr, nullptr, nullptr);
        QVERIFY(fixture::script(m_server,
                                {{"/team/list", {{{"body", teams}}}},
                                 {"/key/list", {{{"body", fixture::litellmKeyList({listed, "hash-2", unbudgeted})}}}},
                                 {"/key/info",
                                  {{{"body", {{"key", "88dc28d0...6b4b"}, {"info", info}}}},
                                   {{"body", {{"key", "hash-2"}, {"info", tokenOnlyInfo}}}}}}}));
        rl::HttpClient http(fixture::quickHttp());
        rl::LiteLlmBudgetReader reader(http, "litellm", m_server.url().toStdString(), "sk-master");
        auto all = reader.readAll();
        QVERIFY2(all.ok(), all.ok() ? "" : all.error().message.c_str());
        QCOMPARE(all->size(), std::size_t(5));
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
        QCOMPARE(key.softBudgetMicro, std::optional<std::int64_t>(80'000'000)); // from /key/info
        QCOMPARE(budgets[3].id, std::string("hash-2"));
        QCOMPARE(budgets[3].maxBudgetMicro, std::optional<std::int64_t>(2'000'000));
        QCOMPARE(budgets[4].id, std::string("hash-3"));
        QVERIFY(!budgets[4].softBudgetMicro);
        const json seen = fixture::requests(m_server);
        QCOMPARE(seen.size(), std::size_t(4)); // teams, keys, and /key/info for the two keys that need it
        QCOMPARE(seen[1]["query"]["return_full_object"].get<std::string>(), std::string("true"));
        QCOMPARE(seen[2]["query"]["key"].get<std::string>(), std::string("88dc28d0...6b4b"));
        QCOMPARE(seen[3]["query"]["key"].get<std::string>(), std::string("hash-2"));
    }
};

ROUTELEDGER_TEST_SUITE(TestLiteLlmActivityConnector)
#include "tst_litellmactivityconnector.moc"
