#pragma once
// What one node publishes to the others on the Redis bus: a delivery, a cache invalidation,
// or what it knows of its users (presence, activity), with the node it came from. The bytes arrive from Redis, so decode checks every length.

#include <optional>
#include <string>
#include <string_view>

#include <vector>

#include "bus/bus.hpp"
#include "bus/remote_presence.hpp"

namespace writeen::bus {

struct envelope {
    enum class kind : char {
        delivery = 'D',
        invalidation = 'I',  // conversation_id changed (participants, settings, archive)
        presence = 'P',      // the origin now has (here) or no longer has sockets of users[0]
        activity = 'A',      // users: every user the origin has sockets of, with their latest activity
    };
    kind what = kind::delivery;
    std::string origin_node;  // a node ignores envelopes it published itself
    delivery d;               // kind::delivery
    std::string conversation_id;  // kind::invalidation
    bool here = false;                // kind::presence
    std::vector<user_activity> users;  // kind::presence (exactly one), kind::activity
};

/// Versioned, length-prefixed binary: "W1", the kind, then the fields as u32-length strings.
std::string encode(const envelope& e);
/// nullopt for anything encode did not produce (bad magic, short or trailing bytes, absurd
/// counts). A decoded delivery has except_connection 0: connection ids mean nothing elsewhere.
std::optional<envelope> decode(std::string_view bytes);

}  // namespace writeen::bus
