#pragma once
// REST resource for messages: history, sending, read cursors, edits, deletion, reactions and
// threads (API.md, "Messages").

#include "chat/service.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace writeen::http {

/// Messages of a conversation and each message; validates input, the chat service decides.
class messages_resource {
public:
    messages_resource(chat::service& chat, metrics& m) : chat_(chat), metrics_(m) {}

    /// Registers the message routes (all authenticated).
    void add_routes(router& routes);

private:
    net::awaitable<response> list(request& r);
    net::awaitable<response> send(request& r);
    net::awaitable<response> mark_read(request& r);
    net::awaitable<response> edit(request& r);
    net::awaitable<response> remove(request& r);
    net::awaitable<response> add_reaction(request& r);
    net::awaitable<response> remove_reaction(request& r);
    net::awaitable<response> thread(request& r);

    chat::service& chat_;
    metrics& metrics_;
};

}  // namespace writeen::http
