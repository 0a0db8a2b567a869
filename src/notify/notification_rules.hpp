#pragma once
// The pure rules of notifying (API.md "Notifications"): who gets what for a message, how a
// preview is cut, what counts as a mention, when a failed send is tried again. No I/O, so the
// notifier's decisions are unit-tested apart from its loop.

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "model/types.hpp"

namespace writeen::notify {

/// Longest preview, in code points.
constexpr std::size_t max_preview_code_points = 140;

/// `text` cut to at most max_preview_code_points code points, never inside one (invalid UTF-8
/// ends the preview where it starts).
std::string cut_preview(std::string_view text);

/// Whether `text` mentions `user_id` as `@user_id`: the `@` not preceded by a word character
/// (so an e-mail address is not a mention), the id not followed by one.
bool mentions(std::string_view text, std::string_view user_id);

/// What a recipient knows about a message at planning time.
struct recipient_state {
    bool is_sender = false;
    bool has_read = false;          // read cursor >= the message's seq
    bool active_socket = false;     // a socket opened or used within --notify-idle-s
    bool muted = false;             // muted now (muted_until not passed)
    bool reply_to_recipient = false;  // the message replies to one of theirs
    bool mentions_recipient = false;
};

/// What a message gives one recipient.
enum class message_notice { none, message, reply, mention };

/// The notice for one recipient: nothing for the sender, a reader, or someone looking (an
/// active socket); a reply or mention even when muted; else a (coalesced) message unless muted.
message_notice decide(const recipient_state& r);

/// Whether a setting {muted, muted_until} mutes now.
bool muted_at(bool muted, std::optional<unix_ms> muted_until, unix_ms now);

/// The retry schedule: exponential from 1 s doubling to 10 min, with full jitter.
struct backoff {
    static constexpr std::int64_t first_ms = 1000;
    static constexpr std::int64_t cap_ms = 10 * 60 * 1000;
    /// Ceiling of the wait after `attempts` failed attempts (1 → 1 s, 2 → 2 s, ... up to 10 min).
    static std::int64_t ceiling_ms(std::int64_t attempts);
    /// A wait drawn uniformly from [0, ceiling_ms(attempts)] ("full jitter"), at least 100 ms so
    /// a failing receiver is not hammered.
    static std::int64_t delay_ms(std::int64_t attempts, std::mt19937_64& random);
};

/// How long a send is tried before it is dropped.
constexpr std::int64_t delivery_lifetime_ms = 24LL * 60 * 60 * 1000;

}  // namespace writeen::notify
