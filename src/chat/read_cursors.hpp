#pragma once
// Read and delivered cursors, and catching up: marking messages read or received (which tells
// their senders through message_status), and sync after a reconnect.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "chat/writer.hpp"
#include "hub/hub.hpp"
#include "model/types.hpp"
#include "store/store.hpp"

namespace writeen::chat {

struct read_cursor_view {
    std::string user_id;
    std::int64_t read_up_to_seq = 0;
    std::int64_t delivered_up_to_seq = 0;
};

struct sync_result {
    std::vector<message_view> messages;
    std::vector<message_view> changes;
    std::vector<read_cursor_view> read_cursors;
    std::int64_t last_seq = 0;
    std::int64_t last_change_seq = 0;
    bool has_more = false;
};

class read_cursors {
public:
    read_cursors(writer& w, hub::hub& hub) : writer_(w), db_(w.database()), hub_(hub) {}

    /// Moves the caller's read (or delivered) cursor forward to up_to_seq, or to the seq of
    /// message_id; completes with the cursor after the move.
    void mark(const auth::principal& who, const std::string& conversation_id, std::optional<std::int64_t> up_to_seq,
              std::optional<std::string> message_id, bool read, reply<std::int64_t> done);
    /// Messages after after_seq, and changes to older ones since after_change_seq (else since
    /// the message after_seq was stored), with every participant's cursors.
    sync_result sync(const auth::principal& who, const std::string& conversation_id, std::int64_t after_seq,
                     std::optional<std::int64_t> after_change_seq, int limit);

private:
    writer& writer_;
    store::database& db_;
    hub::hub& hub_;
};

}  // namespace writeen::chat
