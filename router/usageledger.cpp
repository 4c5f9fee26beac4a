#include "usageledger.h"

#include "boundedjson.h"
#include "routing/promptchecks.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>

namespace rl {

namespace {

constexpr int kLedgerSchemaVersion = 3;

constexpr const char *kSchemaV1 = R"sql(
CREATE TABLE ledger_events (
    cursor INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL UNIQUE,
    time_ms INTEGER NOT NULL,
    team TEXT NOT NULL, user TEXT NOT NULL, app TEXT NOT NULL, tags TEXT NOT NULL,
    requested_model TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL,
    tier TEXT NOT NULL, tier_rank INTEGER NOT NULL, rule TEXT NOT NULL, policy_version INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
    cost_micro_usd INTEGER NOT NULL, frontier_cost_micro_usd INTEGER NOT NULL, unpriced INTEGER NOT NULL,
    latency_ms INTEGER NOT NULL, first_byte_ms INTEGER NOT NULL,
    status TEXT NOT NULL, http_status INTEGER NOT NULL, stream INTEGER NOT NULL,
    complexity REAL, task TEXT NOT NULL, attempts TEXT NOT NULL, error TEXT NOT NULL
);
CREATE TABLE policy_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version INTEGER NOT NULL,
    etag TEXT NOT NULL,
    document TEXT NOT NULL,
    installed_ms INTEGER NOT NULL
);
)sql";

// v2: answers that carried no usable token counts are marked, not recorded as zero tokens.
constexpr const char *kSchemaV2 = "ALTER TABLE ledger_events ADD COLUMN unmetered INTEGER NOT NULL DEFAULT 0";

// v3 (issue 14): what a replay of history needs (the features the decision looked at, the prompt conditions as
// they came out: never the prompt), the model the decision chose when a fallback served another, and the shadow
// policy's decision. NULL: not recorded (an event of an older router); shadow_policy_version NULL: no shadow.
// shadow_policy_history keeps the shadow policy across restarts: a row per install, and one with an empty
// document when shadow mode ended. The quality signals: which client key made each request (ClientIdentity::keyId;
// NULL for an older router's events, which no client can rate), the earlier request an escalation asks again,
// and clients' feedback, one row per request whose id (the feedback cursor) is new whenever the feedback changes.
constexpr const char *kSchemaV3 = R"sql(
ALTER TABLE ledger_events ADD COLUMN routed_model TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_events ADD COLUMN has_tools INTEGER;
ALTER TABLE ledger_events ADD COLUMN has_images INTEGER;
ALTER TABLE ledger_events ADD COLUMN routed_input_tokens INTEGER;
ALTER TABLE ledger_events ADD COLUMN budget_used REAL;
ALTER TABLE ledger_events ADD COLUMN prompt_checks TEXT;
ALTER TABLE ledger_events ADD COLUMN shadow_policy_version INTEGER;
ALTER TABLE ledger_events ADD COLUMN shadow_tier TEXT;
ALTER TABLE ledger_events ADD COLUMN shadow_model TEXT;
ALTER TABLE ledger_events ADD COLUMN shadow_rule TEXT;
ALTER TABLE ledger_events ADD COLUMN shadow_blocked INTEGER;
ALTER TABLE ledger_events ADD COLUMN shadow_cost_micro_usd INTEGER;
CREATE TABLE shadow_policy_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version INTEGER NOT NULL,
    etag TEXT NOT NULL,
    document TEXT NOT NULL,
    changed_ms INTEGER NOT NULL
);
ALTER TABLE ledger_events ADD COLUMN client_key_id TEXT;
ALTER TABLE ledger_events ADD COLUMN escalation_of TEXT NOT NULL DEFAULT '';
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL UNIQUE,
    time_ms INTEGER NOT NULL,
    score REAL NOT NULL,
    thumbs_up INTEGER,
    comment TEXT NOT NULL
);
)sql";

