#pragma once
// GET /api/openapi.json: the OpenAPI 3.1 description of this REST API, docs/openapi.json
// compiled into the binary (its only copy). Unauthenticated, like any published contract.

#include <string_view>

#include "http/router.hpp"

namespace writeen::http {

/// The OpenAPI document's JSON text, as in docs/openapi.json.
std::string_view openapi_document();

/// Serves the OpenAPI document.
class openapi_resource {
public:
    /// Registers GET /api/openapi.json (no token needed).
    void add_routes(router& routes);
};

}  // namespace writeen::http
