#include "http/conversations_resource.hpp"

#include <boost/json.hpp>

#include "auth/roles.hpp"
#include "http/async.hpp"
#include "http/request_parsing.hpp"
#include "http/responses.hpp"
#include "proto/json.hpp"

namespace writeen::http {
namespace json = boost::json;

namespace {

std::vector<std::string> string_array(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_array()) throw api_error(error_code::bad_request, std::string(key) + " must be an array");
    std::vector<std::string> out;
    for (const auto& v : it->value().get_array()) {
        if (!v.is_string()) throw api_error(error_code::bad_request, std::string(key) + " must contain strings");
        out.emplace_back(v.get_string());
    }
    return out;
}

response conversation_response(const raw_request& req, const conversation_view& view,
                               bhttp::status status = bhttp::status::ok) {
    return ok_response(req, json::object{{"conversation", proto::conversation_json(view)}}, status);
}

}  // namespace

void conversations_resource::add_routes(router& routes) {
    using bhttp::verb;
    const auto bind = [this](net::awaitable<response> (conversations_resource::*fn)(request&)) {
        return [this, fn](request& r) { return (this->*fn)(r); };
    };
    routes.add(verb::get, "/api/conversations", bind(&conversations_resource::list));
    routes.add(verb::post, "/api/conversations", bind(&conversations_resource::create));
    routes.add(verb::get, "/api/conversations/:id", bind(&conversations_resource::get));
    routes.add(verb::patch, "/api/conversations/:id", bind(&conversations_resource::update));
    routes.add(verb::put, "/api/conversations/:id/archive", bind(&conversations_resource::archive_for_me));
    routes.add(verb::post, "/api/conversations/:id/participants", bind(&conversations_resource::add_participant));
    routes.add(verb::delete_, "/api/conversations/:id/participants/:userId",
               bind(&conversations_resource::remove_participant));
}

net::awaitable<response> conversations_resource::list(request& r) {
    const auto page = query_int(r, "page", 1, 1, 1'000'000);
    const auto limit = query_int(r, "limit", 20, 1, 100);
    store::conversation_filter filter;
    filter.archived = query_bool(r, "archived", false);
    if (auto type = r.query_value("type")) {
        filter.type = proto::parse_conversation_type(*type);
        if (!filter.type) throw api_error(error_code::bad_request, "type must be direct, consultation or group");
    }
    auto list = chat_.conversations().list_conversations(r.who, filter, static_cast<int>(page), static_cast<int>(limit));
    json::array items;
    for (const auto& v : list.items) items.push_back(proto::conversation_json(v));
    co_return ok_response(r.raw, json::object{{"conversations", std::move(items)},
                                              {"pagination", json::object{{"page", page},
                                                                          {"limit", limit},
                                                                          {"total", list.total},
                                                                          {"totalPages", (list.total + limit - 1) / limit}}}});
}

net::awaitable<response> conversations_resource::create(request& r) {
    const auto body = body_object(r);
    chat::create_conversation_request req;
    const auto type = proto::optional_string(body, "type");
    if (!type) throw api_error(error_code::bad_request, "type is required");
    auto parsed = proto::parse_conversation_type(*type);
    if (!parsed) throw api_error(error_code::bad_request, "type must be direct, consultation or group");
    req.type = *parsed;
    req.participant_ids = string_array(body, "participantIds");
    req.title = proto::optional_string(body, "title").value_or("");
    req.consultation_id = proto::optional_string(body, "consultationId").value_or("");
    auto [view, created] = co_await await_reply<std::pair<conversation_view, bool>>(
        [&](auto done) { chat_.conversations().create_conversation(r.who, std::move(req), std::move(done)); });
    co_return conversation_response(r.raw, view, created ? bhttp::status::created : bhttp::status::ok);
}

net::awaitable<response> conversations_resource::get(request& r) {
    auto view = chat_.conversations().get_conversation(r.who, r.params.at(0));
    co_return conversation_response(r.raw, view);
}

net::awaitable<response> conversations_resource::update(request& r) {
    const auto body = body_object(r);
    chat::conversation_patch patch;
    patch.title = proto::optional_string(body, "title");
    patch.archived = proto::optional_bool(body, "archived");
    if (auto it = body.find("settings"); it != body.end() && !it->value().is_null()) {
        const auto& s = proto::as_object(it->value(), "settings");
        patch.allow_file_upload = proto::optional_bool(s, "allowFileUpload");
        patch.max_file_size = proto::optional_int(s, "maxFileSize");
        patch.auto_archive = proto::optional_bool(s, "autoArchive");
        patch.retention_days = proto::optional_int(s, "retention");
        if (auto t = s.find("allowedFileTypes"); t != s.end() && !t->value().is_null())
            patch.allowed_file_types = string_array(s, "allowedFileTypes");
    }
    auto view = co_await await_reply<conversation_view>(
        [&](auto done) { chat_.conversations().update_conversation(r.who, r.params.at(0), std::move(patch), std::move(done)); });
    co_return conversation_response(r.raw, view);
}

net::awaitable<response> conversations_resource::archive_for_me(request& r) {
    const auto body = body_object(r);
    const auto archived = proto::optional_bool(body, "archived");
    if (!archived) throw api_error(error_code::bad_request, "archived must be a boolean");
    auto view = co_await await_reply<conversation_view>(
        [&](auto done) { chat_.conversations().set_archived_for_me(r.who, r.params.at(0), *archived, std::move(done)); });
    co_return conversation_response(r.raw, view);
}

net::awaitable<response> conversations_resource::add_participant(request& r) {
    const auto body = body_object(r);
    const std::string user_id = proto::required_string(body, "userId");
    std::optional<role> as_role;
    if (auto text = proto::optional_string(body, "role")) {
        as_role = auth::parse_role(*text);
        if (!as_role || *as_role == role::service)
            throw api_error(error_code::bad_request, "role must be student, tutor or admin");
    }
    std::optional<std::vector<std::string>> permissions;
    if (auto it = body.find("permissions"); it != body.end() && !it->value().is_null())
        permissions = string_array(body, "permissions");
    auto view = co_await await_reply<conversation_view>([&](auto done) {
        chat_.conversations().add_participant(r.who, r.params.at(0), user_id, as_role, std::move(permissions), std::move(done));
    });
    co_return conversation_response(r.raw, view);
}

net::awaitable<response> conversations_resource::remove_participant(request& r) {
    auto view = co_await await_reply<conversation_view>(
        [&](auto done) { chat_.conversations().remove_participant(r.who, r.params.at(0), r.params.at(1), std::move(done)); });
    co_return conversation_response(r.raw, view);
}

}  // namespace writeen::http