constexpr const char *kColumns =
    "cursor, request_id, time_ms, team, user, app, tags, requested_model, model, provider, tier, tier_rank, rule, "
    "policy_version, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, "
    "cost_micro_usd, frontier_cost_micro_usd, unpriced, latency_ms, first_byte_ms, status, http_status, stream, "
    "complexity, task, attempts, error, unmetered, routed_model, has_tools, has_images, routed_input_tokens, "
    "budget_used, prompt_checks, shadow_policy_version, shadow_tier, shadow_model, shadow_rule, shadow_blocked, "
    "shadow_cost_micro_usd, escalation_of";

Result<SqliteDatabase> openLedgerFile(const std::string &path)
{
    auto db = SqliteDatabase::open(path);
    if (!db)
        return db.error();
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
        if (auto done = db->execute(pragma); !done)
            return done.error();
    }
    return db;
}

Result<void> migrate(SqliteDatabase &db)
{
    auto version = db.prepare("PRAGMA user_version");
    if (!version)
        return version.error();
    auto row = version->step();
    if (!row)
        return row.error();
    const std::int64_t current = version->int64(0);
    if (current > kLedgerSchemaVersion)
        return Error{"ledger.newer",
                     "The ledger " + db.path() + " was written by a newer routeledger-router (schema "
                         + std::to_string(current) + "); run that version, or point `ledger` at a new file",
                     false};
    if (current == kLedgerSchemaVersion)
        return {};
    SqliteTransaction transaction(db);
    if (auto begun = transaction.begin(); !begun)
        return begun;
    if (current < 1) {
        if (auto done = db.execute(kSchemaV1); !done)
            return done;
    }
    if (current < 2) {
        if (auto done = db.execute(kSchemaV2); !done)
            return done;
    }
    if (current < 3) {
        if (auto done = db.execute(kSchemaV3); !done)
            return done;
    }
    if (auto done = db.execute("PRAGMA user_version=" + std::to_string(kLedgerSchemaVersion)); !done)
        return done;
    return transaction.commit();
}

constexpr const char *kInsertInto =
    "INSERT OR IGNORE INTO ledger_events (request_id, time_ms, team, user, app, tags, requested_model, model, "
    "provider, tier, tier_rank, rule, policy_version, input_tokens, cached_input_tokens, cache_write_tokens, "
    "output_tokens, reasoning_tokens, cost_micro_usd, frontier_cost_micro_usd, unpriced, latency_ms, "
    "first_byte_ms, status, http_status, stream, complexity, task, attempts, error, unmetered, routed_model, "
    "has_tools, has_images, routed_input_tokens, budget_used, prompt_checks, shadow_policy_version, shadow_tier, "
    "shadow_model, shadow_rule, shadow_blocked, shadow_cost_micro_usd, client_key_id, escalation_of) VALUES ";

// The INSERT of `rows` events, kInsertColumns parameters each.
std::string insertSql(std::size_t rows)
{
    std::string row = "(?";
    for (int column = 1; column < UsageLedger::kInsertColumns; ++column)
        row += ",?";
    row += ')';
    std::string sql = kInsertInto;
    for (std::size_t i = 0; i < rows; ++i)
        sql += (i == 0 ? "" : ",") + row;
    return sql;
}

// `value` as a JSON string, exactly as toJsonText writes it: printable ASCII is copied as is, anything else
// (escapes, other scripts, bytes that are not UTF-8) goes through nlohmann.
void appendJsonString(std::string &out, std::string_view value)
{
    for (const char c : value) {
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            out += toJsonText(nlohmann::json(std::string(value)));
            return;
        }
    }
    out += '"';
    out += value;
    out += '"';
}

