#include "http/dev_resource.hpp"

#include <boost/json.hpp>

#include "auth/roles.hpp"
#include "auth/token_minter.hpp"
#include "http/request_parsing.hpp"
#include "http/responses.hpp"
#include "model/clock.hpp"
#include "proto/json.hpp"

namespace writeen::http {
namespace json = boost::json;

namespace {

json::object user_json(const demo_user& u) {
    return json::object{{"id", u.id}, {"name", u.name}, {"role", auth::to_string(u.role)}};
}

}  // namespace

void dev_resource::add_routes(router& routes) {
    routes.add(bhttp::verb::get, "/api/dev/users", [this](request& r) { return users(r); }, false);
    routes.add(bhttp::verb::post, "/api/dev/token", [this](request& r) { return token(r); }, false);
}

net::awaitable<response> dev_resource::users(request& r) {
    json::array users;
    for (const auto& u : users_) users.push_back(user_json(u));
    co_return ok_response(r.raw, json::object{{"users", std::move(users)}});
}

net::awaitable<response> dev_resource::token(request& r) {
    const auto body = body_object(r);
    const std::string user_id = proto::required_string(body, "userId");
    // The same id the dev seed creates the demo room as, so lifecycle messages have one sender.
    const demo_user service{demo_service_id, "Writeen Consultation", role::service};
    const demo_user* who = user_id == service.id ? &service : nullptr;
    for (const auto& u : users_)
        if (u.id == user_id) who = &u;
    if (!who) throw api_error(error_code::not_found, "no such demo user");
    auth::mint_options mint{.secret = secret_, .subject = who->id, .name = who->name, .role = who->role,
                            .issued_at_ms = now_ms()};
    co_return ok_response(r.raw, json::object{{"token", auth::mint_token(mint)}, {"user", user_json(*who)}});
}

}  // namespace writeen::http
