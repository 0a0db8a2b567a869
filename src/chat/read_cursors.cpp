#include "chat/read_cursors.hpp"

#include <algorithm>

#include "chat/access.hpp"
#include "chat/fail.hpp"
#include "chat/receipts.hpp"
#include "model/clock.hpp"
#include "proto/chat_events.hpp"

namespace writeen::chat {

void read_cursors::mark(const auth::principal& who, const std::string& conversation_id,
                        std::optional<std::int64_t> up_to_seq, std::optional<std::string> message_id, bool read,
                        reply<std::int64_t> done) {
    if (up_to_seq && *up_to_seq < 0) fail(error_code::unprocessable, "upToSeq must not be negative");
    if (!up_to_seq && !message_id) fail(error_code::bad_request, "upToSeq or messageId is required");
    struct outcome {
        std::int64_t cursor = 0;
        std::int64_t change_seq = 0;
        std::vector<status_change> status;
    };
    writer_.write<outcome>(
        [who, conversation_id, up_to_seq, message_id, read](store::transaction& tx, outcome& out) {
            auto c = tx.find_conversation(conversation_id);
            require_active(c ? &*c : nullptr, who);
            std::int64_t target = up_to_seq.value_or(0);
            if (message_id) {
                auto m = tx.find_message(*message_id);
                if (!m || m->conversation_id != conversation_id) fail(error_code::not_found, "message not found");
                target = m->seq;
            }
            target = std::min(target, c->last_seq);
            const unix_ms now = now_ms();
            const bool moved = read ? tx.advance_read_cursor(conversation_id, who.user_id, target, now)
                                    : tx.advance_delivered_cursor(conversation_id, who.user_id, target, now);
            const participant* me = c->find_participant(who.user_id);
            out.cursor = read ? me->read_up_to_seq : me->delivered_up_to_seq;
            if (!moved) return;
            out.change_seq = tx.next_change_seq(conversation_id);
            // The move is known exactly (target is within last_seq and ahead of the cursor), so
            // the conversation after it is derived rather than read again with every participant.
            conversation after = *c;
            auto mine = std::find_if(after.participants.begin(), after.participants.end(),
                                     [&](const participant& p) { return p.user_id == who.user_id; });
            if (read) {
                mine->read_up_to_seq = target;
                mine->delivered_up_to_seq = std::max(mine->delivered_up_to_seq, target);
            } else {
                mine->delivered_up_to_seq = target;
            }
            after.last_change_seq = out.change_seq;
            out.cursor = target;
            out.status = status_changes(tx, *c, after, who.user_id, read);
        },
        [this](outcome& out) {
            for (const auto& change : out.status)
                hub_.send_to_users({change.sender_id}, proto::message_status_event(change.view, out.change_seq));
        },
        reply<outcome>([done = std::move(done)](std::exception_ptr e, outcome out) { done(e, out.cursor); }));
}

sync_result read_cursors::sync(const auth::principal& who, const std::string& conversation_id, std::int64_t after_seq,
                               std::optional<std::int64_t> after_change_seq, int limit) {
    sync_result out;
    db_.read([&](store::reader& r) {
        auto c = r.find_conversation(conversation_id);
        require_visible(c ? &*c : nullptr, who);
        auto ms = r.list_messages(conversation_id, store::message_query{.after_seq = after_seq, .limit = limit});
        if (static_cast<int>(ms.size()) > limit) {
            out.has_more = true;
            ms.resize(limit);
        }
        const std::int64_t since =
            after_change_seq ? *after_change_seq : r.change_seq_of_message(conversation_id, after_seq);
        auto changed = after_seq > 0 ? r.changed_messages(conversation_id, after_seq, since) : std::vector<message>{};
        out.messages = views_for(r, who, *c, std::move(ms));
        out.changes = views_for(r, who, *c, std::move(changed));
        for (const auto& p : c->participants)
            out.read_cursors.push_back({p.user_id, p.read_up_to_seq, p.delivered_up_to_seq});
        out.last_seq = c->last_seq;
        out.last_change_seq = c->last_change_seq;
    });
    return out;
}

}  // namespace writeen::chat
