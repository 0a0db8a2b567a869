#pragma once
// The token's `role` claim and the domain role enum, converted both ways.

#include <optional>
#include <string_view>

#include "model/types.hpp"

namespace writeen::auth {

/// The role named by a token claim: exactly "student", "tutor", "admin" or "service"
/// (case-sensitive, as the issuer writes them); nullopt for anything else.
std::optional<writeen::role> parse_role(std::string_view name);

/// The claim spelling of a role; the inverse of parse_role.
std::string_view to_string(writeen::role r);

}  // namespace writeen::auth
