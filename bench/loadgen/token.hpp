#pragma once
#include <chrono>
#include <string>

namespace loadgen {

/// Claims of a benchmark user's token.
struct token_claims {
    std::string subject;
    std::string name;
    std::string issuer;    ///< empty: no `iss`
    std::string audience;  ///< empty: no `aud`
    std::chrono::seconds lifetime{std::chrono::hours{24}};
};

/// An HS256 JWT for a student, signed with `secret` as the Writeen main application would sign
/// it (through the server's own minter, auth/token_minter.hpp).
std::string mint_hs256(const token_claims& claims, const std::string& secret);

}  // namespace loadgen
