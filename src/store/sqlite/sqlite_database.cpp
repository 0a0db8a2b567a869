#include "store/sqlite/sqlite_database.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <utility>

#include "model/clock.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_queries.hpp"

namespace writeen::store::sqlite {
namespace {

// Statements of the writer's batch. A fixed savepoint name suffices: each work's savepoint is
// released or rolled back before the next work starts.
constexpr const char* sql_begin_batch = "BEGIN IMMEDIATE";
constexpr const char* sql_commit = "COMMIT";
constexpr const char* sql_rollback = "ROLLBACK";
constexpr const char* sql_savepoint = "SAVEPOINT work";
constexpr const char* sql_release = "RELEASE work";
constexpr const char* sql_rollback_to = "ROLLBACK TO work";

// Readers: a deferred transaction pins one WAL snapshot for everything fn reads.
constexpr const char* sql_begin_read = "BEGIN";
constexpr const char* sql_end_read = "COMMIT";
constexpr const char* sql_ping = "SELECT 1";

constexpr const char* sql_journal_mode = "PRAGMA journal_mode = WAL";

// Waiting up to 5 s for a lock held by another process (a backup, the sqlite3 shell) beats
// failing at once; beyond that the caller gets `unavailable`.
constexpr const char* pragmas_common =
    "PRAGMA busy_timeout = 5000;"
    "PRAGMA temp_store = MEMORY;";
// 64 MiB of page cache for the writer (indexes of hot conversations stay in memory), a WAL
// file truncated back to 64 MiB after checkpoints so it does not keep its peak size.
constexpr const char* pragmas_writer =
    "PRAGMA foreign_keys = ON;"
    "PRAGMA cache_size = -65536;"
    "PRAGMA journal_size_limit = 67108864;";
constexpr const char* pragma_synchronous_normal = "PRAGMA synchronous = NORMAL";
constexpr const char* pragmas_reader = "PRAGMA cache_size = -16384;";

// A background checkpoint pass starts once the WAL holds this many frames (pages) not yet copied
// back. Fewer, larger passes copy each hot page (counters, index leaves of busy conversations)
// once for many commits.
constexpr int checkpoint_after_frames = 4096;
// Past this many frames (32 MiB of 4 KiB pages) the writer restarts the WAL from its beginning.
// Under a steady load the background passes never catch up with a writer that keeps committing,
// and the WAL would otherwise grow without bound. So right after a commit the writer asks for a
// pass, which runs while the writer waits for the fsync and the pause between commits anyway;
// before its next transaction it waits for the rest of that pass, and that transaction, finding
// every frame copied back, restarts the WAL.
constexpr int wal_restart_frames = 8192;
// A checkpoint that cannot finish in this time (a reader holding an old snapshot) is not waited
// for any longer: the WAL keeps growing a little and the next batch tries again.
constexpr auto checkpoint_wait_limit = std::chrono::seconds(2);
// While the open batch cannot be committed (an fsync runs, or the pause between commits), a newly
// queued work does not wake the writer: on a busy core each wake-up is a pair of context switches
// per message. The end of the fsync or of the pause does, or a queue this long.
constexpr std::size_t wake_writer_at = 64;

sqlite_options normalized(sqlite_options options) {
    options.read_connections = std::max(options.read_connections, 1);
    options.max_batch = std::max(options.max_batch, 1);
    return options;
}

// A completion that throws is a bug of the caller; letting it unwind through the writer would
// stop every later write, so it ends the program where the bug is visible.
void complete(const write_done& done, std::exception_ptr error) noexcept {
    if (done) done(std::move(error));
}

// What every work of a batch gets when the batch cannot commit: `unavailable`, whatever broke,
// since the works themselves may have been fine.
std::exception_ptr batch_failure(const char* what, const std::exception& cause) {
    return std::make_exception_ptr(unavailable(std::string{what} + ": " + cause.what()));
}

std::string describe(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown error";
    }
}

}  // namespace

