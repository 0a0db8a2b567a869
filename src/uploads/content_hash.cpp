#include "uploads/content_hash.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace writeen::uploads {

content_hash::content_hash() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(ctx_);
        throw std::runtime_error("sha256: cannot initialise a digest");
    }
}

content_hash::~content_hash() { EVP_MD_CTX_free(ctx_); }

void content_hash::update(std::string_view data) {
    if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) throw std::runtime_error("sha256: update failed");
}

std::string content_hash::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx_, digest, &n) != 1) throw std::runtime_error("sha256: final failed");
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (unsigned i = 0; i < n; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 15];
    }
    return out;
}

}  // namespace writeen::uploads
