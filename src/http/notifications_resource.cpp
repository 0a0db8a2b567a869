#include "http/notifications_resource.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <memory>

#include "auth/base64url.hpp"
#include "chat/text.hpp"
#include "http/async.hpp"
#include "http/request_parsing.hpp"
#include "http/responses.hpp"
#include "model/clock.hpp"
#include "model/ids.hpp"
#include "notify/push_endpoint.hpp"
#include "proto/json.hpp"
#include "proto/notification_json.hpp"

namespace writeen::http {
namespace json = boost::json;
namespace {

constexpr std::size_t max_user_agent_chars = 512;
constexpr std::size_t max_subscriptions_per_user = 20;

/// Runs a copy of work on the store's writer; the awaitable gives its result (the work may throw
/// api_error). Callers name the work and pass it by reference: GCC 12 destroyed a lambda
/// temporary with captured strings twice when it was written inside the co_await expression
/// (valgrind: invalid free).
template <class T, class Work>
net::awaitable<T> write(store::database& db, const Work& work) {
    return await_reply<T>([&db, work](auto done) mutable {
        auto result = std::make_shared<T>();
        db.submit([result, work = std::move(work)](store::transaction& tx) mutable { *result = work(tx); },
                  [result, done = std::move(done)](std::exception_ptr e) mutable { done(e, std::move(*result)); });
    });
}

/// A base64url key of exactly `size` bytes (422 otherwise: the JSON was well-formed).
std::string key_of(const json::object& keys, std::string_view name, std::size_t size) {
    auto text = proto::required_string(keys, name);
    auto bytes = auth::base64url_decode(text);
    // Browsers send the keys unpadded; a padded copy is accepted as the same key.
    if (!bytes) {
        while (!text.empty() && text.back() == '=') text.pop_back();
        bytes = auth::base64url_decode(text);
    }
    if (!bytes || bytes->size() != size)
        throw api_error(error_code::unprocessable,
                        "keys." + std::string(name) + " must be " + std::to_string(size) + " bytes in base64url");
    return text;
}

}  // namespace

void notifications_resource::add_routes(router& routes) {
    using bhttp::verb;
    auto bind = [this](auto method) { return [this, method](request& r) { return (this->*method)(r); }; };
    routes.add(verb::get, "/api/conversations/:id/notifications", bind(&notifications_resource::get_setting));
    routes.add(verb::put, "/api/conversations/:id/notifications", bind(&notifications_resource::put_setting));
    routes.add(verb::get, "/api/notifications/vapid-key", bind(&notifications_resource::vapid_key));
    routes.add(verb::post, "/api/notifications/subscriptions", bind(&notifications_resource::subscribe));
    routes.add(verb::get, "/api/notifications/subscriptions", bind(&notifications_resource::subscriptions));
    routes.add(verb::delete_, "/api/notifications/subscriptions/:id", bind(&notifications_resource::unsubscribe));
    routes.add(verb::get, "/api/notifications", bind(&notifications_resource::list));
    routes.add(verb::post, "/api/notifications/read", bind(&notifications_resource::mark_read));
}

net::awaitable<response> notifications_resource::get_setting(request& r) {
    const std::string& id = r.params.at(0);
    chat_.conversations().get_conversation(r.who, id);  // 404/403 exactly as the other routes
    std::optional<notification_setting> setting;
    chat_.database().read([&](store::reader& q) { setting = q.notification_setting_of(r.who.user_id, id); });
    const auto shown = setting.value_or(notification_setting{.user_id = r.who.user_id, .conversation_id = id});
    co_return ok_response(r.raw, json::object{{"notifications", proto::notification_setting_json(shown)}});
}

net::awaitable<response> notifications_resource::put_setting(request& r) {
    const std::string id = r.params.at(0);
    chat_.conversations().get_conversation(r.who, id);
    const auto body = body_object(r);
    const auto muted = proto::optional_bool(body, "muted");
    if (!muted) throw api_error(error_code::bad_request, "muted (a boolean) is required");
    notification_setting s{.user_id = r.who.user_id, .conversation_id = id, .muted = *muted, .updated_at = now_ms()};
    if (auto until = proto::optional_string(body, "mutedUntil")) {
        s.muted_until = parse_time(*until);
        if (!s.muted_until) throw api_error(error_code::bad_request, "mutedUntil must be an RFC 3339 time");
    }
    if (!s.muted) s.muted_until.reset();
    const auto work = [s](store::transaction& tx) {
        tx.upsert_notification_setting(s);
        return true;
    };
    co_await write<bool>(chat_.database(), work);
    co_return ok_response(r.raw, json::object{{"notifications", proto::notification_setting_json(s)}});
}

net::awaitable<response> notifications_resource::vapid_key(request& r) {
    if (!vapid_) throw api_error(error_code::unavailable, "Web Push is not configured");
    co_return ok_response(r.raw, json::object{{"publicKey", vapid_->public_key_base64url()}});
}

net::awaitable<response> notifications_resource::subscribe(request& r) {
    const auto body = body_object(r);
    push_subscription s;
    s.endpoint = proto::required_string(body, "endpoint");
    if (s.endpoint.size() > notify::max_push_endpoint_size)
        throw api_error(error_code::unprocessable, "endpoint is longer than 2048 bytes");
    if (!notify::acceptable_push_endpoint(s.endpoint))
        throw api_error(error_code::unprocessable, "endpoint must be an https: URL (http: only to loopback)");
    const auto keys_it = body.find("keys");
    if (keys_it == body.end()) throw api_error(error_code::bad_request, "keys is required");
    const auto& keys = proto::as_object(keys_it->value(), "keys");
    s.p256dh = key_of(keys, "p256dh", 65);
    if (auth::base64url_decode(s.p256dh)->front() != '\x04')
        throw api_error(error_code::unprocessable, "keys.p256dh must be an uncompressed P-256 point");
    s.auth = key_of(keys, "auth", 16);
    s.user_agent = proto::optional_string(body, "userAgent").value_or("");
    if (chat::code_points(s.user_agent) > max_user_agent_chars)
        throw api_error(error_code::unprocessable, "userAgent is longer than 512 characters");
    s.id = make_object_id();
    s.user_id = r.who.user_id;
    s.created_at = now_ms();
    const auto work = [s](store::transaction& tx) {
        auto existing = tx.push_subscriptions_of(s.user_id);
        const bool known = std::any_of(existing.begin(), existing.end(), [&](auto& e) { return e.endpoint == s.endpoint; });
        if (!known && existing.size() >= max_subscriptions_per_user)
            throw api_error(error_code::conflict, "at most 20 push subscriptions per user");
        return tx.upsert_push_subscription(s);
    };
    auto stored = co_await write<push_subscription>(chat_.database(), work);
    co_return ok_response(r.raw, json::object{{"subscription", proto::subscription_json(stored)}},
                          bhttp::status::created);
}

net::awaitable<response> notifications_resource::subscriptions(request& r) {
    std::vector<push_subscription> list;
    chat_.database().read([&](store::reader& q) { list = q.push_subscriptions_of(r.who.user_id); });
    json::array items;
    for (const auto& s : list) items.push_back(proto::subscription_json(s));
    co_return ok_response(r.raw, json::object{{"subscriptions", std::move(items)}});
}

net::awaitable<response> notifications_resource::unsubscribe(request& r) {
    const std::string id = r.params.at(0);
    const std::string user = r.who.user_id;
    const auto work = [id, user](store::transaction& tx) {
        auto s = tx.find_push_subscription(id);
        // Another user's subscription is answered like an unknown one.
        if (!s || s->user_id != user) return false;
        return tx.delete_push_subscription(id);
    };
    const bool deleted = co_await write<bool>(chat_.database(), work);
    if (!deleted) throw api_error(error_code::not_found, "subscription not found");
    co_return ok_response(r.raw, json::object{{"deleted", true}});
}

net::awaitable<response> notifications_resource::list(request& r) {
    const auto limit = query_int(r, "limit", 20, 1, 100);
    std::optional<std::string> before;
    if (auto b = r.query_value("before")) {
        if (!is_object_id(*b)) throw api_error(error_code::bad_request, "before must be a notification id");
        before = std::string(*b);
    }
    std::vector<notification> items;
    std::int64_t unread = 0;
    chat_.database().read([&](store::reader& q) {
        items = q.notifications_of(r.who.user_id, before, static_cast<int>(limit));
        unread = q.unread_notification_count(r.who.user_id);
    });
    const bool has_more = static_cast<std::int64_t>(items.size()) > limit;
    if (has_more) items.resize(static_cast<std::size_t>(limit));
    json::array out;
    for (const auto& n : items) out.push_back(proto::notification_json(n));
    json::object pagination{{"limit", limit}, {"hasMore", has_more}};
    pagination["nextBefore"] = has_more ? json::value(items.back().id) : json::value(nullptr);
    co_return ok_response(r.raw, json::object{{"notifications", std::move(out)},
                                              {"pagination", std::move(pagination)},
                                              {"unreadCount", unread}});
}

net::awaitable<response> notifications_resource::mark_read(request& r) {
    const auto body = body_object(r);
    const auto up_to = proto::required_string(body, "upTo");
    if (!is_object_id(up_to)) throw api_error(error_code::bad_request, "upTo must be a notification id");
    const std::string user = r.who.user_id;
    const auto now = now_ms();
    const auto work = [user, up_to, now](store::transaction& tx) { return tx.mark_notifications_read(user, up_to, now); };
    const auto marked = co_await write<std::int64_t>(chat_.database(), work);
    std::int64_t unread = 0;
    chat_.database().read([&](store::reader& q) { unread = q.unread_notification_count(user); });
    co_return ok_response(r.raw, json::object{{"marked", marked}, {"unreadCount", unread}});
}

}  // namespace writeen::http
