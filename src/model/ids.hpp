#pragma once
#include <string>
#include <string_view>

namespace writeen {

/// A new 24-hex-character id with MongoDB ObjectId layout: 4-byte big-endian seconds,
/// 5 random bytes fixed per process, 3-byte counter. Ids made later sort after earlier ones.
/// Thread-safe.
std::string make_object_id();

/// True for 24 lowercase hex characters.
bool is_object_id(std::string_view s);

}  // namespace writeen
