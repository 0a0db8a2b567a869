#pragma once
// Every acknowledgement the server gave, one line each, for checks after the run (scripts/chaos.sh
// compares it with what the database holds after the server was killed and restarted).
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace loadgen {

class ack_log {
public:
    /// Appends to path (a run restarted against the same data adds to the same log).
    explicit ack_log(const std::string& path);
    ~ack_log();
    ack_log(const ack_log&) = delete;
    ack_log& operator=(const ack_log&) = delete;

    /// "conversationId seq messageId clientMessageId\n"; called from every worker thread.
    void record(std::string_view conversation_id, std::uint64_t seq, std::string_view message_id,
                std::string_view client_message_id);

private:
    std::mutex mutex_;
    std::FILE* file_ = nullptr;
};

}  // namespace loadgen
