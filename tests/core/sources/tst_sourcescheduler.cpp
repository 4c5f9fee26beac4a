// The source scheduler: every source on its own thread and interval against a local fixture server in
// OpenAI's usage format; one failing source never stops another; pause, resume and poll-now; stopping
// cancels a transfer in flight; a new scheduler resumes from the cursors in the store.
#include "fixtureclient.h"
#include "net/httpclient.h"
#include "nodeserver.h"
#include "pricing/pricecatalog.h"
#include "servicepages.h"
#include "sources/openaiusageconnector.h"
#include "sources/sourcescheduler.h"
#include "store/serializedingest.h"
#include "store/usagestore.h"
#include "testsuites.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

constexpr std::int64_t kStartS = 1'795'896'000; // 2026-11-28 20:00 UTC

// An hour of `requests` requests of the key key_a, as the reference's example has it (tests/support/servicepages.h).
json usagePage(std::int64_t start, int requests, bool more, const char *next)
{
    json result = fixture::openAiUsageResult("gpt-4o-mini", "proj_a", 100 * requests, 0, 10 * requests, requests);
    result["api_key_id"] = "key_a";
    return fixture::openAiPage({fixture::openAiBucket(start, 3600, {result})}, more, next);
}

rl::SourceScheduler::Factory openAiFactory()
{
    return [](const rl::SourceSettings &settings, const std::string &secret, rl::HttpClient &http,
              const rl::Pricing &pricing) -> rl::Result<rl::SourceScheduler::Connectors> {
        rl::OpenAiUsageConnector::Options options;
        options.firstMs = kStartS * 1000;
        options.nowMs = [] { return (kStartS + 10 * 3600) * 1000; };
        rl::SourceScheduler::Connectors out;
        out.push_back(std::make_unique<rl::OpenAiUsageConnector>(http, pricing, settings.name, settings.baseUrl, secret,
                                                                 options));
        return out;
    };
}

std::int64_t scalar(rl::UsageStore &store, std::mutex &lock, const std::string &sql)
{
    std::lock_guard guard(lock);
    auto query = store.database().prepare(sql);
    return query && query->step().valueOr(false) ? query->int64(0) : -1;
}

} // namespace

class TestSourceScheduler : public QObject {
    Q_OBJECT

private:
    NodeServer m_server;

