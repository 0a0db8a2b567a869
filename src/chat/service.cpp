#include "chat/service.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <unordered_map>
#include <unordered_set>

#include "chat/text.hpp"
#include "model/clock.hpp"
#include "model/ids.hpp"
#include "proto/json.hpp"

namespace writeen::chat {
namespace json = boost::json;

namespace {

[[noreturn]] void fail(error_code code, std::string message) { throw api_error(code, std::move(message)); }

bool privileged(role r) { return r == role::tutor || r == role::admin; }

/// Cursor moves of one kind, by user, each list ordered by up_to_seq.
using marks_by_user = std::unordered_map<std::string, std::vector<cursor_mark>>;

marks_by_user group_marks(std::vector<cursor_mark> marks) {
    marks_by_user out;
    for (auto& m : marks) out[m.user_id].push_back(std::move(m));
    for (auto& [user, list] : out)
        std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.up_to_seq < b.up_to_seq; });
    return out;
}

std::vector<receipt> receipts_of(const conversation& c, const message& m, const marks_by_user& marks, bool read) {
    std::vector<receipt> out;
    for (const auto& p : c.participants) {
        if (p.user_id == m.sender_id) continue;
        const std::int64_t cursor = read ? p.read_up_to_seq : p.delivered_up_to_seq;
        if (cursor < m.seq) continue;
        unix_ms at = m.created_at;
        if (auto it = marks.find(p.user_id); it != marks.end()) {
            auto first = std::lower_bound(it->second.begin(), it->second.end(), m.seq,
                                          [](const cursor_mark& mk, std::int64_t seq) { return mk.up_to_seq < seq; });
            if (first != it->second.end()) at = first->at;
        }
        out.push_back({p.user_id, at});
    }
    return out;
}

/// Status as the sender sees it: every other current participant has read / received it.
std::string status_of(const conversation& c, const message& m) {
    bool any_other = false, all_read = true, all_delivered = true;
    for (const auto& p : c.participants) {
        if (p.user_id == m.sender_id || !p.active()) continue;
        any_other = true;
        all_read = all_read && p.read_up_to_seq >= m.seq;
        all_delivered = all_delivered && p.delivered_up_to_seq >= m.seq;
    }
    if (!any_other) return "sent";
    return all_read ? "read" : all_delivered ? "delivered" : "sent";
}

message_view make_view(const conversation& c, message m, const marks_by_user& read_marks,
                       const marks_by_user& delivered_marks) {
    message_view v;
    v.status = status_of(c, m);
    v.read_by = receipts_of(c, m, read_marks, true);
    v.delivered_to = receipts_of(c, m, delivered_marks, false);
    v.msg = std::move(m);
    return v;
}

std::vector<std::string> active_user_ids(const conversation& c) {
    std::vector<std::string> ids;
    ids.reserve(c.participants.size());
    for (const auto& p : c.participants)
        if (p.active()) ids.push_back(p.user_id);
    return ids;
}

std::string text_of(const std::string& content_json) {
    boost::system::error_code ec;
    auto v = json::parse(content_json, ec);
    if (ec || !v.is_object()) return {};
    auto it = v.get_object().find("text");
    return it != v.get_object().end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}

/// Stores a `system` message (a join, a leave) about `subject` with the conversation's next seq.
message append_system_message(store::transaction& tx, const conversation& c, const std::string& subject,
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
    m.change_seq = m.created_change_seq = tx.next_change_seq(c.id);
    m.seq = tx.append_message(m);
    return m;
}

const std::vector<std::string>& known_permissions() {
    static const std::vector<std::string> all{"read", "write", "upload", "download"};
    return all;
}

/// Runs a write on the store's writer and answers with the value the work produced.
template <class T, class Work, class After>
void write(store::database& db, Work work, After after, reply<T> done) {
    auto result = std::make_shared<T>();
    db.submit([result, work = std::move(work)](store::transaction& tx) mutable { work(tx, *result); },
              [result, after = std::move(after), done = std::move(done)](std::exception_ptr e) mutable {
                  if (e) return done(e, T{});
                  try {
                      after(*result);
                  } catch (...) {
                      // Broadcasting is best effort: the change is committed and the client
                      // is answered; a missed event is recovered by sync.
                  }
                  done(nullptr, std::move(*result));
              });
}

}  // namespace

service::service(store::database& db, hub::hub& hub, options opts)
    : db_(db), hub_(hub), options_(opts), rate_limiter_(opts.rate_limit_per_second) {}

// --- users, sockets, presence ----------------------------------------------------------------

void service::remember_user(const user_profile& u) {
    std::lock_guard lock(users_mutex_);
    users_[u.id] = u;
}

void service::seen(const principal& who) {
    {
        std::lock_guard lock(users_mutex_);
        auto it = users_.find(who.user_id);
        if (it != users_.end() && it->second.name == who.name && it->second.avatar == who.avatar &&
            it->second.role == who.role)
            return;
    }
    user_profile u{who.user_id, who.name, who.avatar, who.role, now_ms()};
    remember_user(u);
    db_.submit([u](store::transaction& tx) { tx.upsert_user(u); }, [](std::exception_ptr) {});
}

std::optional<user_profile> service::user(const std::string& id) {
    {
        std::lock_guard lock(users_mutex_);
        if (auto it = users_.find(id); it != users_.end()) return it->second;
    }
    std::optional<user_profile> u;
    db_.read([&](store::reader& r) { u = r.user(id); });
    if (u) remember_user(*u);
    return u;
}

std::string service::display_name(const std::string& user_id) {
    auto u = user(user_id);
    return u && !u->name.empty() ? u->name : user_id;
}

void service::connect(const hub::connection_ptr& c, const principal& who) {
    seen(who);
    if (!hub_.attach(c)) return;
    set_presence(who, "online");
}

void service::disconnect(const hub::connection& c, const principal& who) {
    if (!hub_.detach(c)) return;
    const unix_ms now = now_ms();
    user_profile u{who.user_id, who.name, who.avatar, who.role, now};
    remember_user(u);
    db_.submit([u](store::transaction& tx) { tx.upsert_user(u); }, [](std::exception_ptr) {});
    std::vector<std::string> peers;
    db_.read([&](store::reader& r) { peers = r.peers_of(who.user_id); });
    hub_.send_to_users(std::move(peers), proto::frame("user_presence", json::object{{"userId", who.user_id},
                                                                                   {"status", "offline"},
                                                                                   {"lastSeen", format_time(now)}}));
}

