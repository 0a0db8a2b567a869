#pragma once
// RFC 8785 JSON Canonicalization Scheme (JCS) for Boost.JSON values: the one byte string a JSON
// value hashes and signs as, whoever serialises it.

#include <string>

#include <boost/json/value.hpp>

namespace writeen::transcripts {

/// The canonical JSON of v: object members sorted by their names' UTF-16 code units, no
/// white space, strings with the minimal escapes of RFC 8785, numbers as ECMAScript prints them
/// (integers in full; doubles in their shortest round-trip form). Throws std::invalid_argument
/// for NaN and infinities, which JSON cannot hold.
std::string canonical_json(const boost::json::value& v);

/// How ECMAScript's Number.prototype.toString prints d (RFC 8785 section 3.2.2.3): "1e+21",
/// "0.000001", "1e-7", "4.5", "-0" as "0".
std::string ecmascript_number(double d);

}  // namespace writeen::transcripts