struct sqlite_database::read_slot {
    explicit read_slot(const std::string& path) : db(path, true), queries(db) {}
    connection db;
    sqlite_queries queries;
};

sqlite_database::sqlite_database(const sqlite_options& options) : options_(normalized(options)) {
    writer_db_ = std::make_unique<connection>(options_.path, false);
    {
        auto q = writer_db_->prepare(sql_journal_mode);
        const bool wal = q.step() && q.text_view_at(0) == "wal";
        if (!wal)
            throw unavailable("sqlite: " + options_.path +
                              " cannot use WAL journaling (it must be a file on a local file system)");
    }
    writer_db_->exec(pragmas_common, "configure writer");
    writer_db_->exec(pragmas_writer, "configure writer");
    // NORMAL: COMMIT itself does not fsync. With synchronous_full the sync thread fsyncs the WAL
    // before any completion runs (see the class comment); checkpoints always sync in WAL mode.
    writer_db_->exec(pragma_synchronous_normal, "configure writer");
    apply_migrations(*writer_db_, now_ms());
    writer_queries_ = std::make_unique<sqlite_queries>(*writer_db_);

    for (int i = 0; i < options_.read_connections; ++i) {
        auto slot = std::make_unique<read_slot>(options_.path);
        slot->db.exec(pragmas_common, "configure reader");
        slot->db.exec(pragmas_reader, "configure reader");
        idle_readers_.push_back(slot.get());
        read_slots_.push_back(std::move(slot));
    }

    checkpoint_db_ = std::make_unique<connection>(options_.path, false);
    checkpoint_db_->exec(pragmas_common, "configure checkpointer");
    checkpoint_db_->exec(pragma_synchronous_normal, "configure checkpointer");
    // The hook replaces SQLite's automatic checkpoint on commit: the checkpointer does it.
    sqlite3_wal_hook(writer_db_->handle(), &sqlite_database::on_wal_commit, this);

    if (options_.synchronous_full) {
        // fdatasync flushes a file's data whichever descriptor names it, so a descriptor of our
        // own reaches the frames SQLite wrote. The WAL exists since the migrations' transaction
        // and stays (same inode) while this object holds connections.
        const std::string wal_path = options_.path + "-wal";
        wal_fd_ = ::open(wal_path.c_str(), O_RDONLY | O_CLOEXEC);
        if (wal_fd_ < 0) throw unavailable("sqlite: cannot open " + wal_path + ": " + std::strerror(errno));
    }

    checkpointer_ = std::thread([this] { run_checkpointer(); });
    if (options_.synchronous_full) {
        syncer_ = std::thread([this] { run_syncer(); });
        syncer_id_ = syncer_.get_id();
    }
    writer_ = std::thread([this] { run_writer(); });
    writer_id_ = writer_.get_id();
}

sqlite_database::~sqlite_database() {
    close();
    if (wal_fd_ >= 0) ::close(wal_fd_);
}

void sqlite_database::submit(write_work work, write_done done) {
    {
        std::unique_lock lock(queue_mutex_);
        if (!closing_) {
            queue_.push_back(pending_write{std::move(work), std::move(done), nullptr});
            const bool wake = queue_.size() >= wake_writer_at || may_commit(clock::now());
            // Notified after unlocking so the writer does not wake into a held mutex.
            lock.unlock();
            if (wake) queue_ready_.notify_one();
            return;
        }
    }
    complete(done, std::make_exception_ptr(unavailable("sqlite: the database is closed")));
}

bool sqlite_database::may_commit(clock::time_point now) const { return sync_idle() && now >= hold_until_; }

bool sqlite_database::writer_has_work(clock::time_point now) const {
    if (closing_) return true;
    // Queued works wait while the open batch could not be committed anyway (an fsync runs, or the
    // pause between commits), unless enough have gathered to be worth a wake-up.
    if (!queue_.empty() && (queue_.size() >= wake_writer_at || may_commit(now))) return true;
    return !open_batch_.empty() && may_commit(now);
}

