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

/// The dev login: lists demo users and mints their tokens.
class dev_resource {
public:
    dev_resource(std::string secret, std::vector<demo_user> users) : secret_(std::move(secret)), users_(std::move(users)) {}

    /// Registers GET /api/dev/users and POST /api/dev/token (unauthenticated: they make tokens).
    void add_routes(router& routes);

private:
    net::awaitable<response> users(request& r);
    net::awaitable<response> token(request& r);

    std::string secret_;
    std::vector<demo_user> users_;
};

}  // namespace writeen::http
