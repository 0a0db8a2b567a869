#include "notify/vapid_key.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "notify_test_support.hpp"

namespace writeen::notify {
namespace {

using test::b64url_decode;

// 2023-11-14T22:13:20Z.
constexpr unix_ms now = 1'700'000'000'000;
constexpr unix_ms hour_ms = 3'600'000;
constexpr std::string_view audience = "https://push.example.net";
constexpr std::string_view subject = "mailto:ops@writeen.example";

struct parsed_authorization {
    std::string token;
    std::string key;
};

parsed_authorization parse_authorization(const std::string& value) {
    const std::string prefix = "vapid t=";
    const std::size_t comma = value.find(", k=");
    if (value.rfind(prefix, 0) != 0 || comma == std::string::npos) throw std::invalid_argument(value);
    return {value.substr(prefix.size(), comma - prefix.size()), value.substr(comma + 4)};
}

void write_file(const std::filesystem::path& path, const std::string& contents, mode_t mode) {
    std::ofstream(path, std::ios::binary) << contents;
    ::chmod(path.c_str(), mode);
}

std::string pem_of_new_key(const char* type, const char* parameter) {
    EVP_PKEY* key = parameter ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, parameter)
                              : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    EVP_PKEY_free(key);
    return pem;
}

TEST(vapid_key, public_key_is_an_uncompressed_p256_point_in_unpadded_base64url) {
    const vapid_key key = vapid_key::generate();
    EXPECT_EQ(key.public_key_base64url().size(), 87u);
    EXPECT_EQ(key.public_key_base64url().find('='), std::string::npos);
    const std::string point = b64url_decode(key.public_key_base64url());
    ASSERT_EQ(point.size(), 65u);
    EXPECT_EQ(point[0], '\x04');
    EXPECT_TRUE(test::import_p256_point(point));
}

TEST(vapid_key, authorization_carries_an_es256_jwt_that_its_public_key_verifies) {
    const vapid_key key = vapid_key::generate();
    const parsed_authorization auth =
        parse_authorization(key.authorization(audience, subject, now + 12 * hour_ms, now));
    EXPECT_EQ(auth.key, key.public_key_base64url());

    const test::jwt_parts jwt = test::split_jwt(auth.token);
    EXPECT_EQ(boost::json::parse(jwt.header), boost::json::parse(R"({"typ":"JWT","alg":"ES256"})"));
    ASSERT_EQ(jwt.signature.size(), 64u) << "raw R || S, not DER";
    EXPECT_TRUE(test::es256_verifies(b64url_decode(auth.key), jwt.signing_input, jwt.signature));

    std::string tampered = jwt.signing_input;
    tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
    EXPECT_FALSE(test::es256_verifies(b64url_decode(auth.key), tampered, jwt.signature));
    const vapid_key other = vapid_key::generate();
    EXPECT_FALSE(
        test::es256_verifies(b64url_decode(other.public_key_base64url()), jwt.signing_input, jwt.signature));
}

TEST(vapid_key, claims_are_audience_expiry_in_seconds_and_subject) {
    const vapid_key key = vapid_key::generate();
    const test::jwt_parts jwt = test::split_jwt(
        parse_authorization(key.authorization(audience, subject, now + 12 * hour_ms + 999, now)).token);
    const boost::json::value claims = boost::json::parse(jwt.claims);
    EXPECT_EQ(claims, boost::json::parse(R"({"aud":"https://push.example.net","exp":1700043200,
                                             "sub":"mailto:ops@writeen.example"})"));
}

TEST(vapid_key, expiry_more_than_24_hours_ahead_is_brought_back_to_24_hours) {
    const vapid_key key = vapid_key::generate();
    for (unix_ms expires_at : {now + 24 * hour_ms, now + 25 * hour_ms, now + 1000 * hour_ms}) {
        const test::jwt_parts jwt =
            test::split_jwt(parse_authorization(key.authorization(audience, subject, expires_at, now)).token);
        EXPECT_EQ(boost::json::parse(jwt.claims).at("exp"), (now + 24 * hour_ms) / 1000);
    }
}

TEST(vapid_key, refuses_an_expiry_that_is_not_after_now) {
    const vapid_key key = vapid_key::generate();
    EXPECT_THROW(key.authorization(audience, subject, now, now), std::invalid_argument);
    EXPECT_THROW(key.authorization(audience, subject, now - hour_ms, now), std::invalid_argument);
}

TEST(vapid_key, refuses_an_audience_that_is_not_an_origin) {
    const vapid_key key = vapid_key::generate();
    EXPECT_NO_THROW(key.authorization("https://push.example.net:8443", subject, now + hour_ms, now));
    EXPECT_NO_THROW(key.authorization("http://127.0.0.1:9000", subject, now + hour_ms, now));
    for (const char* bad :
         {"", "push.example.net", "https://push.example.net/", "https://push.example.net/wpush",
          "HTTPS://push.example.net", "https://push.example.net:443", "http://push.example.net",
          "https://user@push.example.net"})
        EXPECT_THROW(key.authorization(bad, subject, now + hour_ms, now), std::invalid_argument) << bad;
}

TEST(vapid_key, subject_must_be_a_mailto_or_https_contact) {
    const vapid_key key = vapid_key::generate();
    EXPECT_NO_THROW(key.authorization(audience, "https://writeen.example/contact", now + hour_ms, now));
    for (const char* bad :
         {"", "ops@writeen.example", "mailto:", "mailto:ops", "mailto:ops @writeen.example",
          "mailto:ops@writeen.example\r\nX: y", "http://writeen.example/contact", "https://"})
        EXPECT_THROW(key.authorization(audience, bad, now + hour_ms, now), std::invalid_argument) << bad;
}

TEST(vapid_key, load_or_create_makes_a_0600_key_file_and_reads_the_same_key_back) {
    const test::temp_dir dir;
    const std::filesystem::path path = dir.path() / "vapid.pem";
    const vapid_key created = vapid_key::load_or_create(path);

    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream in(path);
    const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
    // Only the key file is left behind, no temporary.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);

    const vapid_key reloaded = vapid_key::load_or_create(path);
    EXPECT_EQ(reloaded.public_key_base64url(), created.public_key_base64url());
    const test::jwt_parts jwt = test::split_jwt(
        parse_authorization(reloaded.authorization(audience, subject, now + hour_ms, now)).token);
    EXPECT_TRUE(test::es256_verifies(b64url_decode(created.public_key_base64url()), jwt.signing_input,
                                     jwt.signature));

    EXPECT_NE(vapid_key::load_or_create(dir.path() / "other.pem").public_key_base64url(),
              created.public_key_base64url());
}

TEST(vapid_key, processes_starting_at_once_end_with_one_key) {
    for (int round = 0; round < 10; ++round) {
        const test::temp_dir dir;
        const std::filesystem::path path = dir.path() / "vapid.pem";
        std::vector<std::string> keys(4);
        std::vector<std::thread> threads;
        for (std::string& key : keys)
            threads.emplace_back(
                [&key, &path] { key = vapid_key::load_or_create(path).public_key_base64url(); });
        for (std::thread& t : threads) t.join();
        for (const std::string& key : keys) EXPECT_EQ(key, keys[0]);
        EXPECT_EQ(vapid_key::load_or_create(path).public_key_base64url(), keys[0]);
    }
}

TEST(vapid_key, refuses_a_key_path_that_is_not_a_regular_file) {
    const test::temp_dir dir;
    EXPECT_THROW(vapid_key::load_or_create(dir.path()), std::runtime_error);
    const std::filesystem::path fifo = dir.path() / "fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_THROW(vapid_key::load_or_create(fifo), std::runtime_error);
}

TEST(vapid_key, refuses_a_key_file_readable_by_group_or_others) {
    const test::temp_dir dir;
    const std::filesystem::path path = dir.path() / "vapid.pem";
    (void)vapid_key::load_or_create(path);
    ::chmod(path.c_str(), 0640);
    EXPECT_THROW(vapid_key::load_or_create(path), std::runtime_error);
}

TEST(vapid_key, refuses_a_file_that_does_not_hold_a_p256_private_key) {
    const test::temp_dir dir;
    const std::filesystem::path path = dir.path() / "vapid.pem";
    const std::string wrong[] = {
        "",
        "not a key\n",
        pem_of_new_key("EC", "P-384"),
        pem_of_new_key("ED25519", nullptr),
        std::string(20000, 'A'),
    };
    for (const std::string& contents : wrong) {
        write_file(path, contents, 0600);
        EXPECT_THROW(vapid_key::load_or_create(path), std::runtime_error) << contents.substr(0, 40);
    }
}

}  // namespace
}  // namespace writeen::notify