// Binds `event` to parameters base + 1 … base + kInsertColumns; `text` keeps the JSON columns alive until the
// statement runs.
void bindEvent(SqliteStatement &insert, int base, const LedgerEvent &event, UsageLedger::RowText &text)
{
    auto at = [base](int index) { return base + index; };
    auto bindFlag = [&](int index, const std::optional<bool> &flag) {
        if (flag)
            insert.bind(at(index), *flag ? 1 : 0);
        else
            insert.bindNull(at(index));
    };
    const UsageEvent &u = event.usage;
    // The text nlohmann wrote for these (keys in its order), built without a document per row.
    text.tags = '[';
    for (const std::string &tag : u.tags) {
        if (text.tags.size() > 1)
            text.tags += ',';
        appendJsonString(text.tags, tag);
    }
    text.tags += ']';
    text.attempts = '[';
    for (const UpstreamAttempt &attempt : event.attempts) {
        if (text.attempts.size() > 1)
            text.attempts += ',';
        text.attempts += "{\"http_status\":" + std::to_string(attempt.httpStatus)
                         + ",\"latency_ms\":" + std::to_string(attempt.latencyMs) + ",\"model\":";
        appendJsonString(text.attempts, attempt.model);
        text.attempts += ",\"outcome\":";
        appendJsonString(text.attempts, attempt.outcome);
        text.attempts += '}';
    }
    text.attempts += ']';
    insert.bindStatic(at(1), u.requestId).bind(at(2), u.timeMs).bindStatic(at(3), u.team).bindStatic(at(4), u.user);
    insert.bindStatic(at(5), u.app).bindStatic(at(6), text.tags).bindStatic(at(7), u.requestedModel);
    insert.bindStatic(at(8), u.model).bindStatic(at(9), u.provider).bindStatic(at(10), u.tier);
    insert.bind(at(11), u.tierRank).bindStatic(at(12), u.rule).bind(at(13), u.policyVersion);
    insert.bind(at(14), u.tokens.input).bind(at(15), u.tokens.cachedInput).bind(at(16), u.tokens.cacheWrite);
    insert.bind(at(17), u.tokens.output).bind(at(18), u.tokens.reasoning).bind(at(19), u.costMicro);
    insert.bind(at(20), u.frontierCostMicro).bind(at(21), u.unpriced ? 1 : 0).bind(at(22), u.latencyMs);
    insert.bind(at(23), event.firstByteMs).bindStatic(at(24), usageStatusName(u.status));
    insert.bind(at(25), event.httpStatus).bind(at(26), event.stream ? 1 : 0);
    if (u.complexity)
        insert.bind(at(27), *u.complexity);
    else
        insert.bindNull(at(27));
    insert.bindStatic(at(28), u.task).bindStatic(at(29), text.attempts).bindStatic(at(30), event.error);
    insert.bind(at(31), u.unmetered ? 1 : 0).bindStatic(at(32), u.routedModel);
    const RoutingFeatures &f = u.features;
    bindFlag(33, f.hasTools);
    bindFlag(34, f.hasImages);
    insert.bind(at(35), f.inputTokens);
    if (f.budgetUsed)
        insert.bind(at(36), *f.budgetUsed);
    else
        insert.bindNull(at(36));
    if (f.promptChecks) {
        text.promptChecks = PromptChecks::encode(*f.promptChecks);
        insert.bindStatic(at(37), text.promptChecks);
    } else {
        insert.bindNull(at(37));
    }
    if (u.shadow) {
        const ShadowOutcome &shadow = *u.shadow;
        insert.bind(at(38), shadow.policyVersion).bindStatic(at(39), shadow.tier).bindStatic(at(40), shadow.model);
        insert.bindStatic(at(41), shadow.rule).bind(at(42), shadow.blocked ? 1 : 0).bind(at(43), shadow.costMicro);
    } else {
        for (int index = 38; index <= 43; ++index)
            insert.bindNull(at(index));
    }
    insert.bindStatic(at(44), event.clientKeyId).bindStatic(at(45), u.escalationOf);
}

} // namespace