void sqlite_database::run_writer() {
    const auto max_batch = static_cast<std::size_t>(options_.max_batch);
    for (;;) {
        std::vector<pending_write> taken;
        {
            std::unique_lock lock(queue_mutex_);
            for (auto now = clock::now(); !writer_has_work(now); now = clock::now()) {
                // Before the pause ends, wake at its end; after, the syncer or submit() wakes us.
                if (now < hold_until_) queue_ready_.wait_until(lock, hold_until_);
                else queue_ready_.wait(lock);
            }
            if (queue_.empty() && open_batch_.empty()) return;  // closing, and everything is done
            const auto n = std::min(queue_.size(), max_batch - open_batch_.size());
            taken.reserve(n);
            std::move(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n),
                      std::back_inserter(taken));
            queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
        }
        for (pending_write& w : taken) run_work(std::move(w));
        // Commit once nothing more is waiting (works that arrived meanwhile join this batch:
        // under load batches grow, which is what keeps the cost per message low), an fsync could
        // start on it right away and the pause after the previous commit is over.
        bool commit_now = open_batch_.size() >= max_batch;
        if (!commit_now) {
            std::lock_guard lock(queue_mutex_);
            commit_now = closing_ || (queue_.empty() && may_commit(clock::now()));
        }
        if (commit_now && !open_batch_.empty()) {
            finish_batch();
            std::lock_guard lock(queue_mutex_);
            hold_until_ = clock::now() + options_.commit_interval;
        }
    }
}

void sqlite_database::run_work(pending_write w) {
    connection& db = *writer_db_;
    if (open_batch_.empty()) {
        // Between transactions: the moment a checkpoint may let the next one restart the WAL.
        if (restart_pass_) {
            wait_for_checkpoint(*restart_pass_);
            restart_pass_.reset();
        }
        try {
            if (storage_failed_.load()) throw unavailable("an fsync of the WAL failed earlier");
            db.prepare(sql_begin_batch).run();
        } catch (const std::exception& e) {
            open_batch_error_ = batch_failure("batch not begun", e);
        }
    }
    if (!open_batch_error_) {
        try {
            db.prepare(sql_savepoint).run();
            try {
                w.work(*writer_queries_);
                db.prepare(sql_release).run();
            } catch (...) {
                w.error = std::current_exception();
                // Some failures (disk full, I/O error) make SQLite roll back the whole
                // transaction: then the works before this one are lost too.
                if (!db.in_transaction()) throw unavailable(describe(w.error));
                db.prepare(sql_rollback_to).run();
                db.prepare(sql_release).run();
            }
        } catch (const std::exception& e) {
            open_batch_error_ = batch_failure("batch rolled back", e);
        }
    }
    open_batch_.push_back(std::move(w));
    // A broken transaction ends the batch now; the next work starts a new one.
    if (open_batch_error_) finish_batch();
}

void sqlite_database::finish_batch() {
    connection& db = *writer_db_;
    bool committed = false;
    if (!open_batch_error_) {
        try {
            writer_queries_->index_new_messages();
            const auto commit_start = std::chrono::steady_clock::now();
            db.prepare(sql_commit).run();
            committed = true;
            if (wal_frames_ >= wal_restart_frames) restart_pass_ = request_checkpoint();
            add_stats(open_batch_.size(),
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - commit_start).count(),
                      true);
        } catch (const std::exception& e) {
            open_batch_error_ = batch_failure("batch not committed", e);
        }
    }
    if (!committed) {
        if (db.in_transaction()) sqlite3_exec(db.handle(), sql_rollback, nullptr, nullptr, nullptr);
        // Nothing of the batch is durable, whatever each work did.
        for (pending_write& w : open_batch_) w.error = open_batch_error_;
        add_stats(open_batch_.size(), 0, true);
    }
    std::vector<pending_write> batch = std::move(open_batch_);
    open_batch_.clear();
    open_batch_error_ = nullptr;
    if (options_.synchronous_full) {
        {
            std::lock_guard lock(queue_mutex_);
            unsynced_.push_back(finished_batch{std::move(batch), committed});
        }
        sync_ready_.notify_one();
    } else {
        acknowledge(std::move(batch));
    }
}

