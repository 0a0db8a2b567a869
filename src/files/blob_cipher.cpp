#include "files/blob_cipher.hpp"

#include "files/file_errors.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace writeen::files {
namespace {

constexpr std::string_view magic = "WRTNENC1";
constexpr std::uint8_t format_version = 1;
constexpr std::size_t nonce_size = 12;
constexpr std::size_t prefix_size = 8;
// Offsets inside the header.
constexpr std::size_t version_at = 8;
constexpr std::size_t segment_size_at = 9;
constexpr std::size_t prefix_at = 13;
constexpr std::size_t wrap_nonce_at = 21;
constexpr std::size_t wrapped_key_at = 33;
constexpr std::size_t wrap_tag_at = 65;
static_assert(wrap_tag_at + blob_cipher::tag_size == blob_cipher::header_size);
constexpr std::uint32_t min_segment_size = 1024;
constexpr std::uint32_t max_segment_size = 16 * 1024 * 1024;

struct ctx_deleter {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, ctx_deleter>;

const unsigned char* u8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// AES-256-GCM seal: appends ciphertext and tag of plain to out.
void gcm_seal(const std::uint8_t* key, const std::uint8_t* nonce, std::string_view aad, std::string_view plain,
              std::string& out) {
    ctx_ptr ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    const std::size_t at = out.size();
    out.resize(at + plain.size() + blob_cipher::tag_size);
    auto* dst = reinterpret_cast<unsigned char*>(out.data() + at);
    bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nonce) == 1 &&
              EVP_EncryptUpdate(ctx.get(), nullptr, &len, u8(aad), static_cast<int>(aad.size())) == 1 &&
              EVP_EncryptUpdate(ctx.get(), dst, &len, u8(plain), static_cast<int>(plain.size())) == 1 &&
              EVP_EncryptFinal_ex(ctx.get(), dst + len, &len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(blob_cipher::tag_size),
                                  dst + plain.size()) == 1;
    if (!ok) throw std::runtime_error("AES-GCM encryption failed");
}

// AES-256-GCM open: the plaintext of sealed (ciphertext | tag), or false if it does not verify.
bool gcm_open(const std::uint8_t* key, const std::uint8_t* nonce, std::string_view aad, std::string_view sealed,
              std::uint8_t* out) {
    if (sealed.size() < blob_cipher::tag_size) return false;
    const std::size_t ct_size = sealed.size() - blob_cipher::tag_size;
    ctx_ptr ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    unsigned char tag[blob_cipher::tag_size];
    std::memcpy(tag, sealed.data() + ct_size, sizeof tag);
    return ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nonce) == 1 &&
           EVP_DecryptUpdate(ctx.get(), nullptr, &len, u8(aad), static_cast<int>(aad.size())) == 1 &&
           EVP_DecryptUpdate(ctx.get(), out, &len, u8(sealed), static_cast<int>(ct_size)) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, sizeof tag, tag) == 1 &&
           EVP_DecryptFinal_ex(ctx.get(), out + len, &len) == 1;
}

void put_be(std::string& s, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint32_t get_be32(std::string_view s, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
    return v;
}

std::array<std::uint8_t, nonce_size> segment_nonce(std::string_view header, std::uint64_t index) {
    if (index > 0xFFFFFFFFu) throw std::length_error("blob too large for its segment size");
    std::array<std::uint8_t, nonce_size> nonce{};
    std::memcpy(nonce.data(), header.data() + prefix_at, prefix_size);
    for (std::size_t i = 0; i < 4; ++i) nonce[prefix_size + i] = static_cast<std::uint8_t>(index >> (8 * (3 - i)));
    return nonce;
}

std::string segment_aad(std::string_view header, std::uint64_t index, bool final) {
    std::string aad(header);
    put_be(aad, index, 8);
    aad.push_back(final ? 1 : 0);
    return aad;
}

}  // namespace

blob_cipher::data_key::~data_key() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

blob_cipher::blob_cipher(master_key key, std::uint32_t segment_size) : master_(key), segment_size_(segment_size) {
    if (segment_size < min_segment_size || segment_size > max_segment_size) {
        throw std::invalid_argument("blob cipher segment size out of range");
    }
}

