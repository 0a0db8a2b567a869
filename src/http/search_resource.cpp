#include "http/search_resource.hpp"

#include <boost/json.hpp>

#include "chat/text.hpp"
#include "http/request_parsing.hpp"
#include "http/responses.hpp"
#include "proto/events.hpp"

namespace writeen::http {
namespace json = boost::json;

void search_resource::add_routes(router& routes) {
    routes.add(bhttp::verb::get, "/api/search", [this](request& r) { return search(r); });
}

json::object search_resource::results_json(const chat::search_page& result,
                                           std::int64_t page, std::int64_t limit) {
    json::array items;
    for (const auto& [view, hit] : result.hits) {
        auto m = proto::message_json_for(view);
        m["highlight"] = proto::highlight_json(hit);
        items.push_back(std::move(m));
    }
    return json::object{{"messages", std::move(items)},
                        {"pagination", json::object{{"page", page}, {"limit", limit}, {"hasMore", result.has_more}}}};
}

net::awaitable<response> search_resource::search(request& r) {
    auto q = r.query_value("q");
    if (!q || chat::trim(*q).empty()) throw api_error(error_code::bad_request, "q is required");
    if (q->size() > 256) throw api_error(error_code::bad_request, "q is longer than 256 bytes");
    const auto page = query_int(r, "page", 1, 1, 1'000'000);
    const auto limit = query_int(r, "limit", 20, 1, 100);
    std::optional<std::string> conversation_id;
    if (auto c = r.query_value("conversationId")) conversation_id = std::string(*c);
    auto result = chat_.messages().search(r.who, conversation_id, std::string(*q), static_cast<int>((page - 1) * limit),
                               static_cast<int>(limit));
    co_return ok_response(r.raw, results_json(result, page, limit));
}

}  // namespace writeen::http
