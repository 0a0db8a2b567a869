#include "chat/conversations.hpp"

#include <algorithm>
#include <unordered_set>

#include "chat/access.hpp"
#include "chat/conversation_views.hpp"
#include "chat/fail.hpp"
#include "chat/posting.hpp"
#include "chat/receipts.hpp"
#include "chat/text.hpp"
#include "model/clock.hpp"
#include "model/ids.hpp"
#include "proto/chat_events.hpp"

namespace writeen::chat {
namespace json = boost::json;

namespace {

const std::vector<std::string>& known_permissions() {
    static const std::vector<std::string> all{"read", "write", "upload", "download"};
    return all;
}

/// A change of a conversation, with everything its answer and its broadcast need, gathered
/// inside the work.
struct conversation_change {
    conversation conv;
    bool changed = true;
    conversation_view shared;  // conversation_updated
    conversation_view answer;  // for the caller (isOnline set after the commit)
};

/// The caller's answer after the commit: their view, with isOnline from the hub.
struct answer_caller {
    const hub::hub& hub;
    auth::principal who;
    reply<conversation_view> done;

    template <class Change>
    void operator()(std::exception_ptr e, Change out) const {
        if (!e) mark_online(out.answer, hub, who.user_id);
        done(e, std::move(out.answer));  // empty when the change failed
    }
};

}  // namespace

/// A join or leave: the system message, who hears of it, and the conversation after it.
struct conversations::membership_change : conversation_change {
    std::optional<message_view> system_message;
    std::vector<std::string> notify;       // who receives the system message
    std::vector<std::string> former_ones;  // left with this change: told of the conversation too

