#pragma once
// The Ed25519 key that signs session transcripts. Made on first start (like the files' master
// key) and kept in a PEM file of mode 0600; its public half is listed by GET
// /api/transcripts/keys under a key id derived from it, so a replaced key file (a rotation)
// leaves the old transcripts verifiable by the old public key.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace writeen::transcripts {

/// An Ed25519 private key (or, from public_key(), a public one).
class signing_key {
public:
    /// Reads the PKCS#8 PEM private key at path, or creates one there (mode 0600) when the file
    /// does not exist. Throws std::runtime_error on an unreadable, non-Ed25519 or
    /// group/other-accessible file.
    static signing_key load_or_create(const std::filesystem::path& path);
    /// A fresh key (tests).
    static signing_key generate();
    /// A key from a PKCS#8 PEM private key. Throws std::runtime_error.
    static signing_key from_private_pem(std::string_view pem);

    /// "ed25519-" and the first 16 hex digits of the SHA-256 of the raw public key.
    const std::string& key_id() const { return key_id_; }
    /// The public key as SubjectPublicKeyInfo PEM.
    const std::string& public_key_pem() const { return public_pem_; }
    /// The private key as PKCS#8 PEM (to store it).
    std::string private_key_pem() const;
    /// The 64-byte Ed25519 signature of data.
    std::string sign(std::string_view data) const;

private:
    explicit signing_key(std::shared_ptr<EVP_PKEY> key);
    std::shared_ptr<EVP_PKEY> key_;
    std::string key_id_;
    std::string public_pem_;
};

/// True when signature is a valid Ed25519 signature of data by the public key in `public_pem`
/// (SubjectPublicKeyInfo PEM). Throws std::runtime_error when the PEM is no Ed25519 key.
bool verify_signature(std::string_view public_pem, std::string_view data, std::string_view signature);

/// The key id of an Ed25519 public key PEM (as signing_key::key_id). Throws std::runtime_error.
std::string key_id_of(std::string_view public_pem);

}  // namespace writeen::transcripts