Result<std::unique_ptr<UsageLedger>> UsageLedger::open(const std::string &path, std::chrono::milliseconds window)
{
    std::error_code ec;
    auto folder = std::filesystem::path(path).parent_path();
    if (!folder.empty() && !std::filesystem::is_directory(folder, ec))
        return Error{"ledger.no_folder",
                     "The ledger's folder " + folder.string() + " does not exist; create it or change `ledger`", false};
    auto writer = openLedgerFile(path);
    if (!writer)
        return writer.error();
    if (auto migrated = migrate(writer.value()); !migrated)
        return migrated.error();
    auto reader = openLedgerFile(path);
    if (!reader)
        return reader.error();
    return std::unique_ptr<UsageLedger>(new UsageLedger(std::move(writer.value()), std::move(reader.value()), window));
}

UsageLedger::UsageLedger(SqliteDatabase writer, SqliteDatabase reader, std::chrono::milliseconds window)
    : m_writerDb(std::move(writer)), m_readerDb(std::move(reader)), m_window(window)
{
    m_pending.reserve(kMaxBatch);
    m_writer = std::thread([this] { writerLoop(); });
}

UsageLedger::~UsageLedger()
{
    stop();
}

void UsageLedger::append(LedgerEvent event)
{
    std::unique_lock lock(m_mutex);
    if (m_stopping || m_pending.size() >= kMaxPending) {
        m_dropped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    const bool wasEmpty = m_pending.empty();
    if (wasEmpty)
        m_firstPendingAt = std::chrono::steady_clock::now();
    m_pending.push_back(std::move(event));
    m_pendingCount.store(m_pending.size(), std::memory_order_relaxed);
    const bool full = m_pending.size() == kMaxBatch;
    lock.unlock();
    // One wake-up per window (and one when a batch fills), not one per request.
    if (wasEmpty || full)
        m_wake.notify_one();
}

std::int64_t UsageLedger::lagMs() const
{
    std::lock_guard lock(m_mutex);
    if (m_pending.empty())
        return 0;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - m_firstPendingAt)
        .count();
}

void UsageLedger::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping && !m_writer.joinable())
            return;
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_writer.joinable())
        m_writer.join();
}

void UsageLedger::writerLoop()
{
    std::vector<LedgerEvent> &batch = m_inFlight;
    std::unique_lock lock(m_mutex);
    batch.reserve(kMaxBatch);
    for (;;) {
        m_wake.wait(lock, [&] { return m_stopping || !m_pending.empty(); });
        if (m_pending.empty())
            break; // stopping with nothing left
        m_wake.wait_until(lock, m_firstPendingAt + m_window,
                          [&] { return m_stopping || m_pending.size() >= kMaxBatch; });
        batch.swap(m_pending);
        m_pendingCount.store(0, std::memory_order_relaxed);
        lock.unlock();

        // Read without the lock: only this thread changes the batch, and only under the lock.
        auto committed = commit(batch);
        lock.lock();
        if (committed) {
            m_committed.fetch_add(committed.value(), std::memory_order_relaxed);
            batch.clear();
            continue;
        }
        // Keep the events and try again after a pause (a full disk or a locked file can clear up).
        m_commitFailures.fetch_add(1, std::memory_order_relaxed);
        std::fprintf(stderr, "routeledger-router: ledger commit failed, will retry: %s\n",
                     committed.error().message.c_str());
        batch.insert(batch.end(), std::make_move_iterator(m_pending.begin()), std::make_move_iterator(m_pending.end()));
        m_pending.swap(batch);
        batch.clear();
        m_pendingCount.store(m_pending.size(), std::memory_order_relaxed);
        if (m_stopping) {
            m_dropped.fetch_add(m_pending.size(), std::memory_order_relaxed);
            m_pending.clear();
            break;
        }
        m_wake.wait_for(lock, std::chrono::milliseconds(500), [&] { return m_stopping; });
    }
}