void service::set_presence(const principal& who, const std::string& status) {
    if (status != "online" && status != "away" && status != "busy")
        fail(error_code::unprocessable, "status must be online, away or busy");
    std::vector<std::string> peers;
    db_.read([&](store::reader& r) { peers = r.peers_of(who.user_id); });
    hub_.send_to_users(std::move(peers), proto::frame("user_presence", json::object{{"userId", who.user_id},
                                                                                   {"status", status},
                                                                                   {"lastSeen", format_time(now_ms())}}));
}

// --- conversations ---------------------------------------------------------------------------

conversation_cache::ptr service::load_conversation(store::reader& r, const std::string& id) {
    return conversations_.get(id, r);
}

conversation_cache::ptr service::visible_conversation(store::reader& r, const principal& who, const std::string& id) {
    auto c = load_conversation(r, id);
    if (!c || !c->find_participant(who.user_id)) fail(error_code::not_found, "conversation not found");
    return c;
}

conversation_cache::ptr service::writable_conversation(store::reader& r, const principal& who, const std::string& id) {
    auto c = visible_conversation(r, who, id);
    const participant* p = c->find_participant(who.user_id);
    if (who.role == role::service) fail(error_code::forbidden, "service tokens cannot chat");
    if (!p->active()) fail(error_code::forbidden, "you left this conversation");
    if (c->archived) fail(error_code::forbidden, "archived conversations are read-only");
    if (!p->can("write")) fail(error_code::forbidden, "you may not write in this conversation");
    return c;
}

conversation_view service::conversation_view_of(store::reader& r, const conversation& c, const std::string& viewer) {
    conversation_view v;
    v.conv = c;
    auto last = r.list_messages(c.id, store::message_query{.limit = 1});
    if (!last.empty()) v.last_message = std::move(last.front());
    const participant* me = c.find_participant(viewer);
    if (me) {
        auto unread = r.list_messages(c.id, store::message_query{.after_seq = me->read_up_to_seq, .limit = 1000});
        v.unread_count = std::count_if(unread.begin(), unread.end(), [&](const message& m) {
            return m.sender_id != viewer && !m.deleted_at;
        });
    }
    for (const auto& p : c.participants)
        if (p.user_id != viewer && p.active() && hub_.is_online(p.user_id)) v.is_online = true;
    return v;
}

conversation_list service::list_conversations(const principal& who, const store::conversation_filter& filter,
                                              int page, int limit) {
    conversation_list out;
    db_.read([&](store::reader& r) {
        auto result = r.list_conversations(who.user_id, filter, (page - 1) * limit, limit);
        out.total = result.total;
        for (auto& s : result.items) {
            conversation_view v;
            v.conv = std::move(s.conversation);
            v.last_message = std::move(s.last_message);
            v.unread_count = s.unread_count;
            for (const auto& p : v.conv.participants)
                if (p.user_id != who.user_id && p.active() && hub_.is_online(p.user_id)) v.is_online = true;
            out.items.push_back(std::move(v));
        }
    });
    return out;
}

conversation_view service::get_conversation(const principal& who, const std::string& id) {
    conversation_view v;
    db_.read([&](store::reader& r) {
        auto fresh = r.find_conversation(id);
        if (!fresh || !fresh->find_participant(who.user_id)) fail(error_code::not_found, "conversation not found");
        v = conversation_view_of(r, *fresh, who.user_id);
    });
    return v;
}

void service::broadcast_conversation_updated(store::reader& r, const conversation& c,
                                             const std::vector<std::string>& extra_users) {
    // The event carries what every participant shares; per-viewer fields (unreadCount,
    // lastMessage) come from the list endpoint.
    conversation_view v;
    v.conv = c;
    auto last = r.list_messages(c.id, store::message_query{.limit = 1});
    if (!last.empty()) v.last_message = std::move(last.front());
    auto users = active_user_ids(c);
    users.insert(users.end(), extra_users.begin(), extra_users.end());
    hub_.send_to_users(std::move(users),
                       proto::frame("conversation_updated", json::object{{"conversation", proto::conversation_json(v)},
                                                                          {"changeSeq", c.last_change_seq}}));
}

