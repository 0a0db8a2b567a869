#include "uploads/scanner_watch.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace writeen::uploads {

scanner_watch::scanner_watch(std::function<bool()> probe, std::function<void()> on_back, backoff waits)
    : probe_(std::move(probe)), on_back_(std::move(on_back)), waits_(waits), thread_([this] { run(); }) {}

scanner_watch::~scanner_watch() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void scanner_watch::lost(std::string reason) {
    {
        std::lock_guard lock(mutex_);
        if (!down_) spdlog::warn("virus scanner unreachable ({}): files stay pending until it answers", reason);
        down_ = true;
        waiting_ = true;
        reason_ = std::move(reason);
    }
    wake_.notify_all();
}

void scanner_watch::retry_later() {
    {
        std::lock_guard lock(mutex_);
        waiting_ = true;
    }
    wake_.notify_all();
}

void scanner_watch::answered() {
    {
        std::lock_guard lock(mutex_);
        if (!waiting_) return;
        answered_ = true;
    }
    wake_.notify_all();
}

bool scanner_watch::down() const {
    std::lock_guard lock(mutex_);
    return down_;
}

std::string scanner_watch::reason() const {
    std::lock_guard lock(mutex_);
    return reason_;
}

void scanner_watch::run() {
    std::chrono::milliseconds wait = waits_.first;
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || waiting_; });
        if (stopping_) return;
        // The backoff comes first: a scanner that just failed is not asked again at once.
        wake_.wait_for(lock, wait, [this] { return stopping_ || answered_; });
        if (stopping_) return;
        answered_ = false;
        lock.unlock();
        const bool up = probe_();
        lock.lock();
        if (stopping_) return;
        if (!up) {
            down_ = true;
            if (reason_.empty()) reason_ = "does not answer";
            wait = std::min(wait * 2, waits_.max);
            continue;
        }
        if (down_) spdlog::info("virus scanner answers again: scanning the files that waited");
        down_ = false;
        waiting_ = false;
        reason_.clear();
        wait = waits_.first;
        lock.unlock();
        // Outside the lock: on_back may report lost() again when a scan fails at once.
        on_back_();
        lock.lock();
    }
}

}  // namespace writeen::uploads
