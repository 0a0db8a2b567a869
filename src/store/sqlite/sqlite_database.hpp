#pragma once
// The SQLite engine's database: one writer thread that commits queued works in batches (group
// commit), and a pool of read connections. Created by store::open_sqlite.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.hpp"

struct sqlite3;

namespace writeen::store::sqlite {

class connection;
class sqlite_queries;

/// store::database on one SQLite file in WAL mode. Thread-safe.
///
/// Writes: submit() queues; the writer thread takes everything queued (at most max_batch),
/// runs it in one IMMEDIATE transaction with a savepoint per work, commits once, and only then
/// calls each work's done, in submission order. It never waits to fill a batch: under load the
/// queue fills while the previous batch commits. Completions must not throw (std::terminate).
///
/// Reads: read() lends one of read_connections connections to the calling thread, inside a
/// read transaction, so fn sees one committed snapshot; it blocks while all are lent.
///
/// Checkpoints (copying the WAL back into the database file) run on a thread of their own, so
/// their writes and fsyncs do not delay commits. Only when the WAL has grown past a limit does the
/// writer wait for one checkpoint pass, which lets its next transaction restart the WAL.
class sqlite_database final : public database {
public:
    /// Opens the file, applies migrations and starts the writer. Throws unavailable.
    explicit sqlite_database(const sqlite_options& options);
    /// Closes (flushing queued works) if close() was not called.
    ~sqlite_database() override;
    sqlite_database(const sqlite_database&) = delete;
    sqlite_database& operator=(const sqlite_database&) = delete;

    void submit(write_work work, write_done done) override;
    void read(const std::function<void(reader&)>& fn) override;
    bool healthy() override;
    database_stats stats() const override;
    void close() override;

private:
    struct pending_write {
        write_work work;
        write_done done;
        std::exception_ptr error;
    };
    struct read_slot;

    void run_writer();
    void run_batch(std::vector<pending_write>& batch);
    void run_checkpointer();
    /// Asks for a checkpoint pass that starts after this call; returns its number.
    std::uint64_t request_checkpoint();
    void wait_for_checkpoint(std::uint64_t pass);
    static int on_wal_commit(void* self, sqlite3* db, const char* schema, int frames);
    read_slot& acquire_reader();
    void release_reader(read_slot& slot);

    const sqlite_options options_;

    // Owned by the writer thread once it runs (before: by the constructor).
    std::unique_ptr<connection> writer_db_;
    std::unique_ptr<sqlite_queries> writer_queries_;

    std::mutex queue_mutex_;
    std::condition_variable queue_ready_;
    std::deque<pending_write> queue_;  // guarded by queue_mutex_
    bool closing_ = false;             // guarded by queue_mutex_; set once, by close()

    std::mutex close_mutex_;  // serialises close() callers around the join
    std::thread writer_;          // joined by close() under close_mutex_
    std::thread::id writer_id_;  // set by the constructor, then only read

    int wal_frames_ = 0;  // writer thread only: frames in the WAL after its latest commit

    std::unique_ptr<connection> checkpoint_db_;  // used by the checkpointer thread only
    std::mutex checkpoint_mutex_;
    std::condition_variable checkpoint_changed_;
    // Pass numbers, guarded by checkpoint_mutex_: completed <= started <= requested <= started + 1.
    std::uint64_t checkpoint_requested_ = 0;
    std::uint64_t checkpoint_started_ = 0;
    std::uint64_t checkpoint_completed_ = 0;
    bool checkpoint_stop_ = false;            // guarded by checkpoint_mutex_
    std::thread checkpointer_;

    std::vector<std::unique_ptr<read_slot>> read_slots_;
    std::mutex readers_mutex_;
    std::condition_variable reader_returned_;
    std::vector<read_slot*> idle_readers_;  // guarded by readers_mutex_

    mutable std::mutex stats_mutex_;
    database_stats stats_;  // guarded by stats_mutex_; written by the writer thread
};

}  // namespace writeen::store::sqlite
