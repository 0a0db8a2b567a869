#include "chat/consultations.hpp"

#include <algorithm>
#include <unordered_set>

#include "chat/access.hpp"
#include "chat/consultation_steps.hpp"
#include "chat/conversation_views.hpp"
#include "chat/fail.hpp"
#include "model/clock.hpp"
#include "model/ids.hpp"
#include "proto/chat_events.hpp"

namespace writeen::chat {
namespace json = boost::json;
namespace {

json::array strings(const std::vector<std::string>& v) {
    json::array out;
    for (const auto& s : v) out.push_back(json::value(s));
    return out;
}

/// The tutor first, then the students: who the consultation says takes part.
std::vector<std::string> members_of(const consultation_record& r) {
    std::vector<std::string> out{r.tutor_id};
    out.insert(out.end(), r.student_ids.begin(), r.student_ids.end());
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

/// Records what participants[] says about users the chat has not heard of from a token.
void remember_profiles(store::transaction& tx, const consultation_request& request) {
    for (const auto& id : members_of(consultation_record{.tutor_id = request.tutor_id, .student_ids = request.student_ids})) {
        auto known = tx.user(id);
        if (known && known->name != known->id) continue;  // a token said more than we know
        auto given = std::find_if(request.profiles.begin(), request.profiles.end(),
                                  [&](const user_profile& p) { return p.id == id; });
        user_profile p = given != request.profiles.end() ? *given : user_profile{.id = id, .name = id};
        p.role = id == request.tutor_id ? role::tutor : role::student;
        if (p.name.empty()) p.name = id;
        tx.upsert_user(p);
    }
}

json::object schedule_json(const consultation_record& r) {
    return json::object{{"title", r.title},
                        {"scheduledStart", format_time(r.scheduled_start)},
                        {"scheduledEnd", format_time(r.scheduled_end)}};
}

/// The new record of a consultation confirmed again.
consultation_record updated(consultation_record r, const consultation_request& request, unix_ms now) {
    r.title = request.title;
    r.tutor_id = request.tutor_id;
    r.student_ids = request.student_ids;
    r.scheduled_start = request.scheduled_start;
    r.scheduled_end = request.scheduled_end;
    r.updated_at = now;
    return r;
}

void finish_views(store::transaction& tx, const std::string& conversation_id, const auth::principal& who,
                  consultation_change& out) {
    out.conv = *tx.find_conversation(conversation_id);
    out.notify = active_user_ids(out.conv);
    out.shared = shared_view(tx, out.conv);
    out.answer = viewer_view(tx, out.conv, who.user_id);
}

}  // namespace

void require_service(const auth::principal& who) {
    if (who.role != role::service) fail(error_code::forbidden, "only the consultation service may do this");
}

consultation_record consultations::find(const std::string& consultation_id) {
    std::optional<consultation_record> r;
    db_.read([&](store::reader& reader) { r = reader.find_consultation(consultation_id); });
    if (!r) fail(error_code::not_found, "no such consultation");
    return *r;
}

void consultations::broadcast(const consultation_change& out) {
    if (!out.changed) return;
    for (const auto& m : out.posted) hub_.send_to_users(out.notify, proto::message_received_event(m));
    auto users = active_user_ids(out.conv);
    users.insert(users.end(), out.former_ones.begin(), out.former_ones.end());
    hub_.send_to_users(std::move(users), proto::conversation_updated_event(out.shared));
}

void consultations::confirm(const auth::principal& who, const std::string& consultation_id,
                            consultation_request request, reply<confirmed_consultation> done) {
    require_service(who);
    // Known before the work runs, so the writer keeps the conversation out of the cache while
    // participants change. A consultation created by a concurrent first call is refused below.
    std::optional<consultation_record> known;
    db_.read([&](store::reader& r) { known = r.find_consultation(consultation_id); });
    const std::string conversation_id = known ? known->conversation_id : std::string();

    writer_.write<consultation_change>(
        [who, consultation_id, request = std::move(request), conversation_id](store::transaction& tx,
                                                                             consultation_change& out) {
            const unix_ms now = now_ms();
            auto existing = tx.find_consultation(consultation_id);
            remember_profiles(tx, request);
            if (!existing) {
                conversation c;
                c.id = make_object_id();
                c.type = conversation_type::consultation;
                c.title = request.title;
                c.consultation_id = consultation_id;
                c.created_by = who.user_id;
                c.created_at = c.updated_at = now;
                c.participants.push_back({.user_id = request.tutor_id, .role = role::tutor, .joined_at = now});
                for (const auto& id : request.student_ids)
                    c.participants.push_back({.user_id = id, .role = role::student, .joined_at = now});
                tx.insert_conversation(c);
                tx.next_change_seq(c.id);
                consultation_record record = updated(consultation_record{.consultation_id = consultation_id,
                                                                         .conversation_id = c.id,
                                                                         .created_at = now},
                                                     request, now);
                tx.upsert_consultation(record);
                c = *tx.find_conversation(c.id);
                json::object data = schedule_json(record);
                data["consultationId"] = consultation_id;
                data["tutorId"] = record.tutor_id;
                data["studentIds"] = strings(record.student_ids);
                post_step_message(tx, c, who.user_id, "consultation_confirmed", std::move(data), now, out);
                queue_notifications(tx, c, record, "consultation_invite", members_of(record), now);
                out.created = true;
                return finish_views(tx, c.id, who, out);
            }
            if (existing->cancelled_at) fail(error_code::conflict, "the consultation was cancelled");
            auto c = tx.find_conversation(existing->conversation_id);
            if (!c) fail(error_code::not_found, "no such consultation");
            const consultation_record before = *existing;
            const consultation_record after = updated(before, request, now);
            const auto old_members = members_of(before);
            const auto new_members = members_of(after);
            const bool rescheduled = before.title != after.title || before.scheduled_start != after.scheduled_start ||
                                     before.scheduled_end != after.scheduled_end;
            const bool regrouped = old_members != new_members;
            if (!rescheduled && !regrouped) return finish_views(tx, c->id, who, out);  // a retry
            if (existing->conversation_id != conversation_id)
                fail(error_code::conflict, "the consultation was created meanwhile by another call; retry");
            if (c->archived) fail(error_code::forbidden, "archived conversations are read-only");

            tx.upsert_consultation(after);
            std::vector<std::string> joined;
            for (const auto& id : new_members) {
                const participant* p = c->find_participant(id);
                const role as = id == after.tutor_id ? role::tutor : role::student;
                if (p && p->active() && p->role == as) continue;
                tx.upsert_participant(c->id, participant{.user_id = id, .role = as, .joined_at = now});
                if (!(p && p->active())) joined.push_back(id);
            }
            for (const auto& id : old_members) {
                if (contains(new_members, id)) continue;
                const participant* p = c->find_participant(id);
                if (!p || !p->active()) continue;
                tx.set_participant_left(c->id, id, now);
                out.former_ones.push_back(id);
            }
            *c = *tx.find_conversation(c->id);
            for (const auto& id : joined)
                post_step_message(tx, *c, id, "user_joined", json::object{{"userId", id}, {"addedBy", who.user_id}}, now,
                                  out);
            for (const auto& id : out.former_ones)
                post_step_message(tx, *c, id, "user_left", json::object{{"userId", id}, {"removedBy", who.user_id}},
                                  now, out);
            queue_notifications(tx, *c, after, "consultation_invite", joined, now);
            if (rescheduled) {
                c->title = after.title;
                tx.update_conversation(*c);
                json::object data = schedule_json(after);
                data["consultationId"] = consultation_id;
                data["previous"] = schedule_json(before);
                post_step_message(tx, *c, who.user_id, "consultation_rescheduled", std::move(data), now, out);
                std::vector<std::string> told;
                for (const auto& id : active_user_ids(*c))
                    if (!contains(joined, id)) told.push_back(id);
                queue_notifications(tx, *c, after, "consultation_rescheduled", told, now);
            }
            out.changed = true;
            finish_views(tx, c->id, who, out);
        },
        [this](consultation_change& out) { broadcast(out); },
        reply<consultation_change>([done = std::move(done)](std::exception_ptr e, consultation_change out) {
            if (e) return done(e, {});
            done(nullptr, {std::move(out.answer), out.created});
        }),
        conversation_id);
}

void consultations::start(const auth::principal& who, const std::string& consultation_id, reply<chat_session> done) {
    require_service(who);
    const consultation_record known = find(consultation_id);
    writer_.write<consultation_change>(
        [who, consultation_id](store::transaction& tx, consultation_change& out) {
            auto record = tx.find_consultation(consultation_id);
            if (record->cancelled_at) fail(error_code::conflict, "the consultation was cancelled");
            auto c = tx.find_conversation(record->conversation_id);
            if (!c->open_session_id.empty()) {
                out.session = *tx.find_session(c->open_session_id);  // a retry: the open one
                return;
            }
            if (c->archived) fail(error_code::forbidden, "archived conversations are read-only");
            const unix_ms now = now_ms();
            chat_session s{.id = make_object_id(),
                           .conversation_id = c->id,
                           .consultation_id = consultation_id,
                           .start_time = now};
            c->open_session_id = s.id;
            tx.set_open_session(c->id, s.id);
            post_step_message(tx, *c, who.user_id, "consultation_started",
                              json::object{{"consultationId", consultation_id},
                                           {"sessionId", s.id},
                                           {"startTime", format_time(now)}},
                              now, out);
            s.first_seq = out.posted.back().msg.seq;
            tx.insert_session(s);
            out.session = *tx.find_session(s.id);
            finish_views(tx, c->id, who, out);
        },
        [this](consultation_change& out) { broadcast(out); },
        reply<consultation_change>([done = std::move(done)](std::exception_ptr e, consultation_change out) {
            if (e) return done(e, {});
            done(nullptr, std::move(out.session));
        }),
        known.conversation_id);
}

void consultations::end(const auth::principal& who, const std::string& consultation_id, end_request request,
                        reply<chat_session> done) {
    require_service(who);
    const consultation_record known = find(consultation_id);
    // The history before the session does not change with its end: its term counts are read
    // here, on a read connection, so the writer (which every message waits for) only streams
    // the session itself.
    auto background = std::make_shared<std::optional<std::pair<std::string, term_counts>>>();
    db_.read([&](store::reader& r) {
        auto c = r.find_conversation(known.conversation_id);
        if (!c || c->open_session_id.empty()) return;
        if (auto s = r.find_session(c->open_session_id))
            background->emplace(s->id, background_of(r, c->id, s->first_seq));
    });
    writer_.write<consultation_change>(
        [who, consultation_id, request = std::move(request), background](store::transaction& tx,
                                                                          consultation_change& out) {
            auto record = tx.find_consultation(consultation_id);
            auto c = tx.find_conversation(record->conversation_id);
            if (c->open_session_id.empty()) {
                auto sessions = tx.sessions_of(c->id);
                if (sessions.empty()) fail(error_code::conflict, "no session is open");
                out.session = std::move(sessions.front());  // a retry: the one that ended
                return;
            }
            const unix_ms now = now_ms();
            chat_session s = *tx.find_session(c->open_session_id);
            const term_counts* counts = *background && (*background)->first == s.id ? &(*background)->second : nullptr;
            close_session(tx, *c, s, who.user_id, counts, request.session_notes, request.action_items, now, out);
            if (c->settings.auto_archive) archive(tx, *c, now);
            out.session = *tx.find_session(s.id);
            finish_views(tx, c->id, who, out);
        },
        [this](consultation_change& out) { broadcast(out); },
        reply<consultation_change>([done = std::move(done)](std::exception_ptr e, consultation_change out) {
            if (e) return done(e, {});
            done(nullptr, std::move(out.session));
        }),
        known.conversation_id);
}

void consultations::cancel(const auth::principal& who, const std::string& consultation_id,
                           reply<confirmed_consultation> done) {
    require_service(who);
    const consultation_record known = find(consultation_id);
    writer_.write<consultation_change>(
        [who, consultation_id](store::transaction& tx, consultation_change& out) {
            auto record = tx.find_consultation(consultation_id);
            auto c = tx.find_conversation(record->conversation_id);
            if (record->cancelled_at) return finish_views(tx, c->id, who, out);  // a retry
            const unix_ms now = now_ms();
            if (!c->open_session_id.empty()) {
                chat_session s = *tx.find_session(c->open_session_id);
                close_session(tx, *c, s, who.user_id, nullptr, std::nullopt, {}, now, out);
            }
            post_step_message(tx, *c, who.user_id, "consultation_cancelled",
                              json::object{{"consultationId", consultation_id}, {"title", record->title}}, now, out);
            archive(tx, *c, now);
            record->cancelled_at = now;
            record->updated_at = now;
            tx.upsert_consultation(*record);
            queue_notifications(tx, *c, *record, "consultation_cancelled", active_user_ids(*c), now);
            finish_views(tx, c->id, who, out);
        },
        [this](consultation_change& out) { broadcast(out); },
        reply<consultation_change>([done = std::move(done)](std::exception_ptr e, consultation_change out) {
            if (e) return done(e, {});
            done(nullptr, {std::move(out.answer), false});
        }),
        known.conversation_id);
}

}  // namespace writeen::chat
