#include "transcripts/transcript.hpp"

#include <openssl/sha.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "auth/base64url.hpp"
#include "transcripts/canonical_json.hpp"

namespace writeen::transcripts {
namespace json = boost::json;
namespace {

std::string hex_sha256(std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * SHA256_DIGEST_LENGTH);
    for (unsigned char b : digest) {
        out += hex[b >> 4];
        out += hex[b & 0xF];
    }
    return out;
}

const json::object* object_at(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}
const json::array* array_at(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_array() ? &it->value().get_array() : nullptr;
}
std::optional<std::string_view> string_at(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_string()) return std::nullopt;
    return std::string_view(it->value().get_string());
}
std::optional<std::int64_t> seq_of(const json::value& v) {
    if (!v.is_object()) return std::nullopt;
    auto it = v.get_object().find("seq");
    if (it == v.get_object().end() || !it->value().is_int64()) return std::nullopt;
    return it->value().get_int64();
}

verification broken(std::string problem) { return verification{.valid = false, .problem = std::move(problem)}; }

/// canonical_json(v), or nullopt when v holds a number JSON cannot carry: a file's 1e999 is
/// read as infinity, which no signer wrote (canonical_json refuses it).
std::optional<std::string> canonical_if_representable(const json::value& v) {
    try {
        return canonical_json(v);
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
}

}  // namespace

std::string chain_link(std::string_view previous_hash, std::string_view canonical_message) {
    std::string input(previous_hash);
    input += canonical_message;
    return hex_sha256(input);
}

json::object hash_chain(const json::array& messages) {
    json::array entries;
    std::string previous(chain_genesis);
    for (const auto& m : messages) {
        std::string hash = chain_link(previous, canonical_json(m));
        entries.push_back(json::object{{"seq", seq_of(m).value_or(0)}, {"hash", hash}});
        previous = std::move(hash);
    }
    return json::object{{"algorithm", "sha256"}, {"entries", std::move(entries)}, {"head", previous}};
}

json::object seal(json::object body, const signing_key& key) {
    const json::array* messages = array_at(body, "messages");
    if (!messages) throw std::invalid_argument("a transcript needs messages");
    body["chain"] = hash_chain(*messages);
    const std::string signature = key.sign(canonical_json(body));
    return json::object{{"transcript", std::move(body)},
                        {"signature", json::object{{"algorithm", "ed25519"},
                                                   {"keyId", key.key_id()},
                                                   {"value", auth::base64url_encode(signature)}}}};
}

verification verify(const json::value& sealed, std::string_view public_pem) {
    if (!sealed.is_object()) return broken("the document is not a JSON object");
    const json::object* doc = &sealed.get_object();
    if (const json::object* data = object_at(*doc, "data")) doc = data;  // a saved API answer
    const json::object* transcript = object_at(*doc, "transcript");
    const json::object* signature = object_at(*doc, "signature");
    if (!transcript || !signature) return broken("the document has no transcript and signature");
    const json::array* messages = array_at(*transcript, "messages");
    const json::object* chain = object_at(*transcript, "chain");
    if (!messages || !chain) return broken("the transcript has no messages or chain");
    const json::array* entries = array_at(*chain, "entries");
    const auto head = string_at(*chain, "head");
    if (string_at(*chain, "algorithm") != "sha256" || !entries || !head)
        return broken("the chain is not a sha256 chain with entries and a head");

    std::string previous(chain_genesis);
    std::optional<std::int64_t> last_seq;
    for (std::size_t i = 0; i < entries->size() || i < messages->size(); ++i) {
        const std::string where = "entry " + std::to_string(i);
        if (i >= messages->size()) return broken(where + ": no message for it (a message was removed)");
        const auto seq = seq_of((*messages)[i]);
        if (!seq) return broken("message " + std::to_string(i) + ": no integer seq");
        const std::string at = where + " (seq " + std::to_string(*seq) + ")";
        if (i >= entries->size()) return broken("message " + std::to_string(i) + " (seq " + std::to_string(*seq) + "): no chain entry for it");
        if (last_seq && *seq <= *last_seq) return broken(at + ": messages out of seq order");
        last_seq = seq;
        const json::value& entry = (*entries)[i];
        const auto entry_seq = seq_of(entry);
        const auto entry_hash = entry.is_object() ? string_at(entry.get_object(), "hash") : std::nullopt;
        if (!entry_seq || !entry_hash) return broken(where + ": not {seq, hash}");
        if (*entry_seq != *seq)
            return broken(at + ": the entry is for seq " + std::to_string(*entry_seq) + " (removed or reordered)");
        const auto canonical = canonical_if_representable((*messages)[i]);
        if (!canonical) return broken(at + ": a number JSON cannot carry (too large, read as infinity)");
        std::string hash = chain_link(previous, *canonical);
        if (hash != *entry_hash) return broken(at + ": hash does not match the message (altered, removed or reordered)");
        previous = std::move(hash);
    }
    if (*head != previous) return broken("chain head does not match the last entry");

    verification out{.valid = true};
    if (public_pem.empty()) return out;
    if (string_at(*signature, "algorithm") != "ed25519") return broken("signature: algorithm is not ed25519");
    const auto key_id = string_at(*signature, "keyId");
    const auto value = string_at(*signature, "value");
    if (!key_id || !value) return broken("signature: no keyId or value");
    std::string expected_id;
    try {
        expected_id = key_id_of(public_pem);
    } catch (const std::runtime_error& e) {
        return broken(std::string("public key: ") + e.what());
    }
    if (*key_id != expected_id)
        return broken("signature: made with key " + std::string(*key_id) + ", not with the given key " + expected_id);
    const auto raw = auth::base64url_decode(*value);
    const auto signed_text = canonical_if_representable(json::value(*transcript));
    if (!signed_text) return broken("the transcript holds a number JSON cannot carry (too large, read as infinity)");
    if (!raw || !verify_signature(public_pem, *signed_text, *raw))
        return broken("signature does not match the transcript");
    out.signature_checked = true;
    return out;
}

}  // namespace writeen::transcripts
