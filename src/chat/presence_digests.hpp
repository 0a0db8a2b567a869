#pragma once
// Presence changes in large conversations, gathered between flushes. In a conversation of
// thousands of members an announcement per change to every member is n² frames while they all
// connect (a lecture starting); instead each such conversation collects the latest state of every
// member who changed, and a timer sends it as one presence_digest to the sockets viewing it.

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/types.hpp"
#include "proto/chat_events.hpp"

namespace writeen::chat {

struct conversation_digest {
    std::string conversation_id;
    std::vector<proto::presence_change> changes;  // one per user: their latest, by user id
};

/// Thread-safe: changes come from whichever thread a socket attaches on, the flush from a timer.
class presence_digests {
public:
    /// Records the user's latest state in the conversation's pending digest (replacing an older one).
    void add(const std::string& conversation_id, const std::string& user_id, std::string_view status,
             unix_ms last_seen);
    /// Every pending digest, emptied; conversations in id order, changes by user id.
    std::vector<conversation_digest> take();

private:
    struct state {
        std::string status;
        unix_ms last_seen = 0;
    };
    std::mutex mutex_;
    // conversation id → user id → latest state; guarded by mutex_
    std::unordered_map<std::string, std::unordered_map<std::string, state>> pending_;
};

}  // namespace writeen::chat
