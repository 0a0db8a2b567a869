#pragma once
// The SQLite engine's database: one writer thread that commits queued works in batches (group
// commit), a sync thread that makes committed batches durable before they are acknowledged, a
// checkpoint thread, and a pool of read connections. Created by open_sqlite.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

struct sqlite3;

namespace writeen::store::sqlite {

class connection;
class sqlite_queries;

/// store::database on one SQLite file in WAL mode. Thread-safe.
///
/// Writes: submit() queues; the writer thread runs queued works in an IMMEDIATE transaction, a
/// savepoint per work, and commits them together (at most max_batch) once the queue is empty.
/// It never waits for works to arrive: what is queued is run at once (while an fsync runs, once
/// it ends or 64 are queued), and works that arrive while it runs join the same batch, so
/// batches grow with the load.
///
/// Durability (synchronous_full): COMMIT itself does not fsync. The writer hands the committed
/// batch to the sync thread and goes on; the sync thread fdatasyncs the WAL file, which makes
/// every batch committed before the call durable, and only then calls their completions. An
/// acknowledged write is therefore exactly as durable as with SQLite's synchronous=FULL, and
/// the fsync does not stall the writer. While an fsync runs, the writer keeps running arriving
/// works in its open transaction and commits when the sync thread is free again (or the batch is
/// full): those works could not be acknowledged before the next fsync anyway, and one commit per
/// fsync keeps batches large at any load. (Readers may see a batch a few milliseconds before it
/// is durable; no one is told it is stored before it is.) Without synchronous_full, the writer
/// commits what it ran at once and completions follow the commit, as SQLite's NORMAL.
/// Completions run in submission order, on the sync (or writer) thread or, one call per batch,
/// through the runner given to run_completions_on; they must not throw (std::terminate).
///
/// Reads: read() lends one of read_connections connections to the calling thread, inside a
/// read transaction, so fn sees one committed snapshot; it blocks while all are lent.
///
/// Checkpoints (copying the WAL back into the database file) run on a thread of their own, so
/// their writes and fsyncs do not delay commits. Once the WAL has grown past a limit the writer
/// asks for a pass right after a commit and lets it finish before its next transaction, which then
/// restarts the WAL (the pass mostly overlaps the fsync and the pause between commits).
class sqlite_database final : public database {
  public:
    /// Opens the file, applies migrations and starts the threads. Throws unavailable.
    explicit sqlite_database(const sqlite_options& options);
    /// Closes (flushing queued works) if close() was not called.
    ~sqlite_database() override;
    sqlite_database(const sqlite_database&) = delete;
    sqlite_database& operator=(const sqlite_database&) = delete;

    void submit(write_work work, write_done done) override;
    void read(const std::function<void(reader&)>& fn) override;
    bool healthy() override;
    database_stats stats() const override;
    void run_completions_on(completion_runner run) override;
    void close() override;

  private:
    struct pending_write {
        write_work work;
        write_done done;
        std::exception_ptr error;
    };
    /// A batch whose transaction has ended (committed or not), waiting for its completions.
    struct finished_batch {
        std::vector<pending_write> writes;
        bool committed = false;
    };
    struct read_slot;

    void run_writer();
    /// Runs one work in the open transaction (beginning one if needed) and adds it to the batch.
    void run_work(pending_write w);
    /// Commits the open batch (or fails it) and passes it on to its completions.
    void finish_batch();
    using clock = std::chrono::steady_clock;
    /// True when a batch committed now would be fsynced at once. Requires queue_mutex_.
    bool sync_idle() const { return !syncing_ && unsynced_.empty(); }
    /// True when the open batch may be committed now. Requires queue_mutex_.
    bool may_commit(clock::time_point now) const;
    /// True when the writer has something to do now (run works, commit, stop). Requires queue_mutex_.
    bool writer_has_work(clock::time_point now) const;
    void run_syncer();
    void run_checkpointer();
    /// Asks for a checkpoint pass that starts after this call; returns its number.
    std::uint64_t request_checkpoint();
    void wait_for_checkpoint(std::uint64_t pass);
    static int on_wal_commit(void* self, sqlite3* db, const char* schema, int frames);
    read_slot& acquire_reader();
    void release_reader(read_slot& slot);
    void add_stats(std::size_t writes, double seconds, bool new_batch);
    /// Calls the completions of batches (ended in commit order) through the runner, if any.
    void acknowledge(std::vector<pending_write> writes);

    const sqlite_options options_;

    // Owned by the writer thread once it runs (before: by the constructor).
    std::unique_ptr<connection> writer_db_;
    std::unique_ptr<sqlite_queries> writer_queries_;
    int wal_frames_ = 0;                     // writer thread only: frames in the WAL after its latest commit
    std::optional<std::uint64_t> restart_pass_;  // writer thread only: the pass to wait for, then restart the WAL
    std::vector<pending_write> open_batch_;  // writer thread only: works run, not yet committed
    std::exception_ptr open_batch_error_;    // writer thread only: the open transaction broke

    // One mutex for the hand-offs between submitters, the writer and the sync thread.
    std::mutex queue_mutex_;
    std::condition_variable queue_ready_;  // the writer waits: works queued, or the syncer free
    std::condition_variable sync_ready_;   // the sync thread waits: batches committed
    std::deque<pending_write> queue_;      // guarded by queue_mutex_
    bool closing_ = false;                 // guarded by queue_mutex_; set once, by close()
    std::deque<finished_batch> unsynced_;  // guarded by queue_mutex_; in commit order
    bool syncing_ = false;                 // guarded by queue_mutex_: an fsync is running
    bool sync_stop_ = false;               // guarded by queue_mutex_; set after the writer ended
    completion_runner completion_runner_;  // guarded by queue_mutex_
    clock::time_point hold_until_{};        // guarded by queue_mutex_: no commit before this time

    // A failed fsync leaves committed data of unknown durability: from then on every write fails
    // and healthy() is false, rather than acknowledging writes that may not survive.
    std::atomic<bool> storage_failed_{false};

    int wal_fd_ = -1;  // the WAL file, for the sync thread's fdatasync (synchronous_full only)

    std::unique_ptr<connection> checkpoint_db_;  // used by the checkpointer thread only
    std::mutex checkpoint_mutex_;
    std::condition_variable checkpoint_changed_;
    // Pass numbers, guarded by checkpoint_mutex_: completed <= started <= requested <= started + 1.
    std::uint64_t checkpoint_requested_ = 0;
    std::uint64_t checkpoint_started_ = 0;
    std::uint64_t checkpoint_completed_ = 0;
    bool checkpoint_stop_ = false;           // guarded by checkpoint_mutex_
    std::atomic<int> wal_frames_copied_{0};  // WAL frames the latest pass had copied back

    std::vector<std::unique_ptr<read_slot>> read_slots_;
    std::mutex readers_mutex_;
    std::condition_variable reader_returned_;
    std::vector<read_slot*> idle_readers_;  // guarded by readers_mutex_

    mutable std::mutex stats_mutex_;
    database_stats stats_;  // guarded by stats_mutex_

    std::mutex close_mutex_;     // serialises close() callers around the joins
    std::thread::id writer_id_;  // set by the constructor, then only read
    std::thread::id syncer_id_;  // set by the constructor, then only read
    // Started last and joined first (by close(), under close_mutex_).
    std::thread checkpointer_;
    std::thread syncer_;
    std::thread writer_;
};

}  // namespace writeen::store::sqlite
