#include "files/worker_pool.hpp"

#include <cstdio>
#include <stdexcept>

namespace writeen::files {

worker_pool::worker_pool(std::size_t threads, std::size_t queue_capacity, error_handler on_error)
    : capacity_(queue_capacity), on_error_(std::move(on_error)) {
    if (threads == 0 || queue_capacity == 0) throw std::invalid_argument("worker_pool needs threads and queue room");
    if (!on_error_) {
        on_error_ = [](std::exception_ptr e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                std::fprintf(stderr, "worker_pool: task failed: %s\n", ex.what());
            } catch (...) {
                std::fprintf(stderr, "worker_pool: task failed with a non-standard exception\n");
            }
        };
    }
    threads_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

worker_pool::~worker_pool() { stop(); }

bool worker_pool::try_post(std::function<void()> task) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() >= capacity_) return false;
        queue_.push_back(std::move(task));
    }
    not_empty_.notify_one();
    return true;
}

bool worker_pool::post(std::function<void()> task) {
    {
        std::unique_lock lock(mutex_);
        not_full_.wait(lock, [this] { return stopping_ || queue_.size() < capacity_; });
        if (stopping_) return false;
        queue_.push_back(std::move(task));
    }
    not_empty_.notify_one();
    return true;
}

void worker_pool::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    not_empty_.notify_all();
    not_full_.notify_all();
    std::call_once(joined_, [this] {
        for (auto& t : threads_) {
            if (t.joinable()) t.join();
        }
    });
}

std::size_t worker_pool::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void worker_pool::run() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(mutex_);
            not_empty_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
            task = std::move(queue_.front());
            queue_.pop_front();
        }
        not_full_.notify_one();
        try {
            task();
        } catch (...) {
            on_error_(std::current_exception());
        }
    }
}

}  // namespace writeen::files
