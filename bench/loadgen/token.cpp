#include "token.hpp"

#include "auth/token_minter.hpp"

namespace loadgen {

std::string mint_hs256(const token_claims& claims, const std::string& secret) {
    writeen::auth::mint_options mint;
    mint.secret = secret;
    mint.subject = claims.subject;
    mint.name = claims.name;
    mint.role = writeen::role::student;
    mint.issued_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    mint.lifetime = claims.lifetime;
    if (!claims.issuer.empty()) mint.issuer = claims.issuer;
    if (!claims.audience.empty()) mint.audience = claims.audience;
    return writeen::auth::mint_token(mint);
}

}  // namespace loadgen
