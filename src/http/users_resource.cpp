#include "http/users_resource.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <utility>
#include <vector>

#include "chat/text.hpp"
#include "http/request_parsing.hpp"
#include "http/responses.hpp"
#include "model/clock.hpp"
#include "proto/json.hpp"

namespace writeen::http {
namespace json = boost::json;

namespace {

constexpr std::size_t max_query_code_points = 100;

/// A search text the picker can send: at most 100 characters, none of them a control character
/// (a well-formed query that cannot name anybody is 422, as API.md's "well-formed but invalid").
void check_search_text(std::string_view q) {
    if (chat::code_points(q) > max_query_code_points)
        throw api_error(error_code::unprocessable, "q is longer than 100 characters");
    for (unsigned char ch : q)
        if (ch < 0x20 || ch == 0x7f) throw api_error(error_code::unprocessable, "q contains a control character");
}

/// The members of one conversation the caller may see, matching the folded text, by name then id.
store::user_page members_matching(chat::service& chat, const auth::principal& who, const std::string& conversation_id,
                                  const std::string& folded, std::int64_t offset, std::int64_t limit) {
    const auto view = chat.conversations().get_conversation(who, conversation_id);  // 404/403 as GET
    std::vector<user_profile> members;
    for (const auto& p : view.conv.participants) {
        if (!p.active() || p.role == role::service) continue;
        user_profile u = chat.users().find(p.user_id).value_or(user_profile{p.user_id, p.name, p.avatar, p.role, 0});
        if (!folded.empty() && chat::ascii_lower(u.name).find(folded) == std::string::npos &&
            chat::ascii_lower(u.id).find(folded) == std::string::npos)
            continue;
        members.push_back(std::move(u));
    }
    std::ranges::sort(members, [](const user_profile& a, const user_profile& b) {
        return std::pair(chat::ascii_lower(a.name), a.id) < std::pair(chat::ascii_lower(b.name), b.id);
    });
    store::user_page page;
    page.total = static_cast<std::int64_t>(members.size());
    for (auto i = offset; i < page.total && i < offset + limit; ++i) page.users.push_back(std::move(members[static_cast<std::size_t>(i)]));
    return page;
}

}  // namespace

void users_resource::add_routes(router& routes) {
    routes.add(bhttp::verb::get, "/api/users", [this](request& r) { return list(r); });
}

net::awaitable<response> users_resource::list(request& r) {
    std::string_view q;
    if (auto text = r.query_value("q")) q = chat::trim(*text);
    check_search_text(q);
    const auto page = query_int(r, "page", 1, 1, 1'000'000);
    const auto limit = query_int(r, "limit", 20, 1, 100);
    const auto offset = (page - 1) * limit;
    // With conversationId: that conversation's current members, the caller included (the
    // member list); without: the people picker's search over the users the caller may find.
    auto conversation_id = r.query_value("conversationId");
    auto found = conversation_id
                     ? members_matching(chat_, r.who, std::string(*conversation_id), chat::ascii_lower(q), offset, limit)
                     : chat_.users().search(r.who, q, static_cast<int>(offset), static_cast<int>(limit));
    json::array items;
    for (const auto& u : found.users) {
        auto item = proto::user_json(u);
        const bool online = chat_.hub().is_online(u.id);
        item["isOnline"] = online;
        // last_seen is when the latest token or disconnect was recorded; 0 means never.
        item["lastSeen"] = u.last_seen > 0 ? json::value(format_time(u.last_seen)) : json::value(nullptr);
        items.push_back(std::move(item));
    }
    co_return ok_response(r.raw, json::object{{"users", std::move(items)},
                                              {"pagination", json::object{{"page", page},
                                                                          {"limit", limit},
                                                                          {"total", found.total},
                                                                          {"totalPages", (found.total + limit - 1) / limit}}}});
}

}  // namespace writeen::http