Result<std::size_t> UsageLedger::commit(const std::vector<LedgerEvent> &batch)
{
    SqliteTransaction transaction(m_writerDb);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    // Prepared once for the writer's lifetime (a prepare cost as much as a few dozen rows).
    if (!m_insertOne) {
        auto one = m_writerDb.prepare(insertSql(1));
        if (!one)
            return one.error();
        auto many = m_writerDb.prepare(insertSql(kRowsPerInsert));
        if (!many)
            return many.error();
        m_insertOne = std::move(one.value());
        m_insertMany = std::move(many.value());
    }
    std::size_t inserted = 0;
    for (std::size_t i = 0; i < batch.size();) {
        const std::size_t rows = batch.size() - i >= kRowsPerInsert ? kRowsPerInsert : 1;
        SqliteStatement &insert = rows == 1 ? *m_insertOne : *m_insertMany;
        insert.reset();
        for (std::size_t row = 0; row < rows; ++row)
            bindEvent(insert, static_cast<int>(row) * kInsertColumns, batch[i + row], m_rowText[row]);
        if (auto done = insert.run(); !done)
            return done.error();
        inserted += static_cast<std::size_t>(m_writerDb.changes()); // duplicates of a request id are not counted
        i += rows;
    }
    if (auto done = transaction.commit(); !done)
        return done.error();
    return inserted;
}

Result<LedgerPage> UsageLedger::read(std::int64_t after, std::size_t limit)
{
    std::lock_guard lock(m_readerMutex);
    auto select = m_readerDb.prepare(std::string("SELECT ") + kColumns
                                     + " FROM ledger_events WHERE cursor > ? ORDER BY cursor LIMIT ?");
    if (!select)
        return select.error();
    select->bind(1, after).bind(2, static_cast<std::int64_t>(limit) + 1);
    LedgerPage page;
    page.nextCursor = after;
    page.events.reserve(std::min<std::size_t>(limit, 1024));
    for (;;) {
        auto row = select->step();
        if (!row)
            return row.error();
        if (!row.value())
            break;
        if (page.events.size() == limit) {
            page.hasMore = true;
            break;
        }
        LedgerEvent event;
        UsageEvent &u = event.usage;
        int c = 0;
        event.cursor = select->int64(c++);
        u.requestId = select->text(c++);
        u.timeMs = select->int64(c++);
        u.team = select->text(c++);
        u.user = select->text(c++);
        u.app = select->text(c++);
        nlohmann::json tags = nlohmann::json::parse(select->text(c++), nullptr, false);
        if (tags.is_array()) {
            for (const auto &tag : tags) {
                if (tag.is_string())
                    u.tags.push_back(tag.get<std::string>());
            }
        }
        u.requestedModel = select->text(c++);
        u.model = select->text(c++);
        u.provider = select->text(c++);
        u.tier = select->text(c++);
        u.tierRank = static_cast<int>(select->int64(c++));
        u.rule = select->text(c++);
        u.policyVersion = select->int64(c++);
        u.tokens.input = select->int64(c++);
        u.tokens.cachedInput = select->int64(c++);
        u.tokens.cacheWrite = select->int64(c++);
        u.tokens.output = select->int64(c++);
        u.tokens.reasoning = select->int64(c++);
        u.costMicro = select->int64(c++);
        u.frontierCostMicro = select->int64(c++);
        u.unpriced = select->int64(c++) != 0;
        u.latencyMs = select->int64(c++);
        event.firstByteMs = select->int64(c++);
        u.status = usageStatusFromName(select->text(c++)).value_or(UsageStatus::Error);
        event.httpStatus = static_cast<int>(select->int64(c++));
        event.stream = select->int64(c++) != 0;
        if (!select->isNull(c))
            u.complexity = select->real(c);
        ++c;
        u.task = select->text(c++);
        nlohmann::json attempts = nlohmann::json::parse(select->text(c++), nullptr, false);
        if (attempts.is_array()) {
            for (const auto &attempt : attempts) {
                if (!attempt.is_object())
                    continue;
                event.attempts.push_back({attempt.value("model", std::string()),
                                          attempt.value("outcome", std::string()), attempt.value("http_status", 0),
                                          attempt.value("latency_ms", std::int64_t(0))});
            }
        }
        event.error = select->text(c++);
        u.unmetered = select->int64(c++) != 0;
        u.routedModel = select->text(c++);
        RoutingFeatures &f = u.features;
        f.stream = event.stream; // recorded since schema 1
        auto flag = [&](int column) {
            return select->isNull(column) ? std::optional<bool>() : std::optional<bool>(select->int64(column) != 0);
        };
        f.hasTools = flag(c++);
        f.hasImages = flag(c++);
        if (!select->isNull(c))
            f.inputTokens = select->int64(c);
        ++c;
        if (!select->isNull(c))
            f.budgetUsed = select->real(c);
        ++c;
        if (!select->isNull(c)) {
            std::vector<PromptCheck> checks;
            // Only this ledger writes the column; a value it cannot read is left unknown rather than guessed.
            if (PromptChecks::decode(select->text(c), checks))
                f.promptChecks = std::move(checks);
        }
        ++c;
        if (!select->isNull(c)) {
            ShadowOutcome shadow;
            shadow.policyVersion = select->int64(c);
            shadow.tier = select->text(c + 1);
            shadow.model = select->text(c + 2);
            shadow.rule = select->text(c + 3);
            shadow.blocked = select->int64(c + 4) != 0;
            shadow.costMicro = select->int64(c + 5);
            u.shadow = std::move(shadow);
        }
        c += 6;
        u.escalationOf = select->text(c++);
        page.nextCursor = event.cursor;
        page.events.push_back(std::move(event));
    }
    return page;
}

