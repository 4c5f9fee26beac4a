#pragma once

#include "error.h"
#include "ledgerevent.h"
#include "store/sqlitedatabase.h"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace rl {

// A client's feedback as the ledger keeps it: its own cursor (the feedback table's row id), and the feedback.
struct LedgerFeedback {
    std::int64_t cursor = 0;
    FeedbackRecord record;
};

// Feedback by its own cursor, for GET /admin/usage?feedback_after=…: a feedback given after its event was polled
// still reaches the app, and a replaced one gets a new cursor so it reaches the app again.
struct FeedbackPage {
    std::vector<LedgerFeedback> feedback;
    std::int64_t nextCursor = 0; // the last feedback's cursor, or `after` when the page is empty
    bool hasMore = false;
};

// A page of the ledger for GET /admin/usage.
struct LedgerPage {
    std::vector<LedgerEvent> events;
    std::int64_t nextCursor = 0; // the last event's cursor, or `after` when the page is empty
    bool hasMore = false;
    std::optional<FeedbackPage> feedback; // only when asked for
};

// What became of a client's feedback (POST /v1/feedback).
enum class FeedbackOutcome {
    Stored,         // new, or it replaced a different earlier one (under a new cursor)
    Unchanged,      // the same score, thumbs and comment as already stored: nothing written
    UnknownRequest, // no such request, or not one of this client's
};

// The last good policy the router was given, kept so a restart serves it again.
struct StoredPolicy {
    std::string document;
    std::int64_t version = 0;
    std::string etag;
};

// The router's own SQLite file: every request's usage event, the policy history and the shadow policy's.
//
// append() never blocks on disk: events wait in memory and a writer thread commits them together once
// per group-commit window (or sooner when a batch fills), in one transaction. An unclean kill therefore
// loses at most the events of the current window; a committed event is never lost (WAL). The cursor is
// the row id (AUTOINCREMENT), so it only grows, across restarts too.
class UsageLedger {
public:
    static constexpr std::size_t kMaxBatch = 4096;
    static constexpr std::size_t kMaxPending =
        1'000'000; // past this (disk failing for long), new events are dropped and counted

    // Rows per INSERT statement when a batch has that many left: one statement's fixed cost (AUTOINCREMENT's
    // sqlite_sequence update among it) is shared by its rows.
    static constexpr std::size_t kRowsPerInsert = 32;
    static constexpr int kInsertColumns = 45;
    // The JSON columns of one row, kept until its statement runs (they are bound without a copy).
    struct RowText {
        std::string tags, attempts, promptChecks;
    };

    static Result<std::unique_ptr<UsageLedger>> open(const std::string &path, std::chrono::milliseconds window);
    ~UsageLedger();
    UsageLedger(const UsageLedger &) = delete;
    UsageLedger &operator=(const UsageLedger &) = delete;

    void append(LedgerEvent event);
    // Commits what is pending and stops the writer; append() after stop() drops the event.
    void stop();

    Result<LedgerPage> read(std::int64_t after, std::size_t limit);
    // Stores a client's feedback on one of its own requests: `clientKeyId` must be the ClientIdentity::keyId that
    // made the request (events of a ledger before feedback existed have none, and cannot be rated). Requests
    // still waiting for the group commit count as known.
    Result<FeedbackOutcome> recordFeedback(std::string_view clientKeyId, const FeedbackRecord &feedback);
    Result<FeedbackPage> readFeedback(std::int64_t after, std::size_t limit);
    Result<void> savePolicy(const StoredPolicy &policy, std::int64_t nowMs);
    // The highest version ever installed (of equal versions, the last saved): what the router served last.
    Result<std::optional<StoredPolicy>> latestPolicy();
    // The policy saved last, whatever its version (routers before the versions-only-go-up rule accepted a
    // lower version): told apart from latestPolicy() at start, so the log can say what changed.
    Result<std::optional<StoredPolicy>> lastSavedPolicy();
    // Records a shadow policy installed, or shadow mode ended (nullopt), so a restart keeps shadow mode as it was.
    Result<void> saveShadowPolicy(const std::optional<StoredPolicy> &policy, std::int64_t nowMs);
    // The shadow policy in force when the router last ran; nullopt when none was (or shadow mode was ended).
    Result<std::optional<StoredPolicy>> currentShadowPolicy();

    std::size_t pendingCount() const { return m_pendingCount.load(std::memory_order_relaxed); }
    // Age of the oldest event not yet committed, 0 when none is waiting.
    std::int64_t lagMs() const;
    // Events written (duplicates of an earlier request id are not counted).
    std::uint64_t committedCount() const { return m_committed.load(std::memory_order_relaxed); }
    std::uint64_t droppedCount() const { return m_dropped.load(std::memory_order_relaxed); }
    std::uint64_t commitFailures() const { return m_commitFailures.load(std::memory_order_relaxed); }

private:
    Result<std::optional<StoredPolicy>> policyBy(const char *order);

    UsageLedger(SqliteDatabase writer, SqliteDatabase reader, std::chrono::milliseconds window);
    void writerLoop();
    // The client key id of a request still in memory (queued or being committed), or nullopt.
    std::optional<std::string> pendingClient(std::string_view requestId) const;
    Result<std::size_t> commit(const std::vector<LedgerEvent> &batch); // rows inserted

    SqliteDatabase m_writerDb; // used by the writer thread only
    // The writer thread's INSERTs (one row, kRowsPerInsert rows), prepared on its first commit; declared after
    // m_writerDb so that they are finalized before it closes.
    std::optional<SqliteStatement> m_insertOne;
    std::optional<SqliteStatement> m_insertMany;
    std::array<RowText, kRowsPerInsert> m_rowText;
    std::mutex m_readerMutex;
    SqliteDatabase m_readerDb; // admin reads and policy saves

    const std::chrono::milliseconds m_window;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<LedgerEvent> m_pending;
    // The batch the writer is committing: changed under m_mutex only, read by the writer (committing) and by
    // pendingClient() (under m_mutex) at the same time, both reads.
    std::vector<LedgerEvent> m_inFlight;
    std::chrono::steady_clock::time_point m_firstPendingAt;
    bool m_stopping = false;
    std::atomic<std::size_t> m_pendingCount{0};
    std::atomic<std::uint64_t> m_committed{0};
    std::atomic<std::uint64_t> m_dropped{0};
    std::atomic<std::uint64_t> m_commitFailures{0};
    std::thread m_writer;
};

} // namespace rl
