#pragma once
// /api/dev/*: demo users and tokens signed with the dev secret, served only with --dev, so the
// web client can be tried without the Writeen main application.

#include <string>
#include <vector>

#include "http/router.hpp"
#include "model/types.hpp"

namespace writeen::http {

/// A user offered by the dev login.
struct demo_user {
    std::string id;
    std::string name;
    writeen::role role;
};

/// The user id of the demo consultation service: `POST /api/dev/token {"userId": this}` mints a
/// `role: service` token, so the web client can play the consultation lifecycle in dev mode. It is
/// not listed by GET /api/dev/users: a service token cannot chat, so it is no one to sign in as.
inline constexpr const char* demo_service_id = "writeen-consultation";

/// The dev login: lists demo users and mints their tokens (and the demo service's).
class dev_resource {
public:
    dev_resource(std::string secret, std::vector<demo_user> users) : secret_(std::move(secret)), users_(std::move(users)) {}

    /// Registers GET /api/dev/users and POST /api/dev/token (unauthenticated: they make tokens).
    /// Only registered with --dev.
    void add_routes(router& routes);

private:
    net::awaitable<response> users(request& r);
    net::awaitable<response> token(request& r);

    std::string secret_;
    std::vector<demo_user> users_;
};

}  // namespace writeen::http