void sqlite_database::run_syncer() {
    for (;;) {
        std::deque<finished_batch> ready;
        {
            std::unique_lock lock(queue_mutex_);
            sync_ready_.wait(lock, [this] { return sync_stop_ || !unsynced_.empty(); });
            if (unsynced_.empty()) return;  // stopping, and every batch is acknowledged
            ready.swap(unsynced_);
            syncing_ = true;
        }
        // One fdatasync covers every batch committed before it started.
        std::exception_ptr sync_error;
        const bool any_committed =
            std::any_of(ready.begin(), ready.end(), [](const auto& b) { return b.committed; });
        if (any_committed) {
            const auto start = std::chrono::steady_clock::now();
            if (::fdatasync(wal_fd_) != 0) {
                const int code = errno;
                storage_failed_.store(true);
                sync_error = std::make_exception_ptr(
                    unavailable(std::string{"sqlite: fsync of the WAL failed: "} + std::strerror(code)));
            }
            add_stats(0, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                      false);
        }
        {
            std::lock_guard lock(queue_mutex_);
            syncing_ = false;
        }
        queue_ready_.notify_one();  // the writer may be holding a batch, or works, for this moment
        std::vector<pending_write> synced;
        for (finished_batch& b : ready)
            for (pending_write& w : b.writes) {
                if (b.committed && sync_error) w.error = sync_error;
                synced.push_back(std::move(w));
            }
        acknowledge(std::move(synced));
    }
}

void sqlite_database::acknowledge(std::vector<pending_write> writes) {
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
    // std::function needs a copyable callable: the batch travels behind a shared pointer.
    auto batch = std::make_shared<std::vector<pending_write>>(std::move(writes));
    run([batch] {
        for (pending_write& w : *batch) complete(w.done, std::move(w.error));
    });
}

void sqlite_database::run_completions_on(completion_runner run) {
    std::lock_guard lock(queue_mutex_);
    completion_runner_ = std::move(run);
}

void sqlite_database::add_stats(std::size_t writes, double seconds, bool new_batch) {
    std::lock_guard lock(stats_mutex_);
    if (new_batch) ++stats_.batches;
    stats_.writes += writes;
    stats_.commit_seconds_total += seconds;
}

int sqlite_database::on_wal_commit(void* self, sqlite3*, const char*, int frames) {
    auto& owner = *static_cast<sqlite_database*>(self);
    owner.wal_frames_ = frames;
    // Fewer frames than were copied back means the WAL restarted: nothing of it is copied yet.
    int copied = owner.wal_frames_copied_.load();
    if (frames < copied) copied = 0;
    if (frames - copied >= checkpoint_after_frames) owner.request_checkpoint();
    return SQLITE_OK;
}

std::uint64_t sqlite_database::request_checkpoint() {
    std::uint64_t pass = 0;
    {
        std::lock_guard lock(checkpoint_mutex_);
        // A pass not yet started will cover everything committed so far: one pending is enough.
        if (checkpoint_requested_ == checkpoint_started_) ++checkpoint_requested_;
        pass = checkpoint_requested_;
    }
    checkpoint_changed_.notify_all();
    return pass;
}

void sqlite_database::wait_for_checkpoint(std::uint64_t pass) {
    std::unique_lock lock(checkpoint_mutex_);
    checkpoint_changed_.wait_for(lock, checkpoint_wait_limit,
                                 [&] { return checkpoint_completed_ >= pass || checkpoint_stop_; });
}

