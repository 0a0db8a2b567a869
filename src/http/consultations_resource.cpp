#include "http/consultations_resource.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <unordered_set>

#include "chat/text.hpp"
#include "http/async.hpp"
#include "http/request_parsing.hpp"
#include "model/clock.hpp"
#include "proto/json.hpp"
#include "proto/session_json.hpp"
#include "transcripts/canonical_json.hpp"
#include "transcripts/transcript.hpp"

namespace writeen::http {
namespace json = boost::json;

namespace {

constexpr std::size_t max_title_chars = 200;
constexpr std::size_t max_students = 100;
constexpr std::size_t max_notes_chars = 10000;
constexpr std::size_t max_action_items = 50;
constexpr std::size_t max_action_item_chars = 500;
constexpr std::size_t max_comment_chars = 2000;

response ok(const raw_request& req, json::value data, bhttp::status status = bhttp::status::ok) {
    response res{status, req.version()};
    res.set(bhttp::field::content_type, "application/json; charset=utf-8");
    res.set(bhttp::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    // Canonical JSON (RFC 8785): numbers print as JavaScript prints them ("0.3", not "3E-1"), and
    // a transcript's bytes are the ones its signature covers.
    res.body() = transcripts::canonical_json(json::object{{"success", true}, {"data", std::move(data)}});
    res.prepare_payload();
    return res;
}

[[noreturn]] void bad(error_code code, std::string message) { throw api_error(code, std::move(message)); }

/// The path's consultation id: opaque, as user ids are (1..128 characters, no control ones).
const std::string& consultation_id(const request& r) {
    const std::string& id = r.params.at(0);
    if (!chat::valid_user_id(id)) bad(error_code::bad_request, "consultationId must be 1..128 printable characters");
    return id;
}

unix_ms required_time(const json::object& body, std::string_view key) {
    const std::string text = proto::required_string(body, key);
    auto t = parse_time(text);
    if (!t) bad(error_code::bad_request, std::string(key) + " must be an RFC 3339 time");
    return *t;
}

std::string user_id_of(const json::value& v, std::string_view what) {
    if (!v.is_string()) bad(error_code::bad_request, std::string(what) + " must be a string");
    std::string id(v.get_string());
    if (!chat::valid_user_id(id)) bad(error_code::unprocessable, std::string(what) + " must be 1..128 characters");
    return id;
}

std::size_t chars(std::string_view s) { return chat::code_points(s); }

chat::consultation_request confirm_request(const json::object& body) {
    chat::consultation_request out;
    const std::string title(chat::trim(proto::required_string(body, "title")));
    if (title.empty() || chars(title) > max_title_chars) bad(error_code::unprocessable, "title must be 1..200 characters");
    out.title = title;
    auto tutor = body.find("tutorId");
    if (tutor == body.end()) bad(error_code::bad_request, "tutorId is required");
    out.tutor_id = user_id_of(tutor->value(), "tutorId");
    auto students = body.find("studentIds");
    if (students == body.end() || !students->value().is_array()) bad(error_code::bad_request, "studentIds must be an array");
    std::unordered_set<std::string> seen;
    for (const auto& v : students->value().get_array()) {
        std::string id = user_id_of(v, "studentIds[]");
        if (id == out.tutor_id) bad(error_code::unprocessable, "the tutor cannot also be a student");
        if (seen.insert(id).second) out.student_ids.push_back(std::move(id));
    }
    if (out.student_ids.empty() || out.student_ids.size() > max_students)
        bad(error_code::unprocessable, "studentIds must name 1..100 students");
    out.scheduled_start = required_time(body, "scheduledStart");
    out.scheduled_end = required_time(body, "scheduledEnd");
    if (out.scheduled_end <= out.scheduled_start) bad(error_code::unprocessable, "scheduledEnd must be after scheduledStart");
    if (auto p = body.find("participants"); p != body.end() && !p->value().is_null()) {
        if (!p->value().is_array()) bad(error_code::bad_request, "participants must be an array");
        for (const auto& v : p->value().get_array()) {
            const json::object& o = proto::as_object(v, "participants[]");
            user_profile profile;
            auto uid = o.find("userId");
            if (uid == o.end()) bad(error_code::bad_request, "participants[].userId is required");
            profile.id = user_id_of(uid->value(), "participants[].userId");
            if (profile.id != out.tutor_id && !seen.contains(profile.id))
                bad(error_code::unprocessable, "participants[] may only describe the tutor and the students");
            profile.name = proto::optional_string(o, "name").value_or("");
            profile.avatar = proto::optional_string(o, "avatar").value_or("");
            if (chars(profile.name) > max_title_chars || profile.avatar.size() > 2048)
                bad(error_code::unprocessable, "participants[].name or avatar is too long");
            if (auto role = proto::optional_string(o, "role"); role && *role != "student" && *role != "tutor")
                bad(error_code::bad_request, "participants[].role must be student or tutor");
            out.profiles.push_back(std::move(profile));
        }
    }
    return out;
}

chat::end_request end_request_of(const request& r) {
    chat::end_request out;
    if (chat::trim(r.raw.body()).empty()) return out;  // no body: nothing to add
    const json::object body = body_object(r);
    out.session_notes = proto::optional_string(body, "sessionNotes");
    if (out.session_notes && chars(*out.session_notes) > max_notes_chars)
        bad(error_code::payload_too_large, "sessionNotes is longer than 10000 characters");
    if (auto items = body.find("actionItems"); items != body.end() && !items->value().is_null()) {
        if (!items->value().is_array()) bad(error_code::bad_request, "actionItems must be an array of strings");
        if (items->value().get_array().size() > max_action_items) bad(error_code::unprocessable, "at most 50 actionItems");
        for (const auto& v : items->value().get_array()) {
            if (!v.is_string()) bad(error_code::bad_request, "actionItems must be an array of strings");
            const std::string_view item = chat::trim(v.get_string());
            if (item.empty() || chars(item) > max_action_item_chars)
                bad(error_code::unprocessable, "each actionItem must be 1..500 characters");
            out.action_items.emplace_back(item);
        }
    }
    return out;
}

}  // namespace

void consultations_resource::add_routes(router& r) {
    using bhttp::verb;
    const auto bind = [this](net::awaitable<response> (consultations_resource::*fn)(request&)) {
        return [this, fn](request& req) { return (this->*fn)(req); };
    };
    r.add(verb::put, "/api/consultations/:consultationId/chat", bind(&consultations_resource::confirm));
    r.add(verb::delete_, "/api/consultations/:consultationId/chat", bind(&consultations_resource::cancel));
    r.add(verb::post, "/api/consultations/:consultationId/start", bind(&consultations_resource::start));
    r.add(verb::post, "/api/consultations/:consultationId/end", bind(&consultations_resource::end));
    r.add(verb::get, "/api/conversations/:id/sessions", bind(&consultations_resource::list_sessions));
    r.add(verb::post, "/api/sessions/:sessionId/rating", bind(&consultations_resource::rate));
    r.add(verb::get, "/api/sessions/:sessionId/transcript", bind(&consultations_resource::transcript));
    r.add(verb::get, "/api/transcripts/keys", bind(&consultations_resource::keys));
}

net::awaitable<response> consultations_resource::confirm(request& r) {
    chat::require_service(r.who);  // before the body: a 403 says nothing about its shape
    const std::string id = consultation_id(r);
    auto req = confirm_request(body_object(r));
    auto result = co_await await_reply<chat::confirmed_consultation>(
        [&](auto done) { chat_.consultations().confirm(r.who, id, std::move(req), std::move(done)); });
    co_return ok(r.raw, json::object{{"conversation", proto::conversation_json(result.conversation)}},
                 result.created ? bhttp::status::created : bhttp::status::ok);
}

net::awaitable<response> consultations_resource::cancel(request& r) {
    chat::require_service(r.who);
    const std::string id = consultation_id(r);
    auto result = co_await await_reply<chat::confirmed_consultation>(
        [&](auto done) { chat_.consultations().cancel(r.who, id, std::move(done)); });
    co_return ok(r.raw, json::object{{"conversation", proto::conversation_json(result.conversation)}});
}

net::awaitable<response> consultations_resource::start(request& r) {
    chat::require_service(r.who);
    const std::string id = consultation_id(r);
    auto session = co_await await_reply<chat_session>(
        [&](auto done) { chat_.consultations().start(r.who, id, std::move(done)); });
    co_return ok(r.raw, json::object{{"session", proto::session_json(session)}});
}

net::awaitable<response> consultations_resource::end(request& r) {
    chat::require_service(r.who);
    const std::string id = consultation_id(r);
    auto req = end_request_of(r);
    auto session = co_await await_reply<chat_session>(
        [&](auto done) { chat_.consultations().end(r.who, id, std::move(req), std::move(done)); });
    co_return ok(r.raw, json::object{{"session", proto::session_json(session)}});
}

net::awaitable<response> consultations_resource::list_sessions(request& r) {
    json::array items;
    for (const auto& s : chat_.sessions().list(r.who, r.params.at(0))) items.push_back(proto::session_json(s));
    co_return ok(r.raw, json::object{{"sessions", std::move(items)}});
}

net::awaitable<response> consultations_resource::rate(request& r) {
    const json::object body = body_object(r);
    auto it = body.find("rating");
    if (it == body.end() || it->value().is_null()) bad(error_code::bad_request, "rating is required");
    const json::value& v = it->value();
    if (!v.is_number()) bad(error_code::bad_request, "rating must be a number");
    // 4.0 is the integer 4; 4.5 and 6 are numbers the rating scale does not have.
    const double d = v.is_double() ? v.get_double() : v.is_int64() ? static_cast<double>(v.get_int64()) : 1e9;
    if (d != std::floor(d) || d < 1 || d > 5) bad(error_code::unprocessable, "rating must be an integer from 1 to 5");
    std::string comment = proto::optional_string(body, "comment").value_or("");
    if (chars(comment) > max_comment_chars) bad(error_code::unprocessable, "comment is longer than 2000 characters");
    const std::string session_id = r.params.at(0);
    auto session = co_await await_reply<chat_session>([&](auto done) {
        chat_.sessions().rate(r.who, session_id, static_cast<int>(d), std::move(comment), std::move(done));
    });
    co_return ok(r.raw, json::object{{"session", proto::session_json(session)}});
}

net::awaitable<response> consultations_resource::transcript(request& r) {
    if (!signer_) bad(error_code::unavailable, "transcripts are not signed on this server");
    auto body = chat_.sessions().transcript_body(r.who, r.params.at(0));
    co_return ok(r.raw, transcripts::seal(std::move(body), *signer_));
}

net::awaitable<response> consultations_resource::keys(request& r) {
    json::array keys;
    for (const auto& k : chat_.sessions().transcript_keys())
        keys.push_back(json::object{{"keyId", k.key_id}, {"publicKey", k.public_key_pem}, {"createdAt", format_time(k.created_at)}});
    co_return ok(r.raw, json::object{{"keys", std::move(keys)}});
}

}  // namespace writeen::http