std::optional<std::string> UsageLedger::pendingClient(std::string_view requestId) const
{
    std::lock_guard lock(m_mutex);
    for (const std::vector<LedgerEvent> *events : {&m_pending, &m_inFlight}) {
        for (const LedgerEvent &event : *events) {
            if (event.usage.requestId == requestId)
                return event.clientKeyId;
        }
    }
    return std::nullopt;
}

Result<FeedbackOutcome> UsageLedger::recordFeedback(std::string_view clientKeyId, const FeedbackRecord &feedback)
{
    // Memory first, then the file: an event leaves memory only after its commit, so it is found in one of them.
    std::optional<std::string> owner = pendingClient(feedback.requestId);
    std::lock_guard lock(m_readerMutex);
    if (!owner) {
        auto select = m_readerDb.prepare("SELECT client_key_id FROM ledger_events WHERE request_id = ?");
        if (!select)
            return select.error();
        select->bind(1, std::string_view(feedback.requestId));
        auto row = select->step();
        if (!row)
            return row.error();
        if (row.value() && !select->isNull(0))
            owner = select->text(0);
    }
    // Another client's request answers like an unknown one, so request ids cannot be probed.
    if (!owner || *owner != clientKeyId)
        return FeedbackOutcome::UnknownRequest;

    auto existing = m_readerDb.prepare("SELECT score, thumbs_up, comment FROM feedback WHERE request_id = ?");
    if (!existing)
        return existing.error();
    existing->bind(1, std::string_view(feedback.requestId));
    auto row = existing->step();
    if (!row)
        return row.error();
    if (row.value()) {
        const std::optional<bool> thumbs =
            existing->isNull(1) ? std::optional<bool>() : std::optional<bool>(existing->int64(1) != 0);
        if (existing->real(0) == feedback.score && thumbs == feedback.thumbsUp && existing->text(2) == feedback.comment)
            return FeedbackOutcome::Unchanged; // a retry: stored once, delivered once
    }
    // REPLACE deletes the earlier row and inserts a new one under a new id (AUTOINCREMENT): the changed feedback
    // has a cursor above every one the app has read, so it reaches the app again and replaces the old one there.
    auto insert = m_readerDb.prepare(
        "INSERT OR REPLACE INTO feedback (request_id, time_ms, score, thumbs_up, comment) VALUES (?,?,?,?,?)");
    if (!insert)
        return insert.error();
    insert->bind(1, std::string_view(feedback.requestId)).bind(2, feedback.timeMs).bind(3, feedback.score);
    if (feedback.thumbsUp)
        insert->bind(4, *feedback.thumbsUp ? 1 : 0);
    else
        insert->bindNull(4);
    insert->bind(5, std::string_view(feedback.comment));
    if (auto done = insert->run(); !done)
        return done.error();
    return FeedbackOutcome::Stored;
}

