#include "notify/p256.hpp"

#include <openssl/core_names.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <array>
#include <stdexcept>

namespace writeen::notify {
namespace {

constexpr const char* group_name = "prime256v1";
constexpr unsigned char uncompressed_tag = 0x04;

using param_bld_ptr = std::unique_ptr<OSSL_PARAM_BLD, openssl_free<OSSL_PARAM_BLD_free>>;
using params_ptr = std::unique_ptr<OSSL_PARAM, openssl_free<OSSL_PARAM_free>>;

pkey_ptr key_from_params(const OSSL_PARAM* params, int selection) {
    pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) fail_openssl("cannot set up an EC key import");
    const int ok = EVP_PKEY_fromdata(ctx.get(), &raw, selection, const_cast<OSSL_PARAM*>(params));
    pkey_ptr key(raw);
    if (ok != 1 || !key) {
        discard_openssl_errors();
        return nullptr;
    }
    return key;
}

}  // namespace

pkey_ptr p256_public_key(std::string_view point) {
    // Only the uncompressed form: RFC 8291 §3.2 makes it the one the user agent sends, and a
    // compressed or hybrid point here means the subscription was not made by a browser.
    if (point.size() != p256_public_key_size || static_cast<unsigned char>(point[0]) != uncompressed_tag)
        throw std::invalid_argument("a P-256 public key must be a 65-byte uncompressed point");
    const std::array<OSSL_PARAM, 3> params{
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group_name), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<char*>(point.data()),
                                          point.size()),
        OSSL_PARAM_construct_end()};
    pkey_ptr key = key_from_params(params.data(), EVP_PKEY_PUBLIC_KEY);
    // The import already decodes the point; the explicit check also refuses the point at
    // infinity and anything off the curve, which would leak the private key in ECDH.
    pkey_ctx_ptr check(key ? EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr) : nullptr);
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
        discard_openssl_errors();
        throw std::invalid_argument("the P-256 public key is not a point on the curve");
    }
    return key;
}

pkey_ptr p256_private_key(std::string_view scalar) {
    if (scalar.size() != p256_scalar_size) throw std::invalid_argument("a P-256 private key is 32 bytes");
    ec_group_ptr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    bignum_ptr d(BN_bin2bn(as_bytes(scalar), static_cast<int>(scalar.size()), nullptr));
    if (!group || !d) fail_openssl("cannot allocate a P-256 scalar");
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0)
        throw std::invalid_argument("a P-256 private key must be between 1 and the group order");

    // OpenSSL 3 does not derive the public half on import, and the sender needs it for the
    // keyid and the HKDF info; the EC_POINT calls are the non-deprecated way to compute it.
    bn_ctx_ptr bn_ctx(BN_CTX_new());
    ec_point_ptr q(EC_POINT_new(group.get()));
    std::array<unsigned char, p256_public_key_size> point{};
    if (!bn_ctx || !q || EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1 ||
        EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, point.data(), point.size(),
                           bn_ctx.get()) != point.size())
        fail_openssl("cannot compute a P-256 public key");

    param_bld_ptr builder(OSSL_PARAM_BLD_new());
    if (!builder ||
        OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1)
        fail_openssl("cannot describe a P-256 key pair");
    params_ptr params(OSSL_PARAM_BLD_to_param(builder.get()));
    if (!params) fail_openssl("cannot describe a P-256 key pair");
    pkey_ptr key = key_from_params(params.get(), EVP_PKEY_KEYPAIR);
    if (!key) fail_openssl("cannot import a P-256 key pair");
    return key;
}

pkey_ptr p256_generate() {
    pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) fail_openssl("cannot generate a P-256 key");
    return key;
}

bool is_p256(EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "EC") != 1) return false;
    std::array<char, 64> group{};
    std::size_t length = 0;
    const bool ok = EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(),
                                                   group.size(), &length) == 1 &&
                    OBJ_txt2nid(group.data()) == NID_X9_62_prime256v1;
    if (!ok) discard_openssl_errors();
    return ok;
}

std::string p256_public_point(EVP_PKEY* key) {
    // A key read from PEM keeps the point format it was written with; ask for the uncompressed
    // one explicitly so the 65-byte form never depends on where the key came from.
    if (EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                       OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1)
        fail_openssl("cannot select the uncompressed point format");
    std::string point(p256_public_key_size, '\0');
    std::size_t length = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                        reinterpret_cast<unsigned char*>(point.data()), point.size(),
                                        &length) != 1 ||
        length != p256_public_key_size || static_cast<unsigned char>(point[0]) != uncompressed_tag)
        fail_openssl("cannot export a P-256 public key");
    return point;
}

}  // namespace writeen::notify
