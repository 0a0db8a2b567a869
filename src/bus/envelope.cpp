#include "bus/envelope.hpp"

#include <cstdint>
#include <limits>

namespace writeen::bus {
namespace {

// A delivery to more users than this is not something a node sends (a conversation's
// participants are far fewer); a count above it is garbage, not an allocation to attempt.
constexpr std::uint32_t max_users = 100'000;

void put_u32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_u64(std::string& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_users(std::string& out, const std::vector<user_activity>& users) {
    put_u32(out, static_cast<std::uint32_t>(users.size()));
    for (const auto& u : users) {
        put_u32(out, static_cast<std::uint32_t>(u.user_id.size()));
        out.append(u.user_id);
        put_u64(out, static_cast<std::uint64_t>(u.last_activity_ms));
    }
}

void put_string(std::string& out, std::string_view s) {
    put_u32(out, static_cast<std::uint32_t>(s.size()));
    out.append(s);
}

class reader {
public:
    explicit reader(std::string_view in) : in_(in) {}
    bool u32(std::uint32_t& v) {
        if (in_.size() < 4) return false;
        v = 0;
        for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in_[i]);
        in_.remove_prefix(4);
        return true;
    }
    bool string(std::string& s) {
        std::uint32_t n = 0;
        if (!u32(n) || n > in_.size()) return false;
        s.assign(in_.substr(0, n));
        in_.remove_prefix(n);
        return true;
    }
    bool u64(std::uint64_t& v) {
        std::uint32_t high = 0, low = 0;
        if (!u32(high) || !u32(low)) return false;
        v = (static_cast<std::uint64_t>(high) << 32) | low;
        return true;
    }
    bool byte(char& c) {
        if (in_.empty()) return false;
        c = in_.front();
        in_.remove_prefix(1);
        return true;
    }
    bool done() const { return in_.empty(); }
    std::size_t left() const { return in_.size(); }

private:
    std::string_view in_;
};

/// A count, then each user id and its activity; activity is a Unix ms time, never negative.
bool read_users(reader& in, std::vector<user_activity>& users) {
    std::uint32_t count = 0;
    // Each entry takes at least 12 bytes (length and activity): a count the bytes cannot hold
    // is refused before anything is allocated for it.
    if (!in.u32(count) || count > max_users || count > in.left() / 12) return false;
    users.resize(count);
    for (auto& u : users) {
        std::uint64_t activity = 0;
        if (!in.string(u.user_id) || !in.u64(activity) || activity > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
        u.last_activity_ms = static_cast<std::int64_t>(activity);
    }
    return true;
}

}  // namespace

std::string encode(const envelope& e) {
    std::string out = "W1";
    out.push_back(static_cast<char>(e.what));
    put_string(out, e.origin_node);
    if (e.what == envelope::kind::invalidation) {
        put_string(out, e.conversation_id);
        return out;
    }
    if (e.what == envelope::kind::presence) {
        out.push_back(e.here ? '1' : '0');
        put_users(out, e.users);
        return out;
    }
    if (e.what == envelope::kind::activity) {
        put_users(out, e.users);
        return out;
    }
    out.push_back(e.d.to == delivery::audience::users ? 'u' : 'j');
    put_u32(out, static_cast<std::uint32_t>(e.d.user_ids.size()));
    for (const auto& u : e.d.user_ids) put_string(out, u);
    put_string(out, e.d.conversation_id);
    put_string(out, e.d.except_user);
    put_string(out, e.d.frame ? std::string_view(*e.d.frame) : std::string_view());
    return out;
}

std::optional<envelope> decode(std::string_view bytes) {
    if (bytes.substr(0, 2) != "W1") return std::nullopt;
    reader in(bytes.substr(2));
    envelope e;
    char kind = 0;
    if (!in.byte(kind) || !in.string(e.origin_node)) return std::nullopt;
    if (kind == static_cast<char>(envelope::kind::invalidation)) {
        e.what = envelope::kind::invalidation;
        if (!in.string(e.conversation_id) || !in.done()) return std::nullopt;
        return e;
    }
    if (kind == static_cast<char>(envelope::kind::presence)) {
        e.what = envelope::kind::presence;
        char here = 0;
        if (!in.byte(here) || (here != '1' && here != '0')) return std::nullopt;
        e.here = here == '1';
        if (!read_users(in, e.users) || e.users.size() != 1 || !in.done()) return std::nullopt;
        return e;
    }
    if (kind == static_cast<char>(envelope::kind::activity)) {
        e.what = envelope::kind::activity;
        if (!read_users(in, e.users) || !in.done()) return std::nullopt;
        return e;
    }
    if (kind != static_cast<char>(envelope::kind::delivery)) return std::nullopt;
    char audience = 0;
    if (!in.byte(audience) || (audience != 'u' && audience != 'j')) return std::nullopt;
    e.d.to = audience == 'u' ? delivery::audience::users : delivery::audience::joined;
    std::uint32_t count = 0;
    // Each user id takes at least its 4-byte length: a count the bytes cannot hold is refused
    // before anything is allocated for it.
    if (!in.u32(count) || count > max_users || count > in.left() / 4) return std::nullopt;
    e.d.user_ids.resize(count);
    for (auto& u : e.d.user_ids)
        if (!in.string(u)) return std::nullopt;
    std::string frame;
    if (!in.string(e.d.conversation_id) || !in.string(e.d.except_user) || !in.string(frame) || !in.done())
        return std::nullopt;
    e.d.frame = std::make_shared<const std::string>(std::move(frame));
    return e;
}

}  // namespace writeen::bus
