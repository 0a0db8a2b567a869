#include "chat/consultation_steps.hpp"

#include <limits>

#include <boost/json/serialize.hpp>

#include "chat/posting.hpp"
#include "chat/receipts.hpp"
#include "model/clock.hpp"
#include "model/ids.hpp"
#include "proto/session_json.hpp"

namespace writeen::chat {
namespace json = boost::json;
namespace {

constexpr std::size_t max_preview_chars = 140;

std::string preview_of(std::string_view kind, const consultation_record& r) {
    std::string when = format_time(r.scheduled_start);
    std::string text;
    if (kind == "consultation_invite") text = "Konsultasi dikonfirmasi / confirmed: " + r.title + " (" + when + ")";
    else if (kind == "consultation_rescheduled") text = "Jadwal berubah / rescheduled: " + r.title + " (" + when + ")";
    else text = "Konsultasi dibatalkan / cancelled: " + r.title;
    // Bytes, cut on a character boundary: the webhook promises at most 140 characters.
    std::size_t chars = 0, i = 0;
    for (; i < text.size() && chars < max_preview_chars; ++chars) {
        ++i;
        while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
    }
    return text.substr(0, i);
}

}  // namespace

void post_step_message(store::transaction& tx, const conversation& c, const std::string& subject,
                       std::string_view action, json::object data, unix_ms now, consultation_change& out) {
    message m = post_system_message(tx, c, subject, action, std::move(data), now);
    if (auto u = tx.user(subject)) m.sender_name = u->name;
    message_view v;
    v.status = status_of(c, m);
    v.msg = std::move(m);
    out.posted.push_back(std::move(v));
    out.changed = true;
}

void queue_notifications(store::transaction& tx, const conversation& c, const consultation_record& consultation,
                         std::string_view kind, const std::vector<std::string>& users, unix_ms now) {
    for (const auto& user : users) {
        outbox_notification n;
        n.id = make_object_id();
        n.user_id = user;
        n.kind = std::string(kind);
        n.conversation_id = c.id;
        n.created_at = n.due_at = now;
        // The webhook body of API.md ("Notifications"): the sender posts it as it is.
        n.payload_json = json::serialize(json::object{{"id", n.id},
                                                      {"type", kind},
                                                      {"userId", user},
                                                      {"conversationId", c.id},
                                                      {"consultationId", consultation.consultation_id},
                                                      {"title", consultation.title},
                                                      {"preview", preview_of(kind, consultation)},
                                                      {"scheduledStart", format_time(consultation.scheduled_start)},
                                                      {"scheduledEnd", format_time(consultation.scheduled_end)},
                                                      {"count", 1},
                                                      {"createdAt", format_time(now)}});
        tx.insert_notification(n);
    }
}

term_counts background_of(store::reader& r, const std::string& conversation_id, std::int64_t first_seq) {
    term_counts background;
    if (first_seq <= 1) return background;
    r.for_each_message(conversation_id, std::max<std::int64_t>(1, first_seq - background_messages), first_seq - 1,
                       [&background](const message& m) {
                           if (m.type != message_type::system && !m.deleted_at) background.add_text(m.search_text);
                       });
    return background;
}

void close_session(store::transaction& tx, conversation& c, chat_session& s, const std::string& subject,
                   const term_counts* background, const std::optional<std::string>& session_notes,
                   std::vector<std::string> action_items, unix_ms now, consultation_change& out) {
    session_summary_builder builder(c.participants, std::move(action_items));
    tx.for_each_message(c.id, s.first_seq, std::numeric_limits<std::int64_t>::max(), [&builder](const message& m) { builder.add(m); });
    std::optional<term_counts> own;
    if (!background) background = &own.emplace(background_of(tx, c.id, s.first_seq));
    const session_summary summary = builder.finish(*background, s.start_time, now);

    json::object document = proto::summary_document(summary, session_notes);
    s.end_time = now;
    s.session_notes = session_notes.value_or("");
    s.summary_json = json::serialize(document);
    json::object data{{"consultationId", c.consultation_id},
                      {"sessionId", s.id},
                      {"startTime", format_time(s.start_time)},
                      {"endTime", format_time(now)}};
    for (auto& [key, value] : document) data[key] = std::move(value);
    // The summary message still belongs to the session: it is its last.
    post_step_message(tx, c, subject, "consultation_ended", std::move(data), now, out);
    s.last_seq = out.posted.back().msg.seq;
    tx.close_session(s);
    tx.set_open_session(c.id, "");
    c.open_session_id.clear();
}

void archive(store::transaction& tx, conversation& c, unix_ms now) {
    if (c.archived) return;
    c.archived = true;
    c.archived_at = now;
    tx.update_conversation(c);
    c.last_change_seq = tx.next_change_seq(c.id);
}

}  // namespace writeen::chat
