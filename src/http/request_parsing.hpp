#pragma once
// Strict parsing of query parameters and bodies: a value that is present but wrong is a 400,
// never silently replaced by a default.

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/router.hpp"

namespace writeen::http {

/// Splits and percent-decodes `a=1&b=x+y`; malformed escapes are kept verbatim.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

/// The integer in `text` (decimal, optional '-'), or nullopt.
std::optional<std::int64_t> parse_int(std::string_view text);

/// Query integer `key` within [min, max], else `fallback` when absent; 400 when malformed or out of range.
std::int64_t query_int(const request& r, std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max);
/// Query boolean `key` ("true"/"false"), else fallback; 400 otherwise.
bool query_bool(const request& r, std::string_view key, bool fallback);

/// The request body as a JSON object; 400 when it is not one.
boost::json::object body_object(const request& r);

}  // namespace writeen::http
