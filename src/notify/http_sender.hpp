#pragma once
// Sends many HTTP POSTs at once on the calling thread with libcurl's multi interface: a
// receiver that hangs holds one slot until its timeout, never the others. No redirects are
// followed. Used only by the notifier's thread.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace writeen::notify {

/// One POST to make.
struct http_post {
    std::int64_t tag = 0;  // the caller's id of the send, returned with its result
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// "host:port:address" pins the host to an address the caller checked (CURLOPT_RESOLVE),
    /// so the name is not looked up again between the check and the connect; empty: none.
    std::string pinned_address;
};

/// How a POST ended: an HTTP status, or 0 with the transport's error.
struct http_result {
    std::int64_t tag = 0;
    long status = 0;
    std::string error;  // empty when an HTTP answer came
};

struct http_sender_options {
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds total_timeout{15000};
    std::size_t max_in_flight = 64;
};

class http_sender {
public:
    explicit http_sender(http_sender_options options = {});
    ~http_sender();
    http_sender(const http_sender&) = delete;
    http_sender& operator=(const http_sender&) = delete;

    /// Free slots for start().
    std::size_t free_slots() const { return options_.max_in_flight - in_flight(); }
    std::size_t in_flight() const;
    /// Starts a POST; false (nothing started) when every slot is taken.
    bool start(http_post post);
    /// Runs the transfers for at most `wait` (less when one ends) and returns those that ended.
    std::vector<http_result> poll(std::chrono::milliseconds wait);

private:
    struct transfer;
    http_sender_options options_;
    void* multi_;  // CURLM*
    std::vector<transfer*> transfers_;
};

}  // namespace writeen::notify