blob_cipher::encryptor blob_cipher::begin_encrypt() const {
    encryptor enc;
    enc.segment_size_ = segment_size_;
    std::array<std::uint8_t, prefix_size + nonce_size> random{};
    if (RAND_bytes(enc.key_.bytes.data(), static_cast<int>(enc.key_.bytes.size())) != 1 ||
        RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    std::string& h = enc.header_;
    h.reserve(header_size);
    h.append(magic);
    h.push_back(static_cast<char>(format_version));
    put_be(h, segment_size_, 4);
    h.append(reinterpret_cast<const char*>(random.data()), prefix_size);
    const std::string aad = h;  // magic, version, segment size, nonce prefix
    h.append(reinterpret_cast<const char*>(random.data() + prefix_size), nonce_size);
    gcm_seal(master_.bytes().data(), random.data() + prefix_size, aad,
             std::string_view(reinterpret_cast<const char*>(enc.key_.bytes.data()), enc.key_.bytes.size()), h);
    return enc;
}

void blob_cipher::encryptor::seal(std::string_view plain, bool final, std::string& out) {
    const auto nonce = segment_nonce(header_, next_index_);
    gcm_seal(key_.bytes.data(), nonce.data(), segment_aad(header_, next_index_, final), plain, out);
    ++next_index_;
}

void blob_cipher::encryptor::update(std::string_view plaintext, std::string& out) {
    if (finished_) throw std::logic_error("blob encryptor used after finish");
    while (!plaintext.empty()) {
        if (pending_.size() == segment_size_) {
            // More bytes follow, so the held-back full segment is not the last one.
            seal(pending_, false, out);
            pending_.clear();
        }
        const std::size_t take = std::min<std::size_t>(plaintext.size(), segment_size_ - pending_.size());
        pending_.append(plaintext.substr(0, take));
        plaintext.remove_prefix(take);
    }
}

void blob_cipher::encryptor::finish(std::string& out) {
    if (finished_) throw std::logic_error("blob encryptor finished twice");
    finished_ = true;
    seal(pending_, true, out);
    OPENSSL_cleanse(pending_.data(), pending_.size());
    pending_.clear();
}

blob_cipher::decryptor blob_cipher::open(std::string_view header) const {
    if (header.size() != header_size || header.substr(0, magic.size()) != magic) {
        throw integrity_error("not an encrypted blob (bad header)");
    }
    if (static_cast<std::uint8_t>(header[version_at]) != format_version) {
        throw integrity_error("unsupported encrypted blob version");
    }
    decryptor dec;
    dec.segment_size_ = get_be32(header, segment_size_at);
    if (dec.segment_size_ < min_segment_size || dec.segment_size_ > max_segment_size) {
        throw integrity_error("encrypted blob header has an invalid segment size");
    }
    const std::string_view aad = header.substr(0, wrap_nonce_at);
    const auto* nonce = reinterpret_cast<const std::uint8_t*>(header.data() + wrap_nonce_at);
    if (!gcm_open(master_.bytes().data(), nonce, aad, header.substr(wrapped_key_at, 32 + tag_size),
                  dec.key_.bytes.data())) {
        throw integrity_error("cannot unwrap blob key: wrong master key or damaged header");
    }
    dec.header_ = std::string(header);
    return dec;
}

std::uint64_t blob_cipher::decryptor::segment_count(std::uint64_t stored_size) const {
    if (stored_size < header_size + tag_size) throw integrity_error("encrypted blob is truncated");
    const std::uint64_t body = stored_size - header_size;
    const std::uint64_t count = (body + stored_segment_size() - 1) / stored_segment_size();
    const std::uint64_t last = body - (count - 1) * stored_segment_size();
    if (last < tag_size) throw integrity_error("encrypted blob has a truncated segment");
    return count;
}

std::uint64_t blob_cipher::decryptor::plaintext_size(std::uint64_t stored_size) const {
    const std::uint64_t count = segment_count(stored_size);
    return stored_size - header_size - count * tag_size;
}

std::string blob_cipher::decryptor::decrypt_segment(std::uint64_t index, std::string_view stored, bool final) const {
    if (stored.size() < tag_size || stored.size() > stored_segment_size() ||
        (!final && stored.size() != stored_segment_size())) {
        throw integrity_error("encrypted blob segment has a wrong size");
    }
    std::string plain(stored.size() - tag_size, '\0');
    const auto nonce = segment_nonce(header_, index);
    if (!gcm_open(key_.bytes.data(), nonce.data(), segment_aad(header_, index, final), stored,
                  reinterpret_cast<std::uint8_t*>(plain.data()))) {
        throw integrity_error("encrypted blob segment failed authentication");
    }
    return plain;
}

}  // namespace writeen::files
