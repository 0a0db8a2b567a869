#include "chat/posting.hpp"

#include <boost/json/serialize.hpp>

#include "chat/access.hpp"
#include "chat/fail.hpp"
#include "chat/receipts.hpp"
#include "model/clock.hpp"
#include "model/ids.hpp"

namespace writeen::chat {
namespace json = boost::json;

namespace {

/// True when reply_to names a message of the conversation.
bool reply_target_exists(store::reader& r, const std::string& reply_to, const std::string& conversation_id) {
    auto parent = r.find_message(reply_to);
    return parent && parent->conversation_id == conversation_id;
}

}  // namespace

std::optional<message_view> find_retry(store::reader& r, const auth::principal& who,
                                       const std::string& client_message_id, const std::string& conversation_id) {
    if (client_message_id.empty()) return std::nullopt;
    auto existing = r.find_message_by_client_id(who.user_id, client_message_id);
    if (!existing) return std::nullopt;
    if (existing->conversation_id != conversation_id)
        fail(error_code::conflict, "this clientMessageId is already used for a message in another conversation");
    auto c = r.find_conversation(existing->conversation_id);
    if (!c) return std::nullopt;
    return view_of(r, *c, std::move(*existing));
}

posted_message post_message(store::transaction& tx, const conversation& c, const auth::principal& who,
                            const message_draft& draft) {
    posted_message out;
    const auto answer_retry = [&out](message_view earlier) {
        out.view = std::move(earlier);
        out.duplicate = true;
        return std::move(out);
    };
    if (!draft.reply_to.empty() && !reply_target_exists(tx, draft.reply_to, c.id)) {
        // A retry of a reply whose target has gone since is still answered with the stored reply.
        if (auto earlier = find_retry(tx, who, draft.client_message_id, c.id)) return answer_retry(std::move(*earlier));
        fail(error_code::not_found, "replyTo names no message of this conversation");
    }
    message m;
    m.id = make_object_id();
    m.conversation_id = c.id;
    m.sender_id = who.user_id;
    m.type = draft.type;
    m.content_json = draft.content_json;
    m.search_text = draft.search_text;
    m.reply_to = draft.reply_to;
    m.client_message_id = draft.client_message_id;
    m.consultation_id = c.consultation_id;
    // While a consultation's session is open, everything said belongs to it (summary, transcript).
    m.session_id = c.open_session_id;
    m.created_at = m.updated_at = now_ms();
    try {
        // One statement on PostgreSQL for the change seq, the seq and the message.
        m.seq = tx.append_new_message(m);
    } catch (const store::duplicate_client_message&) {
        // A retry (possibly stored by another node a moment ago): the stored one is the answer,
        // or conflict when it is in another conversation. Looking it up only now, when the store
        // refused the insert, spares every new message a round trip. The refused insert changed
        // nothing the answer depends on, so the transaction goes on.
        auto earlier = find_retry(tx, who, draft.client_message_id, c.id);
        if (!earlier) throw;
        return answer_retry(std::move(*earlier));
    }
    m.sender_name = who.name;
    m.sender_avatar = who.avatar;
    out.view.status = status_of(c, m);
    out.view.msg = std::move(m);
    out.recipients = active_user_ids(c);
    return out;
}

message post_system_message(store::transaction& tx, const conversation& c, const std::string& subject,
                            std::string_view action, json::object data, unix_ms now) {
    message m;
    m.id = make_object_id();
    m.conversation_id = c.id;
    m.sender_id = subject;
    m.type = message_type::system;
    m.content_json =
        json::serialize(json::object{{"systemMessage", json::object{{"action", action}, {"data", std::move(data)}}}});
    m.created_at = m.updated_at = now;
    m.consultation_id = c.consultation_id;
    m.session_id = c.open_session_id;
    m.seq = tx.append_new_message(m);
    return m;
}

}  // namespace writeen::chat
