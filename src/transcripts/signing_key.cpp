#include "transcripts/signing_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace writeen::transcripts {
namespace {

using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;

[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& path) {
    throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string raw_public_key(EVP_PKEY* key) {
    unsigned char raw[32];
    std::size_t n = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(key, raw, &n) != 1) throw std::runtime_error("not an Ed25519 key");
    return std::string(reinterpret_cast<char*>(raw), n);
}

std::string id_of_raw(const std::string& raw) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), digest);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "ed25519-";
    for (int i = 0; i < 8; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xF];
    }
    return out;
}

std::shared_ptr<EVP_PKEY> read_public(std::string_view pem) {
    bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    if (!key || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(key);
        throw std::runtime_error("not an Ed25519 public key (PEM)");
    }
    return {key, &EVP_PKEY_free};
}

std::string read_whole(int fd) {
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t r = ::read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        out.append(buf, static_cast<std::size_t>(r));
    }
    return out;
}

}  // namespace

signing_key::signing_key(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {
    key_id_ = id_of_raw(raw_public_key(key_.get()));
    bio_ptr bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) throw std::runtime_error("cannot write the public key");
    public_pem_ = bio_text(bio.get());
}

signing_key signing_key::generate() {
    EVP_PKEY* key = nullptr;
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr),
                                                                    &EVP_PKEY_CTX_free);
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &key) != 1)
        throw std::runtime_error("cannot generate an Ed25519 key");
    return signing_key({key, &EVP_PKEY_free});
}

signing_key signing_key::from_private_pem(std::string_view pem) {
    bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    if (!key || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(key);
        throw std::runtime_error("not an Ed25519 private key (PKCS#8 PEM)");
    }
    return signing_key({key, &EVP_PKEY_free});
}

std::string signing_key::private_key_pem() const {
    bio_ptr bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw std::runtime_error("cannot write the private key");
    return bio_text(bio.get());
}

signing_key signing_key::load_or_create(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        signing_key key = generate();
        const std::string pem = key.private_key_pem();
        // O_EXCL: of two processes starting at once, exactly one creates the key.
        const int wfd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (wfd >= 0) {
            const bool ok = ::write(wfd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) && ::fsync(wfd) == 0;
            ::close(wfd);
            if (!ok) {
                ::unlink(path.c_str());
                throw_errno("cannot write transcript key", path);
            }
            return key;
        }
        if (errno != EEXIST) throw_errno("cannot create transcript key", path);
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) throw_errno("cannot open transcript key", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        throw_errno("cannot stat transcript key", path);
    }
    if ((st.st_mode & 077) != 0) {
        ::close(fd);
        throw std::runtime_error("transcript key " + path.string() + " is accessible by group or others (chmod 600)");
    }
    const std::string pem = read_whole(fd);
    ::close(fd);
    return from_private_pem(pem);
}

std::string signing_key::sign(std::string_view data) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    unsigned char sig[64];
    std::size_t n = sizeof sig;
    // Ed25519 hashes internally: no digest is named, and the message goes in one call.
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), sig, &n, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
        throw std::runtime_error("Ed25519 signing failed");
    return std::string(reinterpret_cast<char*>(sig), n);
}

bool verify_signature(std::string_view public_pem, std::string_view data, std::string_view signature) {
    auto key = read_public(public_pem);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                            reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

std::string key_id_of(std::string_view public_pem) { return id_of_raw(raw_public_key(read_public(public_pem).get())); }

}  // namespace writeen::transcripts
