#pragma once
// REST resource /api/users: the directory behind the web client's people picker.

#include "chat/service.hpp"
#include "http/router.hpp"

namespace writeen::http {

class users_resource {
public:
    explicit users_resource(chat::service& chat) : chat_(chat) {}

    /// Registers GET /api/users (authenticated).
    void add_routes(router& routes);

private:
    net::awaitable<response> list(request& r);

    chat::service& chat_;
};

}  // namespace writeen::http
