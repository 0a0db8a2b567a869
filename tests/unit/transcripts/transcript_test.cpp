#include "transcripts/transcript.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <string>
#include <sys/stat.h>

#include "auth/base64url.hpp"

namespace writeen::transcripts {
namespace {
namespace json = boost::json;

json::object body_with(int messages) {
    json::array ms;
    for (int i = 1; i <= messages; ++i)
        ms.push_back(json::object{{"id", "m" + std::to_string(i)},
                                  {"seq", 10 + i},
                                  {"type", "text"},
                                  {"content", json::object{{"text", "pesan ke-" + std::to_string(i)}}},
                                  {"deletedAt", nullptr}});
    return json::object{{"conversationId", "c1"}, {"consultationId", "k1"}, {"session", json::object{{"id", "s1"}}},
                        {"participants", json::array{}}, {"messages", std::move(ms)}};
}

json::array& messages_of(json::object& sealed) { return sealed["transcript"].as_object()["messages"].as_array(); }
json::array& entries_of(json::object& sealed) {
    return sealed["transcript"].as_object()["chain"].as_object()["entries"].as_array();
}

class sealed_transcript : public ::testing::Test {
protected:
    signing_key key = signing_key::generate();
    json::object sealed = seal(body_with(4), key);
};

TEST_F(sealed_transcript, verifies_with_the_signers_public_key_and_survives_a_save) {
    auto result = verify(sealed, key.public_key_pem());
    EXPECT_TRUE(result.valid) << result.problem;
    EXPECT_TRUE(result.signature_checked);
    // As a client saves it: the API envelope, serialised and read back.
    auto saved = json::parse(json::serialize(json::object{{"success", true}, {"data", sealed}}));
    EXPECT_TRUE(verify(saved, key.public_key_pem()).valid);
    EXPECT_EQ(entries_of(sealed).size(), 4u);
    EXPECT_EQ(sealed["transcript"].as_object()["chain"].as_object()["head"], entries_of(sealed).back().as_object()["hash"]);
}

TEST_F(sealed_transcript, a_removed_message_is_detected) {
    auto& ms = messages_of(sealed);
    ms.erase(ms.begin() + 1);
    auto result = verify(sealed, key.public_key_pem());
    EXPECT_FALSE(result.valid);
    EXPECT_NE(result.problem.find("entry 1"), std::string::npos) << result.problem;
}

// Found by transcript_fuzz: a number too large for a double (1e999 in the file) parses as
// infinity, which canonical JSON cannot write; the verdict says so instead of throwing.
TEST_F(sealed_transcript, a_number_out_of_range_is_a_verdict_not_an_exception) {
    auto saved = json::serialize(sealed);
    const std::string first_seq = "\"seq\":11,";
    const auto at = saved.find(first_seq);
    ASSERT_NE(at, std::string::npos);
    saved.insert(at + first_seq.size(), "\"score\":-10e999,");
    const auto doc = json::parse(saved);
    verification result;
    ASSERT_NO_THROW(result = verify(doc, key.public_key_pem()));
    EXPECT_FALSE(result.valid);
    EXPECT_NE(result.problem.find("number"), std::string::npos) << result.problem;
}

TEST_F(sealed_transcript, a_removed_message_and_its_entry_are_detected) {
    messages_of(sealed).erase(messages_of(sealed).begin() + 1);
    entries_of(sealed).erase(entries_of(sealed).begin() + 1);
    auto result = verify(sealed, key.public_key_pem());
    EXPECT_FALSE(result.valid);
    EXPECT_NE(result.problem.find("hash does not match"), std::string::npos) << result.problem;
}

TEST_F(sealed_transcript, reordered_messages_are_detected) {
    auto& ms = messages_of(sealed);
    std::swap(ms[1], ms[2]);
    auto result = verify(sealed, key.public_key_pem());
    EXPECT_FALSE(result.valid);
    EXPECT_NE(result.problem.find("entry 1"), std::string::npos) << result.problem;
}

TEST_F(sealed_transcript, an_altered_message_is_detected_even_with_the_chain_recomputed) {
    messages_of(sealed)[2].as_object()["content"].as_object()["text"] = "diubah";
    auto result = verify(sealed, key.public_key_pem());
    EXPECT_FALSE(result.valid);
    EXPECT_NE(result.problem.find("entry 2 (seq 13)"), std::string::npos) << result.problem;
    // A forger who recomputes the chain still cannot sign it.
    sealed["transcript"].as_object()["chain"] = hash_chain(messages_of(sealed));
    result = verify(sealed, key.public_key_pem());
    EXPECT_FALSE(result.valid);
    EXPECT_NE(result.problem.find("signature"), std::string::npos) << result.problem;
    EXPECT_TRUE(verify(sealed, "").valid) << "without a key only the chain is checked";
}

TEST_F(sealed_transcript, an_altered_signature_is_detected) {
    auto& sig = sealed["signature"].as_object();
    auto raw = *auth::base64url_decode(sig["value"].as_string());
    raw[5] = static_cast<char>(raw[5] ^ 1);
    sig["value"] = auth::base64url_encode(raw);
    auto result = verify(sealed, key.public_key_pem());
    EXPECT_FALSE(result.valid);
    EXPECT_EQ(result.problem, "signature does not match the transcript");
}

TEST(transcript_keys, a_transcript_signed_before_a_rotation_still_verifies_with_the_old_key) {
    const auto dir = std::filesystem::temp_directory_path() / ("writeen-key-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = dir / "transcript.key";
    std::filesystem::remove(path);
    const signing_key old_key = signing_key::load_or_create(path);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);
    EXPECT_EQ(signing_key::load_or_create(path).key_id(), old_key.key_id()) << "the second start reads the same key";
    const auto before = seal(body_with(2), old_key);

    std::filesystem::remove(path);  // the rotation: a new key file
    const signing_key new_key = signing_key::load_or_create(path);
    EXPECT_NE(new_key.key_id(), old_key.key_id());
    const auto after = seal(body_with(2), new_key);

    EXPECT_TRUE(verify(before, old_key.public_key_pem()).valid);
    EXPECT_TRUE(verify(after, new_key.public_key_pem()).valid);
    auto wrong = verify(before, new_key.public_key_pem());
    EXPECT_FALSE(wrong.valid);
    EXPECT_NE(wrong.problem.find("made with key " + old_key.key_id()), std::string::npos) << wrong.problem;
    EXPECT_EQ(key_id_of(old_key.public_key_pem()), old_key.key_id());
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace writeen::transcripts
