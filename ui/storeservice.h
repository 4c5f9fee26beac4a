#pragma once

#include "store/ingestsink.h"
#include "store/usagestore.h"

#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThread>

#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

// The only writer of the store (DESIGN.md §5: one writer per SQLite file). It owns the app's one UsageStore
// and lives on a thread of its own; everything the app writes runs there, one task after another: budget
// saves from the Teams page, source settings and identity mappings from the Sources worker, and the pages
// the pollers fetch (as their IngestSink). The queries read on a connection of their own.
class StoreService : public QObject, public rl::IngestSink {
    Q_OBJECT
public:
    // `store` was opened (created or migrated) by the composition root before any worker started.
    explicit StoreService(rl::UsageStore store, QObject *parent = nullptr);
    ~StoreService() override;

    // Runs `task(store)` on the store's thread and waits for its result. For workers on other threads (the
    // Sources worker, the pollers), never the GUI thread; on the store's own thread it runs at once. The
    // store's thread must be running until every caller has stopped.
    template <typename Task>
    std::invoke_result_t<Task &, rl::UsageStore &> call(Task &&task);

    // Runs `task(store)` on the store's thread without waiting, then `done(result)` on `receiver`'s thread
    // (dropped if the receiver is gone by then). For the GUI thread, which never waits on SQLite.
    template <typename Task, typename Done>
    void submit(QObject *receiver, Task task, Done done);

    // rl::IngestSink, called from the pollers' threads.
    rl::Result<rl::IngestResult> ingest(const rl::IngestBatch &batch) override;
    rl::Result<std::optional<std::string>> cursor(const std::string &source) override;

public slots:
    // Sets a team's budget (the Teams page's budget dialog); `written` or `failed` follows.
    void setBudget(const QString &team, const QString &period, qint64 limitMicro);

signals:
    // A write asked through a slot landed: views reload.
    void written();
    void failed(const QString &message);

private:
    rl::UsageStore m_store;
};

template <typename Task>
std::invoke_result_t<Task &, rl::UsageStore &> StoreService::call(Task &&task)
{
    using Answer = std::invoke_result_t<Task &, rl::UsageStore &>;
    if (QThread::currentThread() == thread())
        return task(m_store);
    if constexpr (std::is_void_v<Answer>) {
        QMetaObject::invokeMethod(
            this, [&] { task(m_store); }, Qt::BlockingQueuedConnection);
    } else {
        std::optional<Answer> answer; // Result<T> has no empty state to start from
        QMetaObject::invokeMethod(
            this, [&] { answer.emplace(task(m_store)); }, Qt::BlockingQueuedConnection);
        return std::move(*answer);
    }
}

template <typename Task, typename Done>
void StoreService::submit(QObject *receiver, Task task, Done done)
{
    QPointer<QObject> guard(receiver);
    QMetaObject::invokeMethod(
        this,
        [this, guard, task = std::move(task), done = std::move(done)]() mutable {
            auto answer = std::make_shared<std::invoke_result_t<Task &, rl::UsageStore &>>(task(m_store));
            if (guard)
                QMetaObject::invokeMethod(
                    guard.data(), [done = std::move(done), answer]() mutable { done(*answer); }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}
