#include "auth/principal.hpp"

#include "auth/utf8.hpp"

namespace writeen::auth {

bool is_valid_user_id(std::string_view id) {
    std::size_t pos = 0;
    std::size_t count = 0;
    while (pos < id.size()) {
        const auto cp = read_utf8(id, pos);
        if (!cp) return false;
        // C0 controls, DEL and the C1 controls.
        if (*cp < 0x20 || (*cp >= 0x7F && *cp <= 0x9F)) return false;
        if (++count > max_user_id_chars) return false;
    }
    return count > 0;
}

writeen::user_profile to_profile(const principal& p, unix_ms seen_at) {
    return writeen::user_profile{p.user_id, p.name, p.avatar, p.role, seen_at};
}

}  // namespace writeen::auth
