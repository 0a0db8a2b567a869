#pragma once
// REST resource /api/conversations: list, create, read and update conversations, and their
// participants (API.md, "Conversations").

#include "chat/service.hpp"
#include "http/router.hpp"

namespace writeen::http {

/// Conversations and their participants; validates input, the chat service decides.
class conversations_resource {
public:
    explicit conversations_resource(chat::service& chat) : chat_(chat) {}

    /// Registers the conversation routes (all authenticated).
    void add_routes(router& routes);

private:
    net::awaitable<response> list(request& r);
    net::awaitable<response> create(request& r);
    net::awaitable<response> get(request& r);
    net::awaitable<response> update(request& r);
    net::awaitable<response> archive_for_me(request& r);
    net::awaitable<response> add_participant(request& r);
    net::awaitable<response> remove_participant(request& r);

    chat::service& chat_;
};

}  // namespace writeen::http
