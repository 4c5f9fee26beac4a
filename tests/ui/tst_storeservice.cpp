// The store service is the store's only writer: pollers' pages, budget saves from the GUI thread and
// identity-mapping changes from the Sources worker all land, one after another on its thread, while the
// query worker reads on its own connection; nothing is lost and no query fails. And the composition root
// opens the store once, before any worker: a new file opens without an error, and a store it cannot use is
// refused with the fix.
#include "dashboardapp.h"
#include "mainwindow.h"
#include "queryworker.h"
#include "sources/sourcesworker.h"
#include "storeservice.h"

#include "store/sqlitedatabase.h"
#include "store/usagequeries.h"

#include <QApplication>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

constexpr std::int64_t kDay = 20'787; // 2026-11-30
constexpr std::int64_t kDayMs = kDay * 86'400'000;
constexpr int kPollers = 4, kPagesPerPoller = 25, kEventsPerPage = 40, kBudgets = 30;

rl::IngestBatch page(int poller, int page)
{
    rl::IngestBatch batch;
    batch.source = "poller-" + std::to_string(poller);
    for (int i = 0; i < kEventsPerPage; ++i) {
        rl::UsageEvent e;
        e.requestId = batch.source + "-" + std::to_string(page) + "-" + std::to_string(i);
        e.timeMs = kDayMs + 3'600'000 + page * 1000 + i;
        e.team = "team-" + std::to_string(poller);
        e.app = i % 4 == 0 ? "app-mapped" : "app-other";
        e.model = "openai/gpt-4o-mini";
        e.provider = "openai";
        e.tokens.input = 100;
        e.tokens.output = 20;
        e.costMicro = 7;
        batch.events.push_back(std::move(e));
    }
    batch.cursor = "page-" + std::to_string(page);
    return batch;
}

rl::UsageFilter theDay()
{
    rl::UsageFilter filter;
    filter.fromDay = kDay;
    filter.toDay = kDay + 1;
    return filter;
}

} // namespace

