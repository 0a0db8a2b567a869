#include "auth/roles.hpp"

namespace writeen::auth {

std::optional<writeen::role> parse_role(std::string_view name) {
    for (writeen::role r : {role::student, role::tutor, role::admin, role::service})
        if (to_string(r) == name) return r;
    return std::nullopt;
}

std::string_view to_string(writeen::role r) {
    switch (r) {
        case role::student:
            return "student";
        case role::tutor:
            return "tutor";
        case role::admin:
            return "admin";
        case role::service:
            return "service";
    }
    // Only reachable through a value cast from outside the enum; never name it a real role.
    return "unknown";
}

}  // namespace writeen::auth