    /// Fills the change from the conversation as the transaction now sees it, with the system
    /// message `m` that records it.
    void record(store::transaction& tx, const std::string& id, const std::string& viewer, message m) {
        conv = *tx.find_conversation(id);
        message_view v;
        v.status = status_of(conv, m);
        v.msg = std::move(m);
        system_message = std::move(v);
        shared = shared_view(tx, conv);
        answer = viewer_view(tx, conv, viewer);
    }
};

conversation_list conversations::list_conversations(const auth::principal& who,
                                                    const store::conversation_filter& filter, int page, int limit) {
    conversation_list out;
    db_.read([&](store::reader& r) {
        auto result = r.list_conversations(who.user_id, filter, (page - 1) * limit, limit);
        out.total = result.total;
        for (auto& s : result.items) {
            conversation_view v;
            v.conv = std::move(s.conversation);
            v.last_message = std::move(s.last_message);
            v.unread_count = s.unread_count;
            v.archived_for_me = archived_for(v.conv, who.user_id);
            out.items.push_back(std::move(v));
        }
    });
    for (auto& v : out.items) mark_online(v, hub_, who.user_id);
    return out;
}

conversation_view conversations::get_conversation(const auth::principal& who, const std::string& id) {
    conversation_view v;
    db_.read([&](store::reader& r) {
        auto fresh = r.find_conversation(id);
        require_visible(fresh ? &*fresh : nullptr, who);
        v = viewer_view(r, *fresh, who.user_id);
    });
    mark_online(v, hub_, who.user_id);
    return v;
}

void conversations::create_conversation(const auth::principal& who, create_conversation_request request,
                                        reply<std::pair<conversation_view, bool>> done) {
    users_.seen(who);
    if (request.type == conversation_type::consultation && who.role != role::service && who.role != role::admin)
        fail(error_code::forbidden, "only the consultation service or an admin may create consultation rooms");
    if (request.type != conversation_type::consultation && who.role == role::service)
        fail(error_code::forbidden, "service tokens cannot chat");
    if (request.title.size() > 200) fail(error_code::unprocessable, "title is longer than 200 characters");
    if (request.consultation_id.size() > 128) fail(error_code::unprocessable, "consultationId is too long");

    std::vector<std::string> others;
    std::unordered_set<std::string> unique;
    for (auto& id : request.participant_ids) {
        if (!valid_user_id(id))
            fail(error_code::unprocessable, "participantIds must be non-empty ids of at most 128 characters");
        if (id != who.user_id && unique.insert(id).second) others.push_back(id);
    }
    if (request.type == conversation_type::direct && others.size() != 1)
        fail(error_code::unprocessable, "a direct conversation needs exactly one other user");
    if (request.type != conversation_type::direct && others.empty())
        fail(error_code::unprocessable, "a conversation needs at least one other user");
    if (others.size() > 5000) fail(error_code::unprocessable, "at most 5000 participants");

    writer_.write<conversation_change>(
        [who, request = std::move(request), others = std::move(others)](store::transaction& tx,
                                                                         conversation_change& out) {
            if (request.type == conversation_type::direct) {
                if (auto existing = tx.find_direct_conversation(who.user_id, others.front())) {
                    out.conv = *tx.find_conversation(*existing);
                    out.changed = false;
                    out.answer = viewer_view(tx, out.conv, who.user_id);
                    return;
                }
            }
            const unix_ms now = now_ms();
            conversation c;
            c.id = make_object_id();
            c.type = request.type;
            c.title = request.title;
            c.consultation_id = request.consultation_id;
            c.created_by = who.user_id;
            c.created_at = c.updated_at = now;
            if (who.role != role::service)
                c.participants.push_back({.user_id = who.user_id, .role = who.role, .joined_at = now});
            for (const auto& id : others) {
                auto u = tx.user(id);
                // A user the service has not seen yet: known by id until their first call.
                if (!u) tx.upsert_user(user_profile{.id = id, .name = id, .role = role::student});
                c.participants.push_back({.user_id = id, .role = u ? u->role : role::student, .joined_at = now});
            }
            tx.insert_conversation(c);
            tx.next_change_seq(c.id);
            out.conv = *tx.find_conversation(c.id);
            out.shared = shared_view(tx, out.conv);
            out.answer = viewer_view(tx, out.conv, who.user_id);
        },
        [this](conversation_change& out) {
            if (out.changed) hub_.send_to_users(active_user_ids(out.conv), proto::conversation_updated_event(out.shared));
        },
        reply<conversation_change>([this, who, done = std::move(done)](std::exception_ptr e, conversation_change out) {
            if (e) return done(e, {});
            mark_online(out.answer, hub_, who.user_id);
            done(nullptr, {std::move(out.answer), out.changed});
        }));
}

void conversations::update_conversation(const auth::principal& who, const std::string& id, conversation_patch patch,
                                        reply<conversation_view> done) {
    if (patch.title && patch.title->size() > 200) fail(error_code::unprocessable, "title is longer than 200 characters");
    if (patch.max_file_size && (*patch.max_file_size < 1 || *patch.max_file_size > (std::int64_t{1} << 32)))
        fail(error_code::unprocessable, "maxFileSize must be between 1 and 4294967296");
    if (patch.retention_days && (*patch.retention_days < 1 || *patch.retention_days > 36500))
        fail(error_code::unprocessable, "retention must be between 1 and 36500 days");
    if (patch.allowed_file_types)
        for (const auto& t : *patch.allowed_file_types)
            if (t.size() < 2 || t.size() > 16 || t[0] != '.')
                fail(error_code::unprocessable, "allowedFileTypes must be extensions such as \".pdf\"");

    writer_.write<conversation_change>(
        [who, id, patch = std::move(patch)](store::transaction& tx, conversation_change& out) {
            auto c = tx.find_conversation(id);
            const participant& me = require_active(c ? &*c : nullptr, who);
            const bool touches_settings = patch.allow_file_upload || patch.max_file_size || patch.allowed_file_types ||
                                          patch.auto_archive || patch.retention_days;
            if ((touches_settings || patch.archived) && !privileged(me.role) && who.role != role::admin)
                fail(error_code::forbidden, "only tutors and admins may change settings or archive");
            if (c->archived && (touches_settings || patch.title || patch.archived.value_or(true)))
                fail(error_code::forbidden, "archived conversations are read-only; unarchive first");
            if (patch.title) c->title = *patch.title;
            if (patch.allow_file_upload) c->settings.allow_file_upload = *patch.allow_file_upload;
            if (patch.max_file_size) c->settings.max_file_size = *patch.max_file_size;
            if (patch.allowed_file_types) c->settings.allowed_file_types = *patch.allowed_file_types;
            if (patch.auto_archive) c->settings.auto_archive = *patch.auto_archive;
            if (patch.retention_days) c->settings.retention_days = static_cast<int>(*patch.retention_days);
            if (patch.archived) {
                c->archived_at = *patch.archived ? std::optional<unix_ms>(now_ms()) : std::nullopt;
                c->archived = *patch.archived;
            }
            tx.update_conversation(*c);
            c->last_change_seq = tx.next_change_seq(id);
            out.conv = std::move(*c);
            out.shared = shared_view(tx, out.conv);
            out.answer = viewer_view(tx, out.conv, who.user_id);
        },
        [this](conversation_change& out) {
            hub_.send_to_users(active_user_ids(out.conv), proto::conversation_updated_event(out.shared));
        },
        answer_caller{hub_, who, std::move(done)},
        id);
}

void conversations::set_archived_for_me(const auth::principal& who, const std::string& id, bool archived,
                                        reply<conversation_view> done) {
    writer_.write<conversation_change>(
        [who, id, archived](store::transaction& tx, conversation_change& out) {
            auto c = tx.find_conversation(id);
            // Also after leaving: a former participant still sees the conversation in their list.
            require_visible(c ? &*c : nullptr, who);
            tx.set_participant_hidden(id, who.user_id, archived ? std::optional<std::int64_t>(c->last_seq) : std::nullopt);
            out.conv = *tx.find_conversation(id);
            out.answer = viewer_view(tx, out.conv, who.user_id);
        },
        // Only the caller's own sockets are told, with their own view: the archive is theirs
        // alone, and their other open devices move the conversation in or out of the filter.
        [this, who](conversation_change& out) {
            conversation_view mine = out.answer;
            mark_online(mine, hub_, who.user_id);
            hub_.send_to_users({who.user_id}, proto::personal_conversation_updated_event(mine));
        },
        answer_caller{hub_, who, std::move(done)},
        id);
}

void conversations::broadcast_membership(const membership_change& out) {
    if (out.system_message) hub_.send_to_users(out.notify, proto::message_received_event(*out.system_message));
    if (!out.changed) return;
    auto users = active_user_ids(out.conv);
    users.insert(users.end(), out.former_ones.begin(), out.former_ones.end());
    hub_.send_to_users(std::move(users), proto::conversation_updated_event(out.shared));
}

void conversations::add_participant(const auth::principal& who, const std::string& id, const std::string& user_id,
                                    std::optional<role> as_role, std::optional<std::vector<std::string>> permissions,
                                    reply<conversation_view> done) {
    if (!valid_user_id(user_id))
        fail(error_code::bad_request, "userId must be a non-empty id of at most 128 characters");
    if (permissions)
        for (const auto& p : *permissions)
            if (std::find(known_permissions().begin(), known_permissions().end(), p) == known_permissions().end())
                fail(error_code::unprocessable, "permissions may contain read, write, upload and download");

    writer_.write<membership_change>(
        [who, id, user_id, as_role, permissions](store::transaction& tx, membership_change& out) {
            auto c = tx.find_conversation(id);
            const participant* me = c ? c->find_participant(who.user_id) : nullptr;
            if (!c || (!me && who.role != role::service && who.role != role::admin))
                fail(error_code::not_found, "conversation not found");
            if (me && !me->active() && who.role != role::service)
                fail(error_code::forbidden, "you left this conversation");
            if (!(who.role == role::service || who.role == role::admin || (me && privileged(me->role))))
                fail(error_code::forbidden, "only tutors and admins may add participants");
            if (c->type == conversation_type::direct)
                fail(error_code::unprocessable, "direct conversations have exactly two participants");
            if (c->archived) fail(error_code::forbidden, "archived conversations are read-only");
            if (const participant* existing = c->find_participant(user_id); existing && existing->active()) {
                out.conv = std::move(*c);
                out.changed = false;
                out.answer = viewer_view(tx, out.conv, who.user_id);
                return;
            }
            const unix_ms now = now_ms();
            auto u = tx.user(user_id);
            if (!u) tx.upsert_user(user_profile{.id = user_id, .name = user_id, .role = role::student});
            participant p{.user_id = user_id, .role = as_role.value_or(u ? u->role : role::student), .joined_at = now};
            if (permissions) p.permissions = *permissions;
            tx.upsert_participant(id, p);

            message m = post_system_message(tx, *c, user_id, "user_joined",
                                            json::object{{"userId", user_id}, {"addedBy", who.user_id}}, now);
            m.sender_name = u ? u->name : user_id;
            out.record(tx, id, who.user_id, std::move(m));
            out.notify = active_user_ids(out.conv);
        },
        [this](membership_change& out) { broadcast_membership(out); },
        answer_caller{hub_, who, std::move(done)},
        id);
}

void conversations::remove_participant(const auth::principal& who, const std::string& id, const std::string& user_id,
                                       reply<conversation_view> done) {
    writer_.write<membership_change>(
        [who, id, user_id](store::transaction& tx, membership_change& out) {
            auto c = tx.find_conversation(id);
            const participant* me = c ? c->find_participant(who.user_id) : nullptr;
            if (!c || (!me && who.role != role::service && who.role != role::admin))
                fail(error_code::not_found, "conversation not found");
            const bool self = user_id == who.user_id;
            if (!self && !may_manage(who, me))
                fail(error_code::forbidden, "only tutors and admins may remove other participants");
            if (c->type == conversation_type::direct)
                fail(error_code::unprocessable, "direct conversations have exactly two participants");
            const participant* target = c->find_participant(user_id);
            if (!target || !target->active()) fail(error_code::not_found, "not a participant");
            const unix_ms now = now_ms();
            // Everyone who was here hears of the leave, the one who left included.
            out.notify = active_user_ids(*c);
            tx.set_participant_left(id, user_id, now);

            message m = post_system_message(tx, *c, user_id, "user_left",
                                            json::object{{"userId", user_id}, {"removedBy", who.user_id}}, now);
            m.sender_name = target->name;
            out.record(tx, id, who.user_id, std::move(m));
            out.former_ones.push_back(user_id);
        },
        [this](membership_change& out) { broadcast_membership(out); },
        answer_caller{hub_, who, std::move(done)},
        id);
}

}  // namespace writeen::chat