void sqlite_database::run_checkpointer() {
    for (;;) {
        std::uint64_t pass = 0;
        {
            std::unique_lock lock(checkpoint_mutex_);
            checkpoint_changed_.wait(
                lock, [this] { return checkpoint_stop_ || checkpoint_requested_ > checkpoint_started_; });
            if (checkpoint_stop_) return;
            pass = checkpoint_started_ = checkpoint_requested_;
        }
        // PASSIVE: copies what no reader still needs and never blocks the writer or the readers.
        // A failure (busy, I/O) leaves the frames in the WAL for the next pass; the writer's own
        // commits report storage errors to callers.
        int frames = 0;
        int copied = 0;
        if (sqlite3_wal_checkpoint_v2(checkpoint_db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames,
                                      &copied) == SQLITE_OK)
            wal_frames_copied_.store(copied);
        {
            std::lock_guard lock(checkpoint_mutex_);
            checkpoint_completed_ = pass;
        }
        checkpoint_changed_.notify_all();
    }
}

sqlite_database::read_slot& sqlite_database::acquire_reader() {
    std::unique_lock lock(readers_mutex_);
    reader_returned_.wait(lock, [this] { return !idle_readers_.empty(); });
    read_slot* slot = idle_readers_.back();
    idle_readers_.pop_back();
    return *slot;
}

void sqlite_database::release_reader(read_slot& slot) {
    {
        std::lock_guard lock(readers_mutex_);
        idle_readers_.push_back(&slot);
    }
    reader_returned_.notify_one();
}

void sqlite_database::read(const std::function<void(reader&)>& fn) {
    read_slot& slot = acquire_reader();
    struct lease {
        sqlite_database& owner;
        read_slot& slot;
        ~lease() {
            // Ends the snapshot even when fn threw, so the connection goes back clean and no old
            // snapshot holds back WAL checkpoints.
            if (slot.db.in_transaction())
                sqlite3_exec(slot.db.handle(), sql_rollback, nullptr, nullptr, nullptr);
            owner.release_reader(slot);
        }
    } guard{*this, slot};
    slot.db.prepare(sql_begin_read).run();
    fn(slot.queries);
    slot.db.prepare(sql_end_read).run();
}

bool sqlite_database::healthy() {
    if (storage_failed_.load()) return false;
    {
        std::lock_guard lock(queue_mutex_);
        if (closing_) return false;
    }
    read_slot& slot = acquire_reader();
    bool ok = false;
    try {
        auto q = slot.db.prepare(sql_ping);
        ok = q.step() && q.int_at(0) == 1;
    } catch (const std::exception&) {
        ok = false;  // the answer is the report: storage does not answer
    }
    release_reader(slot);
    return ok;
}

database_stats sqlite_database::stats() const {
    std::lock_guard lock(stats_mutex_);
    return stats_;
}

void sqlite_database::close() {
    {
        std::lock_guard lock(queue_mutex_);
        closing_ = true;
    }
    queue_ready_.notify_all();
    // From a completion (on the writer or sync thread) those threads cannot be joined; they stop
    // once everything queued is done and the destructor joins them.
    const auto me = std::this_thread::get_id();
    if (me == writer_id_ || me == syncer_id_) return;

    std::lock_guard close_lock(close_mutex_);
    if (writer_.joinable()) writer_.join();
    {
        std::lock_guard lock(queue_mutex_);
        sync_stop_ = true;
    }
    sync_ready_.notify_all();
    if (syncer_.joinable()) syncer_.join();
    {
        std::lock_guard lock(checkpoint_mutex_);
        checkpoint_stop_ = true;
    }
    checkpoint_changed_.notify_all();
    if (checkpointer_.joinable()) checkpointer_.join();
}

std::unique_ptr<database> open_sqlite(const sqlite_options& options) {
    // SQLite's memory statistics take a global mutex on every allocation: about a tenth of the
    // writer's time per message. Nothing reads them. This only works before SQLite initialises,
    // that is before the process opens its first database; later calls change nothing.
    static const int memory_statistics_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    static_cast<void>(memory_statistics_off);
    return std::make_unique<sqlite_database>(options);
}

}  // namespace writeen::store::sqlite