    // Checked against the documented page shape (fixtureclient.h).
    void script(const json &scripts) { QVERIFY(fixture::script(m_server, scripts)); }
    json requestsTo(const std::string &path)
    {
        json out = json::array();
        for (const json &request : fixture::requests(m_server))
            if (request.value("path", "") == path)
                out.push_back(request);
        return out;
    }
    static rl::SourceScheduler::Options options()
    {
        rl::SourceScheduler::Options o;
        o.http.maxAttempts = 1;
        o.firstRetryMs = 3'600'000; // failures are not retried on their own during a test
        return o;
    }
    rl::SourceSettings source(const char *name, const char *path, std::int64_t intervalS = 3600)
    {
        return {name, "openai", m_server.url(path).toStdString(), intervalS, false, "{}", 0, true};
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_server.start(QString(ROUTELEDGER_TEST_DATA) + "/sources/fixture-server.js", &error),
                 qPrintable(error));
    }
    void init() { QVERIFY(fixture::reset(m_server)); }

    void aFailingSourceDoesNotStopAnother()
    {
        script({{"/good/organization/usage/completions",
                 {{{"body", usagePage(kStartS, 2, true, "p2")}},
                  {{"body", usagePage(kStartS + 3600, 3, false, nullptr)}}}},
                {"/bad/organization/usage/completions",
                 {{{"status", 401}, {"body", {{"error", {{"message", "Incorrect API key provided"}}}}}}}}});
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        QVERIFY(store.ok());
        std::mutex lock;
        rl::SerializedIngest sink(store.value(), lock);
        rl::SourceScheduler scheduler(sink, rl::Pricing(rl::PriceCatalog::builtIn()), openAiFactory(), options());
        std::atomic<int> landed{0};
        scheduler.setListener([&](const rl::SourceStatus &, bool dataLanded) { landed += dataLanded ? 1 : 0; });
        scheduler.upsert(source("bad", "/bad"), "sk-admin-wrong");
        scheduler.upsert(source("good", "/good"), "sk-admin-right");

        QTRY_VERIFY(scheduler.status("good")->lastSuccessMs > 0);
        QTRY_COMPARE(scheduler.status("bad")->state, rl::SourceStatus::State::Failing);
        const rl::SourceStatus bad = *scheduler.status("bad");
        QCOMPARE(bad.lastError->code, std::string("auth.invalid"));
        QVERIFY2(bad.lastError->message.find("Incorrect API key provided") != std::string::npos,
                 bad.lastError->message.c_str());
        QCOMPARE(bad.lastSuccessMs, std::int64_t(0));
        const rl::SourceStatus good = *scheduler.status("good");
        QCOMPARE(good.state, rl::SourceStatus::State::Waiting);
        QCOMPARE(good.recordsIngested, std::int64_t(2)); // two pages, one bucket each
        QCOMPARE(good.newestRecordMs, (kStartS + 7200) * 1000);
        QVERIFY(!good.lastError);
        QCOMPARE(scalar(store.value(), lock, "SELECT sum(requests) FROM usage_buckets"), std::int64_t(5));
        QCOMPARE(landed.load(), 1);
        // The secret went out as the bearer key and nowhere into the store.
        QCOMPARE(requestsTo("/good/organization/usage/completions")[0]["headers"]["authorization"].get<std::string>(),
                 std::string("Bearer sk-admin-right"));
        QCOMPARE(scalar(store.value(), lock,
                        "SELECT count(*) FROM sources WHERE cursor LIKE '%sk-admin%' OR name LIKE '%sk-admin%'"),
                 std::int64_t(0));
    }

    void pauseResumeAndPollNow()
    {
        script({{"/org/organization/usage/completions",
                 {{{"body", usagePage(kStartS, 1, false, nullptr)}},
                  {{"body", usagePage(kStartS + 3600, 4, false, nullptr)}}}}});
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        QVERIFY(store.ok());
        std::mutex lock;
        rl::SerializedIngest sink(store.value(), lock);
        rl::SourceScheduler scheduler(sink, rl::Pricing(rl::PriceCatalog::builtIn()), openAiFactory(), options());
        scheduler.upsert(source("org", "/org"), "sk-admin");
        QTRY_VERIFY(scheduler.status("org")->lastSuccessMs > 0);
        QCOMPARE(requestsTo("/org/organization/usage/completions").size(), std::size_t(1));
        QVERIFY(scheduler.status("org")->nextPollMs > scheduler.status("org")->lastSuccessMs + 3'000'000);

        scheduler.setPaused("org", true);
        QCOMPARE(scheduler.status("org")->state, rl::SourceStatus::State::Paused);
        scheduler.pollNow("org"); // an explicit request is honoured while paused
        QTRY_COMPARE(requestsTo("/org/organization/usage/completions").size(), std::size_t(2));
        QTRY_COMPARE(scalar(store.value(), lock, "SELECT sum(requests) FROM usage_buckets"), std::int64_t(5));
        QTRY_COMPARE(scheduler.status("org")->state, rl::SourceStatus::State::Paused);

        scheduler.setPaused("org", false); // resuming polls at once
        QTRY_COMPARE(requestsTo("/org/organization/usage/completions").size(), std::size_t(3));
        QTRY_COMPARE(scheduler.status("org")->state, rl::SourceStatus::State::Waiting);
    }

    void stoppingCancelsATransferInFlight()
    {
        script({{"/slow/organization/usage/completions", {{{"action", "hang"}}}}});
        QTemporaryDir dir;
        auto store = rl::UsageStore::open((dir.path() + "/s.db").toStdString());
        QVERIFY(store.ok());
        std::mutex lock;
        rl::SourceScheduler::Options o = options();
        o.http.transferTimeout = std::chrono::minutes(30); // only cancelling can end the call in this test
        rl::SerializedIngest sink(store.value(), lock);
        rl::SourceScheduler scheduler(sink, rl::Pricing(rl::PriceCatalog::builtIn()), openAiFactory(), o);
        scheduler.upsert(source("slow", "/slow"), "sk-admin");
        QTRY_COMPARE(requestsTo("/slow/organization/usage/completions").size(), std::size_t(1));
        QCOMPARE(scheduler.status("slow")->state, rl::SourceStatus::State::Polling);
        scheduler.setPaused("slow", true); // cancels the hanging call; a cancel is not a failure
        QTRY_COMPARE(scheduler.status("slow")->state, rl::SourceStatus::State::Paused);
        QVERIFY(!scheduler.status("slow")->lastError);
        scheduler.setPaused("slow", false);
        QTRY_COMPARE(requestsTo("/slow/organization/usage/completions").size(), std::size_t(2));
        scheduler.remove("slow"); // returns although the source still hangs
        QVERIFY(!scheduler.status("slow"));
    }

    void aNewSchedulerResumesFromTheStoredCursor()
    {
        script({{"/org/organization/usage/completions",
                 {{{"body", usagePage(kStartS, 1, true, "page_two")}}, {{"status", 503}, {"body", "{}"}}}}});
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/s.db").toStdString();
        {
            auto store = rl::UsageStore::open(path);
            QVERIFY(store.ok());
            std::mutex lock;
            rl::SerializedIngest sink(store.value(), lock);
            rl::SourceScheduler scheduler(sink, rl::Pricing(rl::PriceCatalog::builtIn()), openAiFactory(), options());
            scheduler.upsert(source("org", "/org"), "sk-admin");
            QTRY_COMPARE(scheduler.status("org")->state, rl::SourceStatus::State::Failing);
            QCOMPARE(scheduler.status("org")->lastError->code, std::string("http.server_error"));
            QCOMPARE(scheduler.status("org")->recordsIngested, std::int64_t(1)); // page 1 kept
        }
        script({{"/org/organization/usage/completions", {{{"body", usagePage(kStartS + 3600, 2, false, nullptr)}}}}});
        auto store = rl::UsageStore::open(path);
        QVERIFY(store.ok());
        std::mutex lock;
        rl::SerializedIngest sink(store.value(), lock);
        rl::SourceScheduler scheduler(sink, rl::Pricing(rl::PriceCatalog::builtIn()), openAiFactory(), options());
        scheduler.upsert(source("org", "/org"), "sk-admin");
        QTRY_VERIFY(scheduler.status("org")->lastSuccessMs > 0);
        const json sent = requestsTo("/org/organization/usage/completions");
        QCOMPARE(sent.back()["query"]["page"].get<std::string>(), std::string("page_two"));
        QCOMPARE(scalar(store.value(), lock, "SELECT sum(requests) FROM usage_buckets"), std::int64_t(3));
    }
};

ROUTELEDGER_TEST_SUITE(TestSourceScheduler)
#include "tst_sourcescheduler.moc"
