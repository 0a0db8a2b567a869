#pragma once
// REST resource /api/search: full-text search over all of the caller's conversations.

#include <boost/json/object.hpp>
#include <cstdint>

#include "chat/service.hpp"
#include "http/router.hpp"

namespace writeen::http {

/// Search across conversations; also shapes every search answer (the per-conversation search
/// of the messages resource answers the same way).
class search_resource {
public:
    explicit search_resource(chat::service& chat) : chat_(chat) {}

    /// Registers GET /api/search (authenticated).
    void add_routes(router& routes);

    /// `{messages[] (each with its highlight, best match first), pagination}` as who may see it.
    static boost::json::object results_json(const chat::search_page& result,
                                            std::int64_t page, std::int64_t limit);

private:
    net::awaitable<response> search(request& r);

    chat::service& chat_;
};

}  // namespace writeen::http
