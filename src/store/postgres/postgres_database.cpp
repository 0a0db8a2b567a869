#include "store/postgres/postgres_database.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "model/clock.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_migrations.hpp"
#include "store/postgres/postgres_queries.hpp"

namespace writeen::store::postgres {
namespace {

// A fixed savepoint name suffices: each work's savepoint is released or rolled back before the
// next work starts.
constexpr const char* sql_begin_batch = "BEGIN ISOLATION LEVEL READ COMMITTED";
constexpr const char* sql_commit = "COMMIT";
constexpr const char* sql_rollback = "ROLLBACK";
constexpr const char* sql_savepoint = "SAVEPOINT work";
constexpr const char* sql_release = "RELEASE SAVEPOINT work";
constexpr const char* sql_rollback_to = "ROLLBACK TO SAVEPOINT work";

// Readers: one snapshot for everything fn reads, and no chance of writing by mistake.
constexpr const char* sql_begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
constexpr const char* sql_end_read = "COMMIT";
constexpr const char* sql_ping = "SELECT 1";

// Acknowledged means on the server's disk: a server configured with synchronous_commit=off
// must not weaken this connection's commits. A statement stuck for 30 s (a lock another node
// never releases) fails as unavailable instead of stalling the writer for ever.
constexpr const char* session_settings =
    "SET synchronous_commit = on; SET statement_timeout = 30000; SET lock_timeout = 10000; "
    "SET client_min_messages = warning";

// How often a work that keeps conflicting with other nodes is re-run before it fails.
constexpr int conflict_retries = 8;

postgres_options normalized(postgres_options options) {
    options.read_connections = std::max(options.read_connections, 1);
    options.max_batch = std::max(options.max_batch, 1);
    return options;
}

void complete(const write_done& done, std::exception_ptr error) noexcept {
    if (done) done(std::move(error));
}

void configure(connection& db) { db.exec(session_settings, "configure session"); }

// Begins a transaction on db, reconnecting first when it is known to be lost, and once more when
// BEGIN finds it lost (the server restarted while the connection was idle): nothing has run in
// the transaction yet, so trying again is safe, and the first work or read after a restart need
// not fail. Throws unavailable while the server is away.
void begin(connection& db, const char* sql) {
    for (int attempt = 0;; ++attempt) {
        if (!db.ok()) {
            db.reconnect();
            configure(db);
        }
        try {
            db.exec(sql, "begin");
            return;
        } catch (const unavailable&) {
            if (db.ok() || attempt > 0) throw;
        }
    }
}

}  // namespace

struct postgres_database::read_slot {
    explicit read_slot(const std::string& url) : db(url), queries(db) { configure(db); }
    connection db;
    postgres_queries queries;
};

postgres_database::postgres_database(const postgres_options& options) : options_(normalized(options)) {
    writer_db_ = std::make_unique<connection>(options_.url);
    configure(*writer_db_);
    apply_migrations(*writer_db_, now_ms());
    writer_queries_ = std::make_unique<postgres_queries>(*writer_db_);
    for (int i = 0; i < options_.read_connections; ++i) {
        auto slot = std::make_unique<read_slot>(options_.url);
        idle_readers_.push_back(slot.get());
        read_slots_.push_back(std::move(slot));
    }
    writer_ = std::thread([this] { run_writer(); });
    writer_id_ = writer_.get_id();
}

bool postgres_database::leads(std::string_view job) { return lease_.holds(job); }

postgres_database::~postgres_database() {
    close();
    if (writer_.joinable()) writer_.join();
}

void postgres_database::submit(write_work work, write_done done) {
    {
        std::lock_guard lock(queue_mutex_);
        if (!closing_) {
            queue_.push_back(pending_write{std::move(work), std::move(done), nullptr});
            queue_ready_.notify_one();
            return;
        }
    }
    complete(done, std::make_exception_ptr(unavailable("postgres: store is closed")));
}

void postgres_database::run_writer() {
    for (;;) {
        std::vector<pending_write> batch;
        {
            std::unique_lock lock(queue_mutex_);
            queue_ready_.wait(lock, [this] { return closing_ || !queue_.empty(); });
            if (queue_.empty()) return;  // closing, and everything queued is done
            if (options_.commit_interval.count() > 0 && !closing_) {
                queue_ready_.wait_until(lock, hold_until_, [this] { return closing_; });
            }
            const std::size_t n = std::min<std::size_t>(queue_.size(), static_cast<std::size_t>(options_.max_batch));
            batch.reserve(n);
            for (std::size_t i = 0; i < n; ++i) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        const auto start = clock::now();
        run_batch(batch);
        const auto end = clock::now();
        {
            std::lock_guard lock(queue_mutex_);
            hold_until_ = end + options_.commit_interval;
        }
        add_stats(batch.size(), std::chrono::duration<double>(end - start).count());
        acknowledge(std::move(batch));
    }
}

connection& postgres_database::writer_connection() {
    if (!writer_db_->ok()) {
        writer_db_->reconnect();  // throws unavailable while the server is away
        configure(*writer_db_);
    }
    return *writer_db_;
}

namespace {

// Thrown by run_transaction without savepoints when a work failed: the whole transaction is
// rolled back and the work's error is in its pending_write.
struct work_failed {};

bool is_conflict(const std::exception_ptr& error) {
    try {
        if (error) std::rethrow_exception(error);
    } catch (const transaction_conflict&) {
        return true;
    } catch (...) {
    }
    return false;
}

}  // namespace

// Round trips are what a batch costs, so the first attempt runs the works without savepoints
// (two statements fewer per work). Works rarely fail; when one does, the batch is rolled back
// and run again with a savepoint per work, so the failing work is rolled back alone and the
// others are stored. Conflicts with other nodes (deadlock, serialization failure) roll the batch
// back and its works run again one per transaction.
//
// Re-running a work is safe: a work only changes the database through its transaction, and its
// completion (which answers and publishes) runs once, after the final outcome. What a work does
// outside the transaction must tolerate a re-run: chat::writer begins a conversation_cache change
// only on the first run (begin_change counts, and end_change runs once, in the completion) and
// gathers each run's answer into a fresh result, so a rolled-back run leaves nothing behind.
void postgres_database::run_batch(std::vector<pending_write>& batch) {
    auto fail_all = [&](const unavailable& e) {
        reachable_.store(writer_db_->ok());
        const auto error = std::make_exception_ptr(unavailable(e.what()));
        for (pending_write& w : batch) w.error = error;
    };
    try {
        try {
            run_transaction(batch, 0, batch.size(), false);
        } catch (const work_failed&) {
            run_transaction(batch, 0, batch.size(), true);
        }
        reachable_.store(true);
        return;
    } catch (const transaction_conflict&) {
        // Below: one work per transaction, so a conflict costs at most the one work it hit.
    } catch (const unavailable& e) {
        fail_all(e);
        return;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        for (int attempt = 0;; ++attempt) {
            try {
                // Alone in its transaction, a work needs no savepoint: its failure rolls back
                // exactly its own changes, and its error is already recorded.
                run_transaction(batch, i, 1, false);
                break;
            } catch (const work_failed&) {
                break;
            } catch (const transaction_conflict& e) {
                if (attempt + 1 >= conflict_retries) {
                    batch[i].error = std::make_exception_ptr(unavailable(e.what()));
                    break;
                }
            } catch (const unavailable& e) {
                reachable_.store(writer_db_->ok());
                batch[i].error = std::make_exception_ptr(unavailable(e.what()));
                break;
            }
        }
    }
}

void postgres_database::run_transaction(std::vector<pending_write>& batch, std::size_t first, std::size_t count,
                                        bool savepoints) {
    try {
        run_transaction_once(batch, first, count, savepoints);
    } catch (const unavailable&) {
        // The BEGIN went with the first statement, so a server that restarted while the
        // connection was idle is found by that statement; nothing of the transaction has run,
        // and it runs again on a new connection (as begin() does for readers): the first write
        // after a restart need not fail. A second loss is the answer.
        if (!writer_db_->lost_at_deferred()) throw;
        run_transaction_once(batch, first, count, savepoints);
    }
}

void postgres_database::run_transaction_once(std::vector<pending_write>& batch, std::size_t first,
                                             std::size_t count, bool savepoints) {
    connection& db = writer_connection();
    auto rollback_all = [&db] {
        if (db.discard_deferred()) return;  // no statement went out: no transaction on the server
        if (db.ok() && db.in_transaction()) {
            try {
                db.exec(sql_rollback, "roll back batch");
            } catch (const std::exception&) {
                // The connection is reported bad and is replaced on next use.
            }
        }
    };
    try {
        db.defer(sql_begin_batch);  // sent with the first statement: one round trip fewer
        for (std::size_t i = first; i < first + count; ++i) {
            pending_write& w = batch[i];
            w.error = nullptr;
            if (savepoints) db.query(sql_savepoint);
            try {
                w.work(*writer_queries_);
            } catch (const transaction_conflict&) {
                throw;  // the transaction is lost: the caller re-runs it
            } catch (...) {
                w.error = std::current_exception();
                if (!db.ok()) throw unavailable("postgres: connection lost during a write");
            }
            if (!w.error && db.transaction_failed()) {
                // The work caught a failed statement and went on; PostgreSQL has aborted
                // everything since the savepoint (SQLite would have undone that statement
                // alone). The work fails with what broke it.
                w.error = db.last_error();
                if (!w.error) w.error = std::make_exception_ptr(unavailable("postgres: the work's transaction failed"));
                // A conflict it swallowed is still the batch's: re-run it.
                if (is_conflict(w.error)) throw transaction_conflict("postgres: conflict inside a work");
            }
            if (w.error) {
                if (!savepoints) {
                    rollback_all();
                    throw work_failed{};
                }
                db.query(sql_rollback_to);
            }
            if (savepoints) db.query(sql_release);
        }
        db.exec(sql_commit, "commit batch");
    } catch (const work_failed&) {
        throw;
    } catch (const transaction_conflict&) {
        rollback_all();
        throw;
    } catch (const unavailable&) {
        rollback_all();
        throw;
    } catch (const std::exception& e) {
        // Savepoint statements failing for another reason: the storage's fault.
        rollback_all();
        throw unavailable(std::string{"postgres: batch failed: "} + e.what());
    }
}

void postgres_database::acknowledge(std::vector<pending_write> writes) {
    if (writes.empty()) return;
    completion_runner run;
    {
        std::lock_guard lock(queue_mutex_);
        run = completion_runner_;
    }
    if (!run) {
        for (pending_write& w : writes) complete(w.done, std::move(w.error));
        return;
    }
    auto batch = std::make_shared<std::vector<pending_write>>(std::move(writes));
    run([batch] {
        for (pending_write& w : *batch) complete(w.done, std::move(w.error));
    });
}

void postgres_database::run_completions_on(completion_runner run) {
    std::lock_guard lock(queue_mutex_);
    completion_runner_ = std::move(run);
}

void postgres_database::add_stats(std::size_t writes, double seconds) {
    std::lock_guard lock(stats_mutex_);
    ++stats_.batches;
    stats_.writes += writes;
    stats_.commit_seconds_total += seconds;
}

postgres_database::read_slot& postgres_database::acquire_reader() {
    std::unique_lock lock(readers_mutex_);
    reader_returned_.wait(lock, [this] { return !idle_readers_.empty(); });
    read_slot* slot = idle_readers_.back();
    idle_readers_.pop_back();
    return *slot;
}

void postgres_database::release_reader(read_slot& slot) {
    {
        std::lock_guard lock(readers_mutex_);
        idle_readers_.push_back(&slot);
    }
    reader_returned_.notify_one();
}

void postgres_database::read(const std::function<void(reader&)>& fn) {
    read_slot& slot = acquire_reader();
    struct lease {
        postgres_database& owner;
        read_slot& slot;
        ~lease() {
            if (slot.db.ok() && slot.db.in_transaction()) {
                try {
                    slot.db.exec(sql_rollback, "end read");
                } catch (const std::exception&) {
                    // A bad connection is replaced on its next use.
                }
            }
            owner.release_reader(slot);
        }
    } guard{*this, slot};
    begin(slot.db, sql_begin_read);
    fn(slot.queries);
    slot.db.exec(sql_end_read, "end read");
}

bool postgres_database::healthy() {
    {
        std::lock_guard lock(queue_mutex_);
        if (closing_) return false;
    }
    bool ok = false;
    try {
        // BEGIN and COMMIT on a pooled connection (reconnecting it if needed): the server answers.
        read([&ok](reader&) { ok = true; });
    } catch (const std::exception&) {
        ok = false;  // the answer is the report: storage does not answer
    }
    reachable_.store(ok);
    return ok;
}

database_stats postgres_database::stats() const {
    std::lock_guard lock(stats_mutex_);
    return stats_;
}

void postgres_database::close() {
    {
        std::lock_guard lock(queue_mutex_);
        closing_ = true;
    }
    queue_ready_.notify_all();
    if (std::this_thread::get_id() == writer_id_) return;  // from a completion: the destructor joins
    std::lock_guard close_lock(close_mutex_);
    if (writer_.joinable()) writer_.join();
}

std::unique_ptr<database> open_postgres(const postgres_options& options) {
    return std::make_unique<postgres_database>(options);
}

}  // namespace writeen::store::postgres