class TestStoreService : public QObject {
    Q_OBJECT
private slots:
    void writesFromEveryThreadLandAndNothingIsLost()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("store.db"));
        auto opened = rl::UsageStore::open(path.toStdString());
        QVERIFY(opened.ok());
        // The receiver of this test's answers: answers still queued when it ends die with it.
        QObject receiver;
        QThread storeThread, queryThread, sourcesThread;
        auto *service = new StoreService(std::move(opened).value());
        service->moveToThread(&storeThread);
        auto *queries = new QueryWorker(path);
        queries->moveToThread(&queryThread);
        auto *sources = new SourcesWorker(service);
        sources->moveToThread(&sourcesThread);
        storeThread.start();
        queryThread.start();
        sourcesThread.start();

        // Queries run back to back for as long as the writers write.
        std::atomic<bool> writing{true};
        int loads = 0;
        QStringList queryFailures;
        quint64 lastRequest = 0;
        auto ask = [&] {
            QMetaObject::invokeMethod(
                queries, [queries, id = ++lastRequest] { queries->load(id, theDay(), kDayMs); }, Qt::QueuedConnection);
        };
        connect(
            queries, &QueryWorker::loaded, &receiver,
            [&](quint64, const DashboardSnapshot &) {
                ++loads;
                if (writing)
                    ask();
            },
            Qt::QueuedConnection);
        connect(
            queries, &QueryWorker::failed, &receiver,
            [&](quint64, const QString &message) { queryFailures << message; }, Qt::QueuedConnection);
        ask();

        // Pollers on threads of their own, as the SourceScheduler's are.
        std::atomic<int> pollersDone{0};
        std::vector<std::string> ingestFailures;
        std::mutex failuresLock;
        std::vector<std::thread> pollers;
        for (int p = 0; p < kPollers; ++p)
            pollers.emplace_back([&, p] {
                for (int n = 0; n < kPagesPerPoller; ++n)
                    if (auto r = service->ingest(page(p, n)); !r) {
                        std::lock_guard lock(failuresLock);
                        ingestFailures.push_back(r.error().message);
                    }
                ++pollersDone;
            });

        // Budget saves from the GUI thread, queued as the Teams page's are.
        int budgetsWritten = 0;
        QStringList writeFailures;
        connect(
            service, &StoreService::written, &receiver, [&] { ++budgetsWritten; }, Qt::QueuedConnection);
        connect(
            service, &StoreService::failed, &receiver, [&](const QString &message) { writeFailures << message; },
            Qt::QueuedConnection);
        for (int b = 0; b < kBudgets; ++b)
            QMetaObject::invokeMethod(
                service,
                [service, b] {
                    service->setBudget(QStringLiteral("team-%1").arg(b), QStringLiteral("month"), (b + 1) * 1'000'000);
                },
                Qt::QueuedConnection);

        // Mapping changes through the Sources worker, as the Sources page's are; the last one stays.
        int mappingAnswers = 0;
        connect(
            sources, &SourcesWorker::mappingsLoaded, &receiver,
            [&](const std::vector<rl::IdentityMapping> &) { ++mappingAnswers; }, Qt::QueuedConnection);
        for (int m = 0; m < 5; ++m) {
            std::vector<rl::IdentityMapping> mappings{
                {rl::IdentityField::App, "app-mapped", m % 2 == 0 ? "mapped-odd" : "mapped", ""}};
            if (m == 4)
                mappings.front().team = "mapped";
            QMetaObject::invokeMethod(
                sources, [sources, mappings] { sources->saveMappings(mappings); }, Qt::QueuedConnection);
        }

        QTRY_COMPARE_WITH_TIMEOUT(pollersDone.load(), kPollers, 120000);
        for (std::thread &t : pollers)
            t.join();
        QTRY_COMPARE_WITH_TIMEOUT(budgetsWritten, kBudgets, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(mappingAnswers, 5, 60000);
        writing = false;
        const int loadsWhileWriting = loads;

        QVERIFY2(ingestFailures.empty(), ingestFailures.empty() ? "" : ingestFailures.front().c_str());
        QVERIFY2(writeFailures.isEmpty(), qPrintable(writeFailures.join(QLatin1Char('\n'))));
        QVERIFY2(queryFailures.isEmpty(), qPrintable(queryFailures.join(QLatin1Char('\n'))));
        QVERIFY(loadsWhileWriting >= 1);

        // Everything is there: every page, every budget, the last mapping applied to the stored records.
        auto budgets = service->call([](rl::UsageStore &store) { return store.budgets(); });
        QVERIFY(budgets.ok());
        QCOMPARE(int(budgets->size()), kBudgets);
        for (const rl::SpendBudget &budget : budgets.value()) {
            const int b = std::stoi(budget.scope.name.substr(5));
            QCOMPARE(budget.limitMicro, std::int64_t(b + 1) * 1'000'000);
        }
        for (int p = 0; p < kPollers; ++p) {
            auto cursor = service->cursor("poller-" + std::to_string(p));
            QVERIFY(cursor.ok());
            QCOMPARE(cursor->value_or(""), "page-" + std::to_string(kPagesPerPoller - 1));
        }
        auto reader = rl::UsageQueries::open(path.toStdString());
        QVERIFY(reader.ok());
        auto totals = reader->totals(theDay());
        QVERIFY(totals.ok());
        QCOMPARE(totals->requests, std::int64_t(kPollers * kPagesPerPoller * kEventsPerPage));
        QCOMPARE(totals->costMicro, std::int64_t(kPollers * kPagesPerPoller * kEventsPerPage * 7));
        rl::UsageFilter mapped = theDay();
        mapped.team = "mapped";
        auto mappedTotals = reader->totals(mapped);
        QVERIFY(mappedTotals.ok());
        QCOMPARE(mappedTotals->requests, std::int64_t(kPollers * kPagesPerPoller * kEventsPerPage / 4));

        QMetaObject::invokeMethod(
            sources, [sources] { sources->stop(); }, Qt::BlockingQueuedConnection);
        sourcesThread.quit();
        queryThread.quit();
        sourcesThread.wait();
        queryThread.wait();
        delete sources;
        delete queries;
        storeThread.quit();
        storeThread.wait();
        delete service;
    }

    void aNewStorePathOpensWithoutAnError()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("new.db"));
        QVERIFY(!QFileInfo::exists(path));
        DashboardApp dashboard(path);
        MainWindow &window = dashboard.window();
        QSignalSpy shown(&window, &MainWindow::snapshotShown);
        QSignalSpy failed(&window, &MainWindow::loadFailed);
        QVERIFY(shown.wait(20000));
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        QVERIFY(dashboard.storeFailure().isEmpty());
        QVERIFY(QFileInfo::exists(path));
    }

    void aStoreInAMissingFolderIsRefusedWithTheFix()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("no/such/folder/store.db"));
        DashboardApp dashboard(path);
        QSignalSpy failed(&dashboard.window(), &MainWindow::loadFailed);
        QVERIFY(failed.wait(20000));
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(QStringLiteral("check that the folder exists and is writable")), qPrintable(message));
        QCOMPARE(dashboard.storeFailure(), message);
        QVERIFY(!QFileInfo::exists(path));
    }

    void aStoreFromANewerRouteLedgerIsRefusedWithTheFix()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("future.db"));
        {
            auto store = rl::UsageStore::open(path.toStdString());
            QVERIFY(store.ok());
            QVERIFY(store->database().execute("PRAGMA user_version = 999").ok());
        }
        DashboardApp dashboard(path);
        QSignalSpy failed(&dashboard.window(), &MainWindow::loadFailed);
        QVERIFY(failed.wait(20000));
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(QStringLiteral("newer RouteLedger")), qPrintable(message));
    }

    void aReadOnlyStoreIsRefusedWithTheFix()
    {
        if (geteuid() == 0)
            QSKIP("root writes to read-only files; run as a normal user to check this");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("readonly.db"));
        QVERIFY(rl::UsageStore::open(path.toStdString()).ok());
        QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::ReadGroup));
        DashboardApp dashboard(path);
        QSignalSpy failed(&dashboard.window(), &MainWindow::loadFailed);
        QVERIFY(failed.wait(20000));
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(QStringLiteral("read-only")), qPrintable(message));
    }
};

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    TestStoreService test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_storeservice.moc"