Result<FeedbackPage> UsageLedger::readFeedback(std::int64_t after, std::size_t limit)
{
    std::lock_guard lock(m_readerMutex);
    auto select = m_readerDb.prepare(
        "SELECT id, request_id, time_ms, score, thumbs_up, comment FROM feedback WHERE id > ? ORDER BY id LIMIT ?");
    if (!select)
        return select.error();
    select->bind(1, after).bind(2, static_cast<std::int64_t>(limit) + 1);
    FeedbackPage page;
    page.nextCursor = after;
    for (;;) {
        auto row = select->step();
        if (!row)
            return row.error();
        if (!row.value())
            break;
        if (page.feedback.size() == limit) {
            page.hasMore = true;
            break;
        }
        LedgerFeedback item;
        item.cursor = select->int64(0);
        item.record.requestId = select->text(1);
        item.record.timeMs = select->int64(2);
        item.record.score = select->real(3);
        if (!select->isNull(4))
            item.record.thumbsUp = select->int64(4) != 0;
        item.record.comment = select->text(5);
        page.nextCursor = item.cursor;
        page.feedback.push_back(std::move(item));
    }
    return page;
}

Result<void> UsageLedger::savePolicy(const StoredPolicy &policy, std::int64_t nowMs)
{
    std::lock_guard lock(m_readerMutex);
    auto insert =
        m_readerDb.prepare("INSERT INTO policy_history (version, etag, document, installed_ms) VALUES (?,?,?,?)");
    if (!insert)
        return insert.error();
    insert->bind(1, policy.version).bind(2, std::string_view(policy.etag)).bind(3, std::string_view(policy.document));
    insert->bind(4, nowMs);
    return insert->run();
}

Result<std::optional<StoredPolicy>> UsageLedger::policyBy(const char *order)
{
    std::lock_guard lock(m_readerMutex);
    auto select = m_readerDb.prepare(std::string("SELECT version, etag, document FROM policy_history ORDER BY ") + order
                                     + " LIMIT 1");
    if (!select)
        return select.error();
    auto row = select->step();
    if (!row)
        return row.error();
    if (!row.value())
        return std::optional<StoredPolicy>();
    return std::optional<StoredPolicy>(StoredPolicy{select->text(2), select->int64(0), select->text(1)});
}

Result<void> UsageLedger::saveShadowPolicy(const std::optional<StoredPolicy> &policy, std::int64_t nowMs)
{
    std::lock_guard lock(m_readerMutex);
    auto insert =
        m_readerDb.prepare("INSERT INTO shadow_policy_history (version, etag, document, changed_ms) VALUES (?,?,?,?)");
    if (!insert)
        return insert.error();
    if (policy)
        insert->bind(1, policy->version)
            .bind(2, std::string_view(policy->etag))
            .bind(3, std::string_view(policy->document));
    else
        insert->bind(1, std::int64_t(0)).bind(2, std::string_view("")).bind(3, std::string_view("")); // not NULL
    insert->bind(4, nowMs);
    return insert->run();
}

Result<std::optional<StoredPolicy>> UsageLedger::currentShadowPolicy()
{
    std::lock_guard lock(m_readerMutex);
    auto select =
        m_readerDb.prepare("SELECT version, etag, document FROM shadow_policy_history ORDER BY id DESC LIMIT 1");
    if (!select)
        return select.error();
    auto row = select->step();
    if (!row)
        return row.error();
    if (!row.value() || select->text(2).empty())
        return std::optional<StoredPolicy>();
    return std::optional<StoredPolicy>(StoredPolicy{select->text(2), select->int64(0), select->text(1)});
}

Result<std::optional<StoredPolicy>> UsageLedger::latestPolicy()
{
    return policyBy("version DESC, id DESC");
}

Result<std::optional<StoredPolicy>> UsageLedger::lastSavedPolicy()
{
    return policyBy("id DESC");
}

} // namespace rl
