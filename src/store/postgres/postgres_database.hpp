#pragma once
// The PostgreSQL engine's database: one writer thread that commits queued works in batches
// (group commit) and a pool of read connections. Created by open_postgres.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/postgres/cluster_lease.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/store.hpp"

namespace writeen::store::postgres {

class connection;
class postgres_queries;

/// store::database on a PostgreSQL server. Thread-safe. Several nodes (processes) may each open
/// one on the same database: they coordinate through the server's row locks only.
///
/// Writes: submit() queues; the writer thread takes what is queued (at most max_batch), runs
/// the works in one transaction, COMMITs once with synchronous_commit=on, and only then calls the
/// completions, in submission order. The BEGIN travels with the batch's first statement (libpq
/// pipeline mode), so a batch costs its statements and the COMMIT in round trips. A work that throws rolls back only itself: the batch is
/// then run again with a SAVEPOINT per work (the first attempt has none: two round trips fewer
/// per work). Works that arrive while a batch runs form the next batch.
///
/// Conflicts with other nodes' transactions (deadlock 40P01, serialization failure 40001) roll
/// the whole batch back; the writer then runs the same works again, each in a transaction of its
/// own (see postgres_database.cpp for why re-running is safe).
///
/// Connection lost: the batch's works fail with unavailable (nothing of it is acknowledged),
/// healthy() is false, and the writer and readers reconnect on their next use.
///
/// Reads: read() lends one of read_connections connections to the calling thread inside a
/// REPEATABLE READ READ ONLY transaction, so fn sees one snapshot; it blocks while all are lent.
class postgres_database final : public database {
  public:
    /// Connects, applies migrations and starts the writer. Throws unavailable.
    explicit postgres_database(const postgres_options& options);
    /// Closes (flushing queued works) if close() was not called.
    ~postgres_database() override;
    postgres_database(const postgres_database&) = delete;
    postgres_database& operator=(const postgres_database&) = delete;

    void submit(write_work work, write_done done) override;
    void read(const std::function<void(reader&)>& fn) override;
    bool healthy() override;
    database_stats stats() const override;
    void run_completions_on(completion_runner run) override;
    void close() override;
    /// Held through an advisory lock on a connection of its own (cluster_lease.hpp).
    bool leads(std::string_view job) override;

  private:
    struct pending_write {
        write_work work;
        write_done done;
        std::exception_ptr error;
    };
    struct read_slot;
    using clock = std::chrono::steady_clock;

    void run_writer();
    /// Runs batch in one transaction; when a work fails, again with a savepoint per work; on a
    /// conflict, again one work per transaction.
    void run_batch(std::vector<pending_write>& batch);
    /// Runs works in one transaction and commits. With savepoints, a failing work is rolled back
    /// alone; without, the first failing work rolls everything back (its error recorded) and
    /// work_failed is thrown. Throws transaction_conflict or unavailable (all rolled back).
    void run_transaction(std::vector<pending_write>& batch, std::size_t first, std::size_t count, bool savepoints);
    /// run_transaction's one attempt; run_transaction makes a second when the connection was
    /// found lost before anything of the first had run.
    void run_transaction_once(std::vector<pending_write>& batch, std::size_t first, std::size_t count,
                              bool savepoints);
    /// A usable writer connection, reconnecting if needed. Throws unavailable.
    connection& writer_connection();
    read_slot& acquire_reader();
    void release_reader(read_slot& slot);
    void add_stats(std::size_t writes, double seconds);
    void acknowledge(std::vector<pending_write> writes);

    const postgres_options options_;
    cluster_lease lease_{options_.url};  // the once-per-cluster jobs this node runs

    // Owned by the writer thread once it runs (before: by the constructor).
    std::unique_ptr<connection> writer_db_;
    std::unique_ptr<postgres_queries> writer_queries_;

    std::mutex queue_mutex_;
    std::condition_variable queue_ready_;
    std::deque<pending_write> queue_;      // guarded by queue_mutex_
    bool closing_ = false;                 // guarded by queue_mutex_; set once, by close()
    completion_runner completion_runner_;  // guarded by queue_mutex_
    clock::time_point hold_until_{};       // guarded by queue_mutex_: no commit before this time

    // False after a statement found the server unreachable, true again after a success.
    std::atomic<bool> reachable_{true};

    std::vector<std::unique_ptr<read_slot>> read_slots_;
    std::mutex readers_mutex_;
    std::condition_variable reader_returned_;
    std::vector<read_slot*> idle_readers_;  // guarded by readers_mutex_

    mutable std::mutex stats_mutex_;
    database_stats stats_;  // guarded by stats_mutex_

    std::mutex close_mutex_;
    std::thread::id writer_id_;
    std::thread writer_;
};

}  // namespace writeen::store::postgres
