#pragma once
// REST resource for notifications (API.md "Notifications"): a conversation's mute setting, the
// VAPID key, Web Push subscriptions, the in-app list and marking it read. The notifier
// (notify/notifier) does the sending; this only reads and writes the caller's own rows.

#include "chat/service.hpp"
#include "http/router.hpp"
#include "notify/vapid_key.hpp"

namespace writeen::http {

class notifications_resource {
public:
    explicit notifications_resource(chat::service& chat) : chat_(chat) {}

    /// Registers the routes (authenticated).
    void add_routes(router& routes);
    /// Serves GET /api/notifications/vapid-key with this key (not owned; outlives this).
    /// Without one it answers 503.
    void set_vapid_key(const notify::vapid_key& key) { vapid_ = &key; }

private:
    net::awaitable<response> get_setting(request& r);
    net::awaitable<response> put_setting(request& r);
    net::awaitable<response> vapid_key(request& r);
    net::awaitable<response> subscribe(request& r);
    net::awaitable<response> subscriptions(request& r);
    net::awaitable<response> unsubscribe(request& r);
    net::awaitable<response> list(request& r);
    net::awaitable<response> mark_read(request& r);

    chat::service& chat_;
    const notify::vapid_key* vapid_ = nullptr;
};

}  // namespace writeen::http
