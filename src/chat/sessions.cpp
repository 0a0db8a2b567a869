#include "chat/sessions.hpp"

#include <future>
#include <limits>

#include <boost/json/array.hpp>

#include "chat/access.hpp"
#include "chat/fail.hpp"
#include "model/clock.hpp"
#include "proto/session_json.hpp"

namespace writeen::chat {
namespace json = boost::json;

std::vector<chat_session> sessions::list(const auth::principal& who, const std::string& conversation_id) {
    std::vector<chat_session> out;
    db_.read([&](store::reader& r) {
        auto c = r.find_conversation(conversation_id);
        require_visible(c ? &*c : nullptr, who);
        out = r.sessions_of(conversation_id);
    });
    return out;
}

void sessions::rate(const auth::principal& who, const std::string& session_id, int rating, std::string comment,
                    reply<chat_session> done) {
    if (who.role == role::service) fail(error_code::forbidden, "service tokens cannot rate sessions");
    if (rating < 1 || rating > 5) fail(error_code::unprocessable, "rating must be an integer from 1 to 5");
    writer_.write<chat_session>(
        [who, session_id, rating, comment = std::move(comment)](store::transaction& tx, chat_session& out) {
            auto s = tx.find_session(session_id);
            auto c = s ? tx.find_conversation(s->conversation_id) : std::nullopt;
            require_visible(c ? &*c : nullptr, who, "session not found");
            if (s->open()) fail(error_code::conflict, "the session is still open; rate it after it ended");
            tx.upsert_rating(session_id, who.user_id, rating, comment, now_ms());
            out = *tx.find_session(session_id);
        },
        [](chat_session&) {}, std::move(done));
}

json::object sessions::transcript_body(const auth::principal& who, const std::string& session_id) {
    json::object body;
    db_.read([&](store::reader& r) {
        auto s = r.find_session(session_id);
        auto c = s ? r.find_conversation(s->conversation_id) : std::nullopt;
        if (who.role != role::service) require_visible(c ? &*c : nullptr, who, "session not found");
        if (!s || !c) fail(error_code::not_found, "session not found");
        if (s->open()) fail(error_code::conflict, "the session is still open; its transcript exists once it ended");
        json::array participants;
        for (const auto& p : c->participants) participants.push_back(proto::transcript_participant_json(p));
        json::array messages;
        r.for_each_message(c->id, s->first_seq, s->last_seq, [&](const message& m) {
            if (m.session_id == s->id) messages.push_back(proto::transcript_message_json(m));
        });
        body = json::object{{"conversationId", c->id},
                            {"consultationId", s->consultation_id},
                            {"session", proto::session_json(*s)},
                            {"participants", std::move(participants)},
                            {"messages", std::move(messages)}};
    });
    return body;
}

std::vector<transcript_key> sessions::transcript_keys() {
    std::vector<transcript_key> keys;
    db_.read([&](store::reader& r) { keys = r.transcript_keys(); });
    return keys;
}

void sessions::register_transcript_key(const transcript_key& key) {
    std::promise<void> committed;
    db_.submit([key](store::transaction& tx) { tx.insert_transcript_key(key); },
               [&committed](std::exception_ptr e) {
                   if (e) committed.set_exception(e);
                   else committed.set_value();
               });
    committed.get_future().get();
}

}  // namespace writeen::chat
