#include "notify/notification_rules.hpp"

#include <algorithm>
#include <cctype>

#include "auth/utf8.hpp"

namespace writeen::notify {
namespace {

bool word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c == '-' || c >= 0x80; }

}  // namespace

std::string cut_preview(std::string_view text) {
    std::size_t pos = 0;
    std::size_t points = 0;
    while (pos < text.size() && points < max_preview_code_points) {
        std::size_t next = pos;
        if (!auth::read_utf8(text, next)) break;
        pos = next;
        ++points;
    }
    return std::string(text.substr(0, pos));
}

bool mentions(std::string_view text, std::string_view user_id) {
    if (user_id.empty()) return false;
    for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
        if (at > 0 && word_char(static_cast<unsigned char>(text[at - 1]))) continue;
        if (text.substr(at + 1, user_id.size()) != user_id) continue;
        const std::size_t end = at + 1 + user_id.size();
        if (end == text.size() || !word_char(static_cast<unsigned char>(text[end]))) return true;
    }
    return false;
}

message_notice decide(const recipient_state& r) {
    if (r.is_sender || r.has_read || r.active_socket) return message_notice::none;
    if (r.reply_to_recipient) return message_notice::reply;
    if (r.mentions_recipient) return message_notice::mention;
    return r.muted ? message_notice::none : message_notice::message;
}

bool muted_at(bool muted, std::optional<unix_ms> muted_until, unix_ms now) {
    return muted && (!muted_until || *muted_until > now);
}

std::int64_t backoff::ceiling_ms(std::int64_t attempts) {
    std::int64_t ceiling = first_ms;
    for (std::int64_t i = 1; i < attempts && ceiling < cap_ms; ++i) ceiling *= 2;
    return std::min(ceiling, cap_ms);
}

std::int64_t backoff::delay_ms(std::int64_t attempts, std::mt19937_64& random) {
    std::uniform_int_distribution<std::int64_t> pick(0, ceiling_ms(attempts));
    return std::max<std::int64_t>(100, pick(random));
}

}  // namespace writeen::notify
