#pragma once
// Watches the virus scanner while files wait for it. When clamd cannot be reached (down,
// restarting, killed mid-scan) the files stay `pending`; this probes clamd again and again,
// waiting longer each time (exponential backoff, capped), and once it answers calls back so
// that the waiting files are scanned, without anyone uploading them again. One thread, asleep
// while nothing waits.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace writeen::uploads {

/// Probes an unreachable scanner with backoff and reports when it is back. Thread-safe.
class scanner_watch {
public:
    /// Waits between two probes: first, doubled after each failed probe, never over max.
    struct backoff {
        std::chrono::milliseconds first{1000};
        std::chrono::milliseconds max{30000};
    };

    /// probe: true when the scanner answers (blocking is fine: it runs on the watch's thread).
    /// on_back: called on the watch's thread after a probe succeeded while files were waiting.
    scanner_watch(std::function<bool()> probe, std::function<void()> on_back, backoff waits);
    /// Stops probing and joins the thread (a probe under way is finished first).
    ~scanner_watch();
    scanner_watch(const scanner_watch&) = delete;
    scanner_watch& operator=(const scanner_watch&) = delete;

    /// The scanner could not be reached: files wait; probing starts (if it had not).
    void lost(std::string reason);
    /// Files wait although the scanner may be up (its queue was full, a scan broke off while
    /// clamd still answered): on_back runs after the next successful probe, the backoff apart.
    void retry_later();
    /// The scanner answered elsewhere (e.g. the readiness probe): waiting files go now.
    void answered();

    /// True from lost() until a probe succeeds.
    bool down() const;
    /// Why it is down ("" when up).
    std::string reason() const;

private:
    void run();

    std::function<bool()> probe_;
    std::function<void()> on_back_;
    const backoff waits_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool down_ = false;         // guarded by mutex_; the scanner failed and has not answered since
    bool waiting_ = false;      // guarded by mutex_; files wait for on_back
    bool answered_ = false;     // guarded by mutex_; a probe elsewhere succeeded: skip the wait
    bool stopping_ = false;     // guarded by mutex_
    std::string reason_;        // guarded by mutex_
    std::thread thread_;        // last: started once everything above exists
};

}  // namespace writeen::uploads
