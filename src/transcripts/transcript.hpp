#pragma once
// Sealing and checking signed session transcripts (API.md, "Consultations"): a SHA-256 hash
// chain over the messages' canonical JSON, and an Ed25519 signature over the canonical JSON of
// the whole transcript.

#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "transcripts/signing_key.hpp"

namespace writeen::transcripts {

/// The `previous` hash of the first entry: 64 zeros.
inline constexpr std::string_view chain_genesis = "0000000000000000000000000000000000000000000000000000000000000000";

/// One link: lowercase hex SHA-256 of the previous entry's hash (its 64 hex characters) followed
/// by the message's canonical JSON.
std::string chain_link(std::string_view previous_hash, std::string_view canonical_message);

/// {algorithm: "sha256", entries: [{seq, hash}], head} over messages (each an object with `seq`),
/// in their order. head is the last entry's hash (chain_genesis when there are none).
boost::json::object hash_chain(const boost::json::array& messages);

/// {transcript: body + chain, signature: {algorithm: "ed25519", keyId, value}}: body must hold
/// `messages`; value is the unpadded base64url signature of canonical_json(transcript).
boost::json::object seal(boost::json::object body, const signing_key& key);

/// The outcome of checking a sealed transcript.
struct verification {
    bool valid = false;
    std::string problem;             // the first broken thing, when not valid
    bool signature_checked = false;  // false when no public key was given
};

/// Checks `sealed` ({transcript, signature}, or an API envelope holding it in `data`): every
/// chain entry against its message, the head, and, when public_pem is not empty, the signature
/// (and that its keyId is that key's). Never throws for a malformed document: says what is wrong.
verification verify(const boost::json::value& sealed, std::string_view public_pem);

}  // namespace writeen::transcripts
