#pragma once
// Threads for blocking work (clamd scans, S3 transfers, libvips) so it never runs on the I/O
// threads. The queue is bounded: when the pool is saturated, callers learn it at once
// (try_post) instead of memory growing without bound.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace writeen::files {

/// A fixed set of threads draining a bounded FIFO of tasks. Thread-safe.
class worker_pool {
public:
    /// Receives an exception that escaped a task; runs on the worker thread.
    using error_handler = std::function<void(std::exception_ptr)>;

    /// Starts threads workers (≥ 1) with room for queue_capacity (≥ 1) waiting tasks. Tasks
    /// should handle their own errors; one that throws anyway is reported to on_error (by
    /// default printed to stderr) and the worker carries on.
    worker_pool(std::size_t threads, std::size_t queue_capacity, error_handler on_error = {});
    /// Runs the queued tasks to completion, then joins the threads (see stop()).
    ~worker_pool();
    worker_pool(const worker_pool&) = delete;
    worker_pool& operator=(const worker_pool&) = delete;

    /// Queues task unless the queue is full or the pool is stopping; returns whether it was
    /// queued. Never blocks: safe on I/O threads.
    bool try_post(std::function<void()> task);

    /// Queues task, waiting while the queue is full. Returns false only if the pool is stopping.
    /// Blocks: not for I/O threads.
    bool post(std::function<void()> task);

    /// Refuses new tasks, lets the workers finish what is queued, and joins them. Idempotent.
    /// Not from inside a task (a worker cannot join itself).
    void stop();

    /// Tasks waiting (not running); for metrics.
    std::size_t queued() const;

private:
    void run();

    const std::size_t capacity_;
    error_handler on_error_;
    mutable std::mutex mutex_;
    std::condition_variable not_empty_;
    std::condition_variable not_full_;
    std::deque<std::function<void()>> queue_;  // guarded by mutex_
    bool stopping_ = false;                     // guarded by mutex_
    std::vector<std::thread> threads_;          // touched only by the constructor and stop()
    std::once_flag joined_;
};

}  // namespace writeen::files