void service::create_conversation(const principal& who, create_conversation_request request,
                                  reply<std::pair<conversation_view, bool>> done) {
    seen(who);
    if (request.type == conversation_type::consultation && who.role != role::service && who.role != role::admin)
        fail(error_code::forbidden, "only the consultation service or an admin may create consultation rooms");
    if (request.type != conversation_type::consultation && who.role == role::service)
        fail(error_code::forbidden, "service tokens cannot chat");
    if (request.title.size() > 200) fail(error_code::unprocessable, "title is longer than 200 characters");
    if (request.consultation_id.size() > 128) fail(error_code::unprocessable, "consultationId is too long");

    std::vector<std::string> others;
    std::unordered_set<std::string> unique;
    for (auto& id : request.participant_ids) {
        if (!valid_user_id(id)) fail(error_code::unprocessable, "participantIds must be non-empty ids of at most 128 characters");
        if (id != who.user_id && unique.insert(id).second) others.push_back(id);
    }
    if (request.type == conversation_type::direct && others.size() != 1)
        fail(error_code::unprocessable, "a direct conversation needs exactly one other user");
    if (request.type != conversation_type::direct && others.empty())
        fail(error_code::unprocessable, "a conversation needs at least one other user");
    if (others.size() > 5000) fail(error_code::unprocessable, "at most 5000 participants");

    struct outcome {
        conversation conv;
        bool created = false;
    };
    write<outcome>(
        db_,
        [this, who, request = std::move(request), others = std::move(others)](store::transaction& tx, outcome& out) {
            if (request.type == conversation_type::direct) {
                if (auto existing = tx.find_direct_conversation(who.user_id, others.front())) {
                    out.conv = *tx.find_conversation(*existing);
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
            if (who.role != role::service) c.participants.push_back({.user_id = who.user_id, .role = who.role, .joined_at = now});
            for (const auto& id : others) {
                auto u = tx.user(id);
                if (!u) {
                    // A user the service has not seen yet: known by id until their first call.
                    tx.upsert_user(user_profile{.id = id, .name = id, .role = role::student});
                }
                c.participants.push_back({.user_id = id, .role = u ? u->role : role::student, .joined_at = now});
            }
            tx.insert_conversation(c);
            tx.next_change_seq(c.id);
            conversations_.invalidate(c.id);
            out.conv = *tx.find_conversation(c.id);
            out.created = true;
        },
        [this](outcome& out) {
            if (out.created) db_.read([&](store::reader& r) { broadcast_conversation_updated(r, out.conv); });
        },
        reply<outcome>([this, who, done = std::move(done)](std::exception_ptr e, outcome out) {
            if (e) return done(e, {});
            conversation_view v;
            db_.read([&](store::reader& r) { v = conversation_view_of(r, out.conv, who.user_id); });
            done(nullptr, {std::move(v), out.created});
        }));
}

void service::update_conversation(const principal& who, const std::string& id, conversation_patch patch,
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

    write<conversation>(
        db_,
        [this, who, id, patch = std::move(patch)](store::transaction& tx, conversation& out) {
            auto c = tx.find_conversation(id);
            const participant* me = c ? c->find_participant(who.user_id) : nullptr;
            if (!me) fail(error_code::not_found, "conversation not found");
            if (!me->active()) fail(error_code::forbidden, "you left this conversation");
            const bool may_manage = privileged(me->role) || who.role == role::admin;
            const bool touches_settings = patch.allow_file_upload || patch.max_file_size || patch.allowed_file_types ||
                                          patch.auto_archive || patch.retention_days;
            if ((touches_settings || patch.archived) && !may_manage)
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
            conversations_.invalidate(id);
            out = std::move(*c);
        },
        [this](conversation& c) { db_.read([&](store::reader& r) { broadcast_conversation_updated(r, c); }); },
        reply<conversation>([this, who, done = std::move(done)](std::exception_ptr e, conversation c) {
            if (e) return done(e, {});
            conversation_view v;
            db_.read([&](store::reader& r) { v = conversation_view_of(r, c, who.user_id); });
            done(nullptr, std::move(v));
        }));
}

namespace {

struct membership_change {
    conversation conv;
    std::optional<message> system_message;
    std::vector<std::string> notify;  // users to tell besides the active participants
};

}  // namespace

void service::add_participant(const principal& who, const std::string& id, const std::string& user_id,
                              std::optional<role> as_role, std::optional<std::vector<std::string>> permissions,
                              reply<conversation_view> done) {
    if (!valid_user_id(user_id)) fail(error_code::bad_request, "userId must be a non-empty id of at most 128 characters");
    if (permissions)
        for (const auto& p : *permissions)
            if (std::find(known_permissions().begin(), known_permissions().end(), p) == known_permissions().end())
                fail(error_code::unprocessable, "permissions may contain read, write, upload and download");

    write<membership_change>(
        db_,
        [this, who, id, user_id, as_role, permissions](store::transaction& tx, membership_change& out) {
            auto c = tx.find_conversation(id);
            const participant* me = c ? c->find_participant(who.user_id) : nullptr;
            if (!c || (!me && who.role != role::service && who.role != role::admin))
                fail(error_code::not_found, "conversation not found");
            if (me && !me->active() && who.role != role::service) fail(error_code::forbidden, "you left this conversation");
            if (!(who.role == role::service || who.role == role::admin || (me && privileged(me->role))))
                fail(error_code::forbidden, "only tutors and admins may add participants");
            if (c->type == conversation_type::direct)
                fail(error_code::unprocessable, "direct conversations have exactly two participants");
            if (c->archived) fail(error_code::forbidden, "archived conversations are read-only");
            if (const participant* existing = c->find_participant(user_id); existing && existing->active()) {
                out.conv = std::move(*c);
                return;
            }
            const unix_ms now = now_ms();
            auto u = tx.user(user_id);
            if (!u) tx.upsert_user(user_profile{.id = user_id, .name = user_id, .role = role::student});
            participant p{.user_id = user_id, .role = as_role.value_or(u ? u->role : role::student), .joined_at = now};
            if (permissions) p.permissions = *permissions;
            tx.upsert_participant(id, p);

            message m = append_system_message(tx, *c, user_id, "user_joined",
                                              json::object{{"userId", user_id}, {"addedBy", who.user_id}}, now);
            conversations_.invalidate(id);
            out.conv = *tx.find_conversation(id);
            m.sender_name = u ? u->name : user_id;
            out.system_message = std::move(m);
        },
        [this](membership_change& out) {
            if (!out.system_message) return;
            message_view v;
            v.msg = *out.system_message;
            v.status = status_of(out.conv, v.msg);
            hub_.send_to_users(active_user_ids(out.conv),
                               proto::frame("message_received", json::object{{"message", proto::message_json(v, false)}}));
            db_.read([&](store::reader& r) { broadcast_conversation_updated(r, out.conv); });
        },
        reply<membership_change>([this, who, done = std::move(done)](std::exception_ptr e, membership_change out) {
            if (e) return done(e, {});
            conversation_view v;
            db_.read([&](store::reader& r) { v = conversation_view_of(r, out.conv, who.user_id); });
            done(nullptr, std::move(v));
        }));
}

void service::remove_participant(const principal& who, const std::string& id, const std::string& user_id,
                                 reply<conversation_view> done) {
    write<membership_change>(
        db_,
        [this, who, id, user_id](store::transaction& tx, membership_change& out) {
            auto c = tx.find_conversation(id);
            const participant* me = c ? c->find_participant(who.user_id) : nullptr;
            if (!c || (!me && who.role != role::service && who.role != role::admin))
                fail(error_code::not_found, "conversation not found");
            const bool self = user_id == who.user_id;
            if (!self && !(who.role == role::service || who.role == role::admin || (me && me->active() && privileged(me->role))))
                fail(error_code::forbidden, "only tutors and admins may remove other participants");
            if (c->type == conversation_type::direct)
                fail(error_code::unprocessable, "direct conversations have exactly two participants");
            const participant* target = c->find_participant(user_id);
            if (!target || !target->active()) fail(error_code::not_found, "not a participant");
            const unix_ms now = now_ms();
            out.notify = active_user_ids(*c);
            tx.set_participant_left(id, user_id, now);

            message m = append_system_message(tx, *c, user_id, "user_left",
                                              json::object{{"userId", user_id}, {"removedBy", who.user_id}}, now);
            m.sender_name = target->name;
            conversations_.invalidate(id);
            out.conv = *tx.find_conversation(id);
            out.system_message = std::move(m);
        },
        [this](membership_change& out) {
            message_view v;
            v.msg = *out.system_message;
            v.status = status_of(out.conv, v.msg);
            hub_.send_to_users(out.notify,
                               proto::frame("message_received", json::object{{"message", proto::message_json(v, false)}}));
            // The one who left is not active any more; tell them too so their list updates.
            std::vector<std::string> gone;
            for (const auto& u : out.notify)
                if (const participant* p = out.conv.find_participant(u); p && !p->active()) gone.push_back(u);
            db_.read([&](store::reader& r) { broadcast_conversation_updated(r, out.conv, gone); });
        },
        reply<membership_change>([this, who, done = std::move(done)](std::exception_ptr e, membership_change out) {
            if (e) return done(e, {});
            conversation_view v;
            db_.read([&](store::reader& r) { v = conversation_view_of(r, out.conv, who.user_id); });
            done(nullptr, std::move(v));
        }));
}

// --- messages --------------------------------------------------------------------------------

void service::check_rate(const principal& who) {
    if (auto wait = rate_limiter_.take(who.user_id, now_ms()))
        throw api_error(error_code::rate_limited, "too many messages; slow down", *wait);
}

void service::validate_content(send_request& request, const json::value& content) const {
    const json::object& o = proto::as_object(content, "content");
    if (request.type == message_type::text) {
        auto it = o.find("text");
        if (it == o.end() || it->value().is_null()) fail(error_code::bad_request, "content.text is required");
        if (!it->value().is_string()) fail(error_code::bad_request, "content.text must be a string");
        const std::string_view text = trim(std::string_view(it->value().get_string()));
        if (text.empty()) fail(error_code::unprocessable, "message text is empty");
        if (code_points(text) > static_cast<std::size_t>(options_.max_text_chars))
            fail(error_code::payload_too_large, "message text is longer than 10000 characters");
        request.content_json = json::serialize(json::object{{"text", text}});
        request.search_text = std::string(text);
        return;
    }
    if (request.type == message_type::sticker) {
        auto it = o.find("sticker");
        if (it == o.end() || it->value().is_null()) fail(error_code::bad_request, "content.sticker is required");
        if (!it->value().is_string()) fail(error_code::bad_request, "content.sticker must be a string");
        const std::string_view sticker = it->value().get_string();
        if (sticker.empty() || sticker.size() > 128) fail(error_code::unprocessable, "content.sticker must be 1..128 bytes");
        request.content_json = json::serialize(json::object{{"sticker", sticker}});
        return;
    }
    fail(error_code::unprocessable, "type must be text or sticker; files are sent by upload");
}

void service::send_message(const principal& who, send_request request, std::uint64_t origin, reply<send_result> done) {
    if (request.client_message_id.size() > 128) fail(error_code::bad_request, "clientMessageId is longer than 128 characters");
    if (who.role == role::service) fail(error_code::forbidden, "service tokens cannot chat");
    seen(who);
    check_rate(who);

    struct outcome {
        send_result result;
        std::vector<std::string> recipients;
    };
    write<outcome>(
        db_,
        [this, who, request = std::move(request)](store::transaction& tx, outcome& out) {
            auto c = writable_conversation(tx, who, request.conversation_id);
            if (!request.client_message_id.empty()) {
                if (auto existing = tx.find_message_by_client_id(who.user_id, request.client_message_id)) {
                    out.result.duplicate = true;
                    out.result.view = view_of_stored(tx, *c, std::move(*existing));
                    return;
                }
            }
            check_reply_target(tx, request.reply_to, request.conversation_id);
            message m;
            m.id = make_object_id();
            m.conversation_id = request.conversation_id;
            m.sender_id = who.user_id;
            m.type = request.type;
            m.content_json = request.content_json;
            m.search_text = request.search_text;
            m.reply_to = request.reply_to;
            m.client_message_id = request.client_message_id;
            m.consultation_id = c->consultation_id;
            m.created_at = m.updated_at = now_ms();
            m.change_seq = m.created_change_seq = tx.next_change_seq(request.conversation_id);
            m.seq = tx.append_message(m);
            m.sender_name = who.name;
            m.sender_avatar = who.avatar;
            out.result.view.status = status_of(*c, m);
            out.result.view.msg = std::move(m);
            out.recipients = active_user_ids(*c);
        },
        [this, origin](outcome& out) {
            if (out.result.duplicate) return;
            // A new message has no edit history to hide: one serialisation serves everyone.
            out.result.message_json =
                std::make_shared<const std::string>(json::serialize(proto::message_json(out.result.view, true)));
            hub_.send_to_users(std::move(out.recipients),
                               proto::message_frame("message_received", *out.result.message_json), origin);
        },
        reply<outcome>([done = std::move(done)](std::exception_ptr e, outcome out) {
            done(e, std::move(out.result));
        }));
}

message_view service::view_of_stored(store::reader& r, const conversation& fallback, message m) {
    auto fresh = r.find_conversation(m.conversation_id);
    return view_of(r, fresh ? *fresh : fallback, std::move(m));
}

void service::check_reply_target(store::reader& r, const std::string& reply_to, const std::string& conversation_id) {
    if (reply_to.empty()) return;
    auto parent = r.find_message(reply_to);
    if (!parent || parent->conversation_id != conversation_id)
        fail(error_code::not_found, "replyTo names no message of this conversation");
}

message_view service::view_of(store::reader& r, const conversation& c, message m) {
    return make_view(c, std::move(m), group_marks(r.cursor_marks(c.id, true)), group_marks(r.cursor_marks(c.id, false)));
}

std::vector<message_view> service::views_of(store::reader& r, const conversation& c, std::vector<message> ms) {
    std::vector<message_view> out;
    out.reserve(ms.size());
    if (ms.empty()) return out;
    const auto read_marks = group_marks(r.cursor_marks(c.id, true));
    const auto delivered_marks = group_marks(r.cursor_marks(c.id, false));
    for (auto& m : ms) out.push_back(make_view(c, std::move(m), read_marks, delivered_marks));
    return out;
}

bool service::may_see_edit_history(const principal& viewer, const conversation& c, const std::string& sender) const {
    if (viewer.user_id == sender || privileged(viewer.role)) return true;
    const participant* p = c.find_participant(viewer.user_id);
    return p && privileged(p->role);
}

message_page service::list_messages(const principal& who, const std::string& conversation_id,
                                    const store::message_query& query) {
    message_page page;
    db_.read([&](store::reader& r) {
        auto c = r.find_conversation(conversation_id);
        if (!c || !c->find_participant(who.user_id)) fail(error_code::not_found, "conversation not found");
        auto ms = r.list_messages(conversation_id, query);
        if (static_cast<int>(ms.size()) > query.limit) {
            page.has_more = true;
            ms.resize(query.limit);
        }
        page.messages = views_of(r, *c, std::move(ms));
    });
    return page;
}

search_page service::search(const principal& who, const std::optional<std::string>& conversation_id,
                            const std::string& query, int offset, int limit) {
    search_page page;
    db_.read([&](store::reader& r) {
        if (conversation_id) {
            auto c = r.find_conversation(*conversation_id);
            if (!c || !c->find_participant(who.user_id)) fail(error_code::not_found, "conversation not found");
        }
        auto hits = r.search(who.user_id, conversation_id, query, offset, limit + 1);
        if (static_cast<int>(hits.size()) > limit) {
            page.has_more = true;
            hits.resize(limit);
        }
        std::unordered_map<std::string, std::optional<conversation>> conversations;
        for (auto& hit : hits) {
            auto [it, inserted] = conversations.try_emplace(hit.msg.conversation_id);
            if (inserted) it->second = r.find_conversation(hit.msg.conversation_id);
            if (!it->second) continue;
            message_view v = view_of(r, *it->second, hit.msg);
            page.hits.emplace_back(std::move(v), std::move(hit));
        }
    });
    return page;
}

thread_page service::thread(const principal& who, const std::string& message_id, int offset, int limit) {
    thread_page page;
    db_.read([&](store::reader& r) {
        auto root = r.find_message(message_id);
        auto c = root ? r.find_conversation(root->conversation_id) : std::nullopt;
        if (!c || !c->find_participant(who.user_id)) fail(error_code::not_found, "message not found");
        auto replies = r.list_replies(message_id, offset, limit);
        if (static_cast<int>(replies.size()) > limit) {
            page.has_more = true;
            replies.resize(limit);
        }
        page.root = view_of(r, *c, std::move(*root));
        page.replies = views_of(r, *c, std::move(replies));
    });
    return page;
}

void service::broadcast_message_updated(const conversation& c, const message_view& view) {
    std::vector<std::string> with_history, without_history;
    for (const auto& p : c.participants) {
        if (!p.active()) continue;
        (p.user_id == view.msg.sender_id || privileged(p.role) ? with_history : without_history).push_back(p.user_id);
    }
    const auto event = [&](bool history) {
        return proto::frame("message_updated", json::object{{"message", proto::message_json(view, history)},
                                                             {"changeSeq", view.msg.change_seq}});
    };
    if (!with_history.empty()) hub_.send_to_users(std::move(with_history), event(true));
    if (!without_history.empty()) hub_.send_to_users(std::move(without_history), event(false));
}

void service::change_message(const principal& who, const std::string& message_id,
                             std::function<bool(const conversation&, message&)> apply, reply<message_view> done) {
    struct outcome {
        conversation conv;
        message_view view;
        bool changed = false;
        std::vector<std::string> orphan_blobs;
    };
    write<outcome>(
        db_,
        [this, who, message_id, apply = std::move(apply)](store::transaction& tx, outcome& out) {
            auto m = tx.find_message(message_id);
            auto c = m ? tx.find_conversation(m->conversation_id) : std::nullopt;
            const participant* me = c ? c->find_participant(who.user_id) : nullptr;
            if (!me) fail(error_code::not_found, "message not found");
            if (!me->active()) fail(error_code::forbidden, "you left this conversation");
            if (c->archived) fail(error_code::forbidden, "archived conversations are read-only");
            out.changed = apply(*c, *m);
            if (out.changed) {
                m->updated_at = now_ms();
                m->change_seq = tx.next_change_seq(c->id);
                tx.update_message(*m);
                // A deleted upload takes its file with it; the bytes go with the last reference.
                if (m->deleted_at && (m->type == message_type::file || m->type == message_type::image)) {
                    tx.delete_files_of_message(m->id);
                    out.orphan_blobs = tx.take_orphan_blobs();
                }
            }
            out.view = view_of(tx, *c, std::move(*m));
            out.conv = std::move(*c);
        },
        [this](outcome& out) {
            collect_blobs(std::move(out.orphan_blobs));
            if (out.changed) broadcast_message_updated(out.conv, out.view);
        },
        reply<outcome>([done = std::move(done)](std::exception_ptr e, outcome out) { done(e, std::move(out.view)); }));
}

void service::edit_message(const principal& who, const std::string& message_id, std::string text,
                           reply<message_view> done) {
    const std::string trimmed(trim(text));
    if (trimmed.empty()) fail(error_code::unprocessable, "message text is empty");
    if (code_points(trimmed) > static_cast<std::size_t>(options_.max_text_chars))
        fail(error_code::payload_too_large, "message text is longer than 10000 characters");
    change_message(
        who, message_id,
        [who, trimmed](const conversation&, message& m) {
            if (m.sender_id != who.user_id) fail(error_code::forbidden, "only the sender may edit a message");
            if (m.deleted_at) fail(error_code::conflict, "the message was deleted");
            if (m.type != message_type::text) fail(error_code::unprocessable, "only text messages can be edited");
            std::string previous = text_of(m.content_json);
            if (previous == trimmed) return false;
            m.edit_history.push_back({now_ms(), std::move(previous), who.user_id});
            m.content_json = json::serialize(json::object{{"text", trimmed}});
            m.search_text = trimmed;
            m.edited = true;
            return true;
        },
        std::move(done));
}

void service::delete_message(const principal& who, const std::string& message_id, reply<message_view> done) {
    change_message(
        who, message_id,
        [who](const conversation& c, message& m) {
            const participant* me = c.find_participant(who.user_id);
            if (m.sender_id != who.user_id && !privileged(me->role) && who.role != role::admin)
                fail(error_code::forbidden, "only the sender, a tutor or an admin may delete a message");
            if (m.type == message_type::system) fail(error_code::forbidden, "system messages cannot be deleted");
            if (m.deleted_at) return false;
            m.deleted_at = now_ms();
            m.content_json = "{}";
            m.search_text.clear();
            return true;
        },
        std::move(done));
}

void service::add_reaction(const principal& who, const std::string& message_id, std::string emoji,
                           reply<message_view> done) {
    if (!valid_emoji(emoji)) fail(error_code::unprocessable, "emoji must be one emoji of at most 32 bytes");
    change_message(
        who, message_id,
        [who, emoji](const conversation&, message& m) {
            if (m.deleted_at) fail(error_code::conflict, "the message was deleted");
            for (const auto& r : m.reactions)
                if (r.user_id == who.user_id && r.emoji == emoji) return false;
            m.reactions.push_back({who.user_id, emoji, now_ms()});
            return true;
        },
        std::move(done));
}

void service::remove_reaction(const principal& who, const std::string& message_id, std::string emoji,
                              reply<message_view> done) {
    change_message(
        who, message_id,
        [who, emoji](const conversation&, message& m) {
            auto it = std::find_if(m.reactions.begin(), m.reactions.end(),
                                   [&](const reaction& r) { return r.user_id == who.user_id && r.emoji == emoji; });
            if (it == m.reactions.end()) return false;
            m.reactions.erase(it);
            return true;
        },
        std::move(done));
}

// --- cursors, sync, joins, typing --------------------------------------------------------------

void service::emit_status_changes(store::reader& r, const conversation& before, const conversation& after,
                                  const std::string& mover, bool read) {
    const auto cursor = [read](const participant& p) { return read ? p.read_up_to_seq : p.delivered_up_to_seq; };
    // For each sender, the lowest cursor among the others bounds how far their messages have
    // that status; if the bound rose, their newest message below it changed status.
    const auto bound = [&](const conversation& c, const std::string& sender) {
        std::optional<std::int64_t> lowest;
        for (const auto& p : c.participants)
            if (p.active() && p.user_id != sender) lowest = std::min(lowest.value_or(INT64_MAX), cursor(p));
        return lowest.value_or(0);
    };
    std::optional<marks_by_user> read_marks, delivered_marks;
    for (const auto& sender : after.participants) {
        if (sender.user_id == mover || !sender.active()) continue;
        const std::int64_t old_bound = bound(before, sender.user_id);
        const std::int64_t new_bound = bound(after, sender.user_id);
        if (new_bound <= old_bound) continue;
        auto newest = r.newest_message_of(after.id, sender.user_id, old_bound, new_bound);
        if (!newest) continue;
        if (!read_marks) {
            read_marks = group_marks(r.cursor_marks(after.id, true));
            delivered_marks = group_marks(r.cursor_marks(after.id, false));
        }
        message_view v = make_view(after, std::move(*newest), *read_marks, *delivered_marks);
        json::array read_by, delivered_to;
        for (const auto& rc : v.read_by) read_by.push_back(json::object{{"userId", rc.user_id}, {"readAt", format_time(rc.at)}});
        for (const auto& rc : v.delivered_to)
            delivered_to.push_back(json::object{{"userId", rc.user_id}, {"deliveredAt", format_time(rc.at)}});
        hub_.send_to_users({sender.user_id}, proto::frame("message_status", json::object{
                                                                                {"conversationId", after.id},
                                                                                {"messageId", v.msg.id},
                                                                                {"seq", v.msg.seq},
                                                                                {"status", v.status},
                                                                                {"readBy", std::move(read_by)},
                                                                                {"deliveredTo", std::move(delivered_to)},
                                                                                {"changeSeq", after.last_change_seq},
                                                                            }));
    }
}

void service::mark(const principal& who, const std::string& conversation_id, std::optional<std::int64_t> up_to_seq,
                   std::optional<std::string> message_id, bool read, reply<std::int64_t> done) {
    if (up_to_seq && *up_to_seq < 0) fail(error_code::unprocessable, "upToSeq must not be negative");
    if (!up_to_seq && !message_id) fail(error_code::bad_request, "upToSeq or messageId is required");
    struct outcome {
        conversation before, after;
        std::int64_t cursor = 0;
        bool moved = false;
    };
    write<outcome>(
        db_,
        [who, conversation_id, up_to_seq, message_id, read](store::transaction& tx, outcome& out) {
            auto c = tx.find_conversation(conversation_id);
            const participant* me = c ? c->find_participant(who.user_id) : nullptr;
            if (!me) fail(error_code::not_found, "conversation not found");
            if (!me->active()) fail(error_code::forbidden, "you left this conversation");
            std::int64_t target = up_to_seq.value_or(0);
            if (message_id) {
                auto m = tx.find_message(*message_id);
                if (!m || m->conversation_id != conversation_id) fail(error_code::not_found, "message not found");
                target = m->seq;
            }
            target = std::min(target, c->last_seq);
            const unix_ms now = now_ms();
            out.moved = read ? tx.advance_read_cursor(conversation_id, who.user_id, target, now)
                             : tx.advance_delivered_cursor(conversation_id, who.user_id, target, now);
            out.before = *c;
            if (out.moved) {
                tx.next_change_seq(conversation_id);
                out.after = *tx.find_conversation(conversation_id);
            } else {
                out.after = *c;
            }
            const participant* after_me = out.after.find_participant(who.user_id);
            out.cursor = read ? after_me->read_up_to_seq : after_me->delivered_up_to_seq;
        },
        [this, who, read](outcome& out) {
            if (out.moved) db_.read([&](store::reader& r) { emit_status_changes(r, out.before, out.after, who.user_id, read); });
        },
        reply<outcome>([done = std::move(done)](std::exception_ptr e, outcome out) { done(e, out.cursor); }));
}

sync_result service::sync(const principal& who, const std::string& conversation_id, std::int64_t after_seq,
                          std::optional<std::int64_t> after_change_seq, int limit) {
    sync_result out;
    db_.read([&](store::reader& r) {
        auto c = r.find_conversation(conversation_id);
        if (!c || !c->find_participant(who.user_id)) fail(error_code::not_found, "conversation not found");
        auto ms = r.list_messages(conversation_id, store::message_query{.after_seq = after_seq, .limit = limit});
        if (static_cast<int>(ms.size()) > limit) {
            out.has_more = true;
            ms.resize(limit);
        }
        const std::int64_t since = after_change_seq ? *after_change_seq : r.change_seq_of_message(conversation_id, after_seq);
        auto changed = after_seq > 0 ? r.changed_messages(conversation_id, after_seq, since) : std::vector<message>{};
        const auto read_marks = group_marks(r.cursor_marks(conversation_id, true));
        const auto delivered_marks = group_marks(r.cursor_marks(conversation_id, false));
        for (auto& m : ms) out.messages.push_back(make_view(*c, std::move(m), read_marks, delivered_marks));
        for (auto& m : changed) out.changes.push_back(make_view(*c, std::move(m), read_marks, delivered_marks));
        for (const auto& p : c->participants) out.read_cursors.push_back({p.user_id, p.read_up_to_seq, p.delivered_up_to_seq});
        out.last_seq = c->last_seq;
        out.last_change_seq = c->last_change_seq;
    });
    return out;
}

joined_info service::join(const principal& who, const hub::connection_ptr& c, const std::string& conversation_id) {
    joined_info info;
    db_.read([&](store::reader& r) {
        auto conv = r.find_conversation(conversation_id);
        const participant* me = conv ? conv->find_participant(who.user_id) : nullptr;
        if (!me) fail(error_code::not_found, "conversation not found");
        info = {conv->last_seq, conv->last_change_seq, me->read_up_to_seq};
    });
    hub_.join(c, conversation_id);
    return info;
}

void service::leave(const hub::connection& c, const std::string& conversation_id) { hub_.leave(c, conversation_id); }

void service::typing(const principal& who, const std::string& conversation_id, bool is_typing) {
    db_.read([&](store::reader& r) {
        auto c = load_conversation(r, conversation_id);
        const participant* me = c ? c->find_participant(who.user_id) : nullptr;
        if (!me) fail(error_code::not_found, "conversation not found");
        if (!me->active()) fail(error_code::forbidden, "you left this conversation");
    });
    if (is_typing) {
        typing_.started({conversation_id, who.user_id, who.name}, now_ms());
    } else if (!typing_.stopped(conversation_id, who.user_id)) {
        return;  // nobody was told this user is typing
    }
    hub_.send_to_joined(conversation_id,
                        proto::frame("user_typing", json::object{{"conversationId", conversation_id},
                                                                 {"userId", who.user_id},
                                                                 {"userName", who.name},
                                                                 {"isTyping", is_typing}}),
                        who.user_id);
}

void service::expire_typing() {
    for (auto& e : typing_.expire(now_ms())) {
        hub_.send_to_joined(e.conversation_id,
                            proto::frame("user_typing", json::object{{"conversationId", e.conversation_id},
                                                                     {"userId", e.user_id},
                                                                     {"userName", e.user_name},
                                                                     {"isTyping", false}}),
                            e.user_id);
    }
}

void service::apply_retention() {
    auto orphans = std::make_shared<std::vector<std::string>>();
    db_.submit(
        [orphans](store::transaction& tx) {
            // The trigger of 002_files.sql drops the files rows of deleted messages.
            tx.delete_expired_messages(now_ms());
            *orphans = tx.take_orphan_blobs();
        },
        [this, orphans](std::exception_ptr e) {
            if (!e) collect_blobs(std::move(*orphans));
        });
}

// --- files -------------------------------------------------------------------------------------

namespace {

json::value optional_int(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

/// content.fileInfo of API.md for a file.
json::object file_info_json(const file_record& f, bool thumbnail) {
    return json::object{
        {"fileId", f.id},
        {"fileName", f.file_name},
        {"fileSize", f.size},
        {"fileType", f.mime},
        {"fileHash", f.sha256},
        {"downloadUrl", "/api/files/" + f.id + "/download"},
        {"thumbnailUrl", thumbnail ? json::value("/api/files/" + f.id + "/thumbnail") : json::value(nullptr)},
        {"width", optional_int(f.width)},
        {"height", optional_int(f.height)},
        {"scanStatus", f.scan_status},
    };
}

/// Rewrites the fileInfo of a message's content after its file changed; false when the message
/// no longer shows a file (deleted).
bool refresh_file_info(message& m, const file_record& f) {
    if (m.deleted_at) return false;
    boost::system::error_code ec;
    auto content = json::parse(m.content_json, ec);
    if (ec || !content.is_object()) return false;
    auto* info = content.get_object().if_contains("fileInfo");
    if (!info || !info->is_object()) return false;
    auto& o = info->get_object();
    o["scanStatus"] = f.scan_status;
    o["width"] = optional_int(f.width);
    o["height"] = optional_int(f.height);
    m.content_json = json::serialize(content);
    return true;
}

}  // namespace

void service::set_blob_collector(std::function<void(std::vector<std::string>)> collector) {
    blob_collector_ = std::move(collector);
}

void service::collect_blobs(std::vector<std::string> keys) {
    if (!keys.empty() && blob_collector_) blob_collector_(std::move(keys));
}

conversation_settings service::upload_settings(const principal& who, const std::string& conversation_id) {
    seen(who);
    conversation_settings settings;
    db_.read([&](store::reader& r) {
        auto c = writable_conversation(r, who, conversation_id);
        if (!c->find_participant(who.user_id)->can("upload"))
            fail(error_code::forbidden, "you may not upload files in this conversation");
        if (!c->settings.allow_file_upload) fail(error_code::forbidden, "file uploads are turned off in this conversation");
        settings = c->settings;
    });
    check_rate(who);
    return settings;
}

void service::send_file_message(const principal& who, file_message_request request, reply<file_message_result> done) {
    if (request.client_message_id.size() > 128) fail(error_code::bad_request, "clientMessageId is longer than 128 characters");
    if (code_points(request.description) > static_cast<std::size_t>(options_.max_text_chars))
        fail(error_code::payload_too_large, "description is longer than 10000 characters");

    struct outcome {
        file_message_result result;
        std::vector<std::string> recipients;
    };
    write<outcome>(
        db_,
        [this, who, request = std::move(request)](store::transaction& tx, outcome& out) {
            auto c = writable_conversation(tx, who, request.conversation_id);
            // Checked again at commit: settings may have changed while the bytes streamed in.
            if (!c->find_participant(who.user_id)->can("upload"))
                fail(error_code::forbidden, "you may not upload files in this conversation");
            if (!c->settings.allow_file_upload) fail(error_code::forbidden, "file uploads are turned off in this conversation");
            if (!request.client_message_id.empty()) {
                if (auto existing = tx.find_message_by_client_id(who.user_id, request.client_message_id)) {
                    out.result.sent.duplicate = true;
                    out.result.upload_unused = true;
                    auto files = tx.files_of_message(existing->id);
                    if (!files.empty()) out.result.file = files.front();
                    out.result.sent.view = view_of_stored(tx, *c, std::move(*existing));
                    return;
                }
            }
            check_reply_target(tx, request.reply_to, request.conversation_id);
            const unix_ms now = now_ms();
            file_record f = request.file;
            if (auto stored = tx.blob_of_content(f.sha256)) {
                f.blob_key = *stored;
                out.result.upload_unused = true;
            } else {
                tx.insert_blob(f.sha256, f.blob_key, f.size, now);
            }
            message m;
            m.id = make_object_id();
            f.message_id = m.id;
            f.conversation_id = request.conversation_id;
            f.uploader_id = who.user_id;
            f.created_at = now;
            json::object content{{"fileInfo", file_info_json(f, request.thumbnail)}};
            const std::string description(trim(request.description));
            if (!description.empty()) content["text"] = description;
            m.conversation_id = request.conversation_id;
            m.sender_id = who.user_id;
            m.type = request.image ? message_type::image : message_type::file;
            m.content_json = json::serialize(content);
            // File names are searchable (API.md: "full-text over message text and file names").
            m.search_text = description.empty() ? f.file_name : description + "\n" + f.file_name;
            m.reply_to = request.reply_to;
            m.client_message_id = request.client_message_id;
            m.consultation_id = c->consultation_id;
            m.created_at = m.updated_at = now;
            m.change_seq = m.created_change_seq = tx.next_change_seq(request.conversation_id);
            m.seq = tx.append_message(m);
            tx.insert_file(f);
            m.sender_name = who.name;
            m.sender_avatar = who.avatar;
            out.result.sent.view.status = status_of(*c, m);
            out.result.sent.view.msg = std::move(m);
            out.result.file = std::move(f);
            out.recipients = active_user_ids(*c);
        },
        [this](outcome& out) {
            if (out.result.sent.duplicate) return;
            hub_.send_to_users(std::move(out.recipients),
                               proto::frame("message_received",
                                            json::object{{"message", proto::message_json(out.result.sent.view, true)}}));
        },
        reply<outcome>([done = std::move(done)](std::exception_ptr e, outcome out) { done(e, std::move(out.result)); }));
}

file_record service::downloadable_file(const principal& who, const std::string& file_id) {
    file_record out;
    db_.read([&](store::reader& r) {
        auto f = r.find_file(file_id);
        auto c = f ? load_conversation(r, f->conversation_id) : nullptr;
        const participant* me = c ? c->find_participant(who.user_id) : nullptr;
        if (!me) fail(error_code::not_found, "file not found");
        if (!me->can("download")) fail(error_code::forbidden, "you may not download files in this conversation");
        out = std::move(*f);
    });
    return out;
}

void service::update_file(const std::string& file_id, std::function<bool(file_record&)> change, reply<file_record> done) {
    struct outcome {
        file_record file;
        conversation conv;
        std::vector<message_view> updated;
        std::vector<std::string> orphan_blobs;
    };
    write<outcome>(
        db_,
        [this, file_id, change = std::move(change)](store::transaction& tx, outcome& out) {
            auto f = tx.find_file(file_id);
            if (!f) fail(error_code::not_found, "file not found");
            if (!change(*f)) {
                out.file = std::move(*f);
                return;
            }
            std::vector<file_record> changed{*f};
            if (f->scan_status == "infected") {
                // Equal bytes, equal verdict: every file sharing the content is infected, and
                // the content is forgotten so that its bytes are deleted after the commit.
                for (auto& other : tx.files_of_blob(f->blob_key)) {
                    if (other.id == f->id || other.scan_status == "infected") continue;
                    other.scan_status = "infected";
                    changed.push_back(std::move(other));
                }
                tx.forget_blob(f->blob_key);
                out.orphan_blobs.push_back(f->blob_key);
            }
            auto c = tx.find_conversation(f->conversation_id);
            for (const auto& each : changed) {
                tx.update_file(each);
                auto m = tx.find_message(each.message_id);
                if (!m || !refresh_file_info(*m, each)) continue;
                auto conv = each.conversation_id == f->conversation_id ? c : tx.find_conversation(each.conversation_id);
                if (!conv) continue;
                m->updated_at = now_ms();
                m->change_seq = tx.next_change_seq(conv->id);
                tx.update_message(*m);
                conv->last_change_seq = m->change_seq;
                out.updated.push_back(view_of(tx, *conv, std::move(*m)));
            }
            out.file = std::move(*f);
        },
        [this](outcome& out) {
            collect_blobs(std::move(out.orphan_blobs));
            for (const auto& v : out.updated) {
                std::optional<conversation> c;
                db_.read([&](store::reader& r) { c = r.find_conversation(v.msg.conversation_id); });
                if (c) broadcast_message_updated(*c, v);
            }
        },
        reply<outcome>([done = std::move(done)](std::exception_ptr e, outcome out) { done(e, std::move(out.file)); }));
}

std::vector<file_record> service::unfinished_files() {
    std::vector<file_record> out;
    db_.read([&](store::reader& r) { out = r.unfinished_files(100000); });
    return out;
}

}  // namespace writeen::chat
