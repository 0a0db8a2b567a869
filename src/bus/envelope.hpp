#pragma once
// What one node publishes to the others on the Redis bus: a delivery or a cache invalidation,
// with the node it came from. The bytes arrive from Redis, so decode checks every length.

#include <optional>
#include <string>
#include <string_view>

#include "bus/bus.hpp"

namespace writeen::bus {

struct envelope {
    enum class kind : char {
        delivery = 'D',
        invalidation = 'I',  // conversation_id changed (participants, settings, archive)
    };
    kind what = kind::delivery;
    std::string origin_node;  // a node ignores envelopes it published itself
    delivery d;               // kind::delivery
    std::string conversation_id;  // kind::invalidation
};

/// Versioned, length-prefixed binary: "W1", the kind, then the fields as u32-length strings.
std::string encode(const envelope& e);
/// nullopt for anything encode did not produce (bad magic, short or trailing bytes, absurd
/// counts). A decoded delivery has except_connection 0: connection ids mean nothing elsewhere.
std::optional<envelope> decode(std::string_view bytes);

}  // namespace writeen::bus
