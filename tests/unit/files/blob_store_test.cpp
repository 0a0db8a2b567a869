// One behavioural suite run against every blob_store: local, S3 (s3rver), and the encrypting
// decorator over each. S3 variants need WRITEEN_TEST_S3_ENDPOINT (scripts/test-servers/s3rver.sh).
#include "files/blob_store.hpp"

#include "files/encrypted_blob_store.hpp"
#include "files/file_errors.hpp"
#include "files/local_blob_store.hpp"
#include "files/s3_blob_store.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

namespace writeen::files {
namespace {

std::optional<s3_options> s3_test_options() {
    const char* endpoint = std::getenv("WRITEEN_TEST_S3_ENDPOINT");
    if (endpoint == nullptr || *endpoint == '\0') return std::nullopt;
    s3_options o;
    o.endpoint = endpoint;
    const char* bucket = std::getenv("WRITEEN_TEST_S3_BUCKET");
    o.bucket = bucket && *bucket ? bucket : "writeen-test";
    o.access_key = "S3RVER";
    o.secret_key = "S3RVER";
    o.region = "us-east-1";
    o.path_style = true;
    o.part_size = 5 * 1024 * 1024;
    o.read_window = 256 * 1024;
    // A prefix per run keeps runs (and parallel test processes) apart in a shared bucket.
    o.key_prefix = "t" + std::to_string(std::random_device{}()) + "/";
    return o;
}

constexpr const char* s3_skip_message =
    "WRITEEN_TEST_S3_ENDPOINT is not set; start s3rver with "
    "scripts/test-servers/s3rver.sh start <dir> <port> and export what it prints";

enum class store_kind { local, encrypted_local, s3, encrypted_s3 };

std::string kind_name(const ::testing::TestParamInfo<store_kind>& info) {
    switch (info.param) {
        case store_kind::local: return "local";
        case store_kind::encrypted_local: return "encrypted_local";
        case store_kind::s3: return "s3";
        case store_kind::encrypted_s3: return "encrypted_s3";
    }
    return "unknown";
}

class blob_store_test : public ::testing::TestWithParam<store_kind> {
protected:
    void SetUp() override {
        const store_kind kind = GetParam();
        if (kind == store_kind::s3 || kind == store_kind::encrypted_s3) {
            auto options = s3_test_options();
            if (!options) GTEST_SKIP() << s3_skip_message;
            base_ = std::make_unique<s3_blob_store>(*options);
        } else {
            base_ = std::make_unique<local_blob_store>(dir_.path() / "blobs");
        }
        if (kind == store_kind::encrypted_local || kind == store_kind::encrypted_s3) {
            // Small segments so that multi-segment paths run with small blobs.
            encrypted_ = std::make_unique<encrypted_blob_store>(*base_, blob_cipher(master_key::generate(), 4096));
        }
    }

    blob_store& store() { return encrypted_ ? static_cast<blob_store&>(*encrypted_) : *base_; }

    void put(std::string_view key, std::string_view data, std::size_t chunk = 7777) {
        auto w = store().begin_write(key);
        for (std::size_t i = 0; i < data.size(); i += chunk) w->write(data.substr(i, chunk));
        w->commit();
    }

    std::string get(std::string_view key, std::uint64_t offset = 0, std::uint64_t length = to_end) {
        auto r = store().open_read(key, offset, length);
        return read_all(*r);
    }

    test::temp_dir dir_;
    std::unique_ptr<blob_store> base_;
    std::unique_ptr<encrypted_blob_store> encrypted_;
};

TEST_P(blob_store_test, committed_blobs_read_back_exactly) {
    for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{4096}, std::size_t{100000}}) {
        const std::string key = "ab" + std::to_string(size);
        const std::string data = test::random_bytes(size, static_cast<std::uint32_t>(size + 1));
        put(key, data);
        EXPECT_TRUE(store().exists(key));
        EXPECT_EQ(store().size(key), size);
        EXPECT_EQ(get(key), data) << size;
    }
}

TEST_P(blob_store_test, range_reads_return_the_requested_bytes) {
    const std::string data = test::random_bytes(50000, 5);
    put("cafe", data);
    EXPECT_EQ(get("cafe", 0, 10), data.substr(0, 10));
    EXPECT_EQ(get("cafe", 4095, 2), data.substr(4095, 2));
    EXPECT_EQ(get("cafe", 12345, 20000), data.substr(12345, 20000));
    EXPECT_EQ(get("cafe", 49990), data.substr(49990));
    EXPECT_EQ(get("cafe", 49990, 1000), data.substr(49990));  // cut at the end
    EXPECT_EQ(get("cafe", 50000), "");
    EXPECT_EQ(get("cafe", 90000, 5), "");
}

TEST_P(blob_store_test, nothing_is_visible_before_commit) {
    auto w = store().begin_write("beef");
    w->write("partial");
    EXPECT_FALSE(store().exists("beef"));
    w->commit();
    EXPECT_TRUE(store().exists("beef"));
}

TEST_P(blob_store_test, an_aborted_or_abandoned_write_leaves_nothing) {
    {
        auto w = store().begin_write("dead");
        w->write("data");
        w->abort();
        w->abort();  // idempotent
    }
    {
        auto w = store().begin_write("d00d");
        w->write("data");
    }  // destroyed without commit
    EXPECT_FALSE(store().exists("dead"));
    EXPECT_FALSE(store().exists("d00d"));
}

TEST_P(blob_store_test, an_aborted_write_of_several_parts_leaves_nothing) {
    auto w = store().begin_write("abba");
    w->write(test::random_bytes(6 * 1024 * 1024, 3));  // past one S3 part: a multipart upload
    w->abort();
    EXPECT_FALSE(store().exists("abba"));
}

TEST_P(blob_store_test, commit_replaces_an_existing_blob) {
    put("f00d", "first version");
    put("f00d", "second");
    EXPECT_EQ(get("f00d"), "second");
}

TEST_P(blob_store_test, remove_deletes_and_tolerates_missing_blobs) {
    put("0123", "x");
    store().remove("0123");
    EXPECT_FALSE(store().exists("0123"));
    EXPECT_NO_THROW(store().remove("0123"));
}

TEST_P(blob_store_test, missing_blobs_are_reported) {
    EXPECT_FALSE(store().exists("abcdef"));
    EXPECT_THROW(store().size("abcdef"), blob_not_found);
    EXPECT_THROW(store().open_read("abcdef"), blob_not_found);
}

TEST_P(blob_store_test, keys_that_are_not_lowercase_hex_are_refused) {
    for (const std::string_view key : {"", "../etc/passwd", "ABCD", "ab/cd", "ab cd", "tmp", "g0"}) {
        EXPECT_THROW(store().begin_write(key), std::invalid_argument) << key;
        EXPECT_THROW(store().open_read(key), std::invalid_argument) << key;
        EXPECT_THROW(store().remove(key), std::invalid_argument) << key;
        EXPECT_THROW(store().exists(key), std::invalid_argument) << key;
    }
    EXPECT_THROW(store().begin_write(std::string(129, 'a')), std::invalid_argument);
}

TEST_P(blob_store_test, large_blobs_stream_through_in_parts) {
    // 12 MiB + 3 in odd chunks: three S3 parts (5, 5, 2 MiB + 3) for the S3 stores.
    const std::string data = test::random_bytes(12 * 1024 * 1024 + 3, 11);
    put("bada55", data, 1000003);
    EXPECT_EQ(store().size("bada55"), data.size());
    EXPECT_EQ(get("bada55"), data);
    const std::size_t part = 5 * 1024 * 1024;
    EXPECT_EQ(get("bada55", part - 10, 20), data.substr(part - 10, 20));  // across a part boundary
}

INSTANTIATE_TEST_SUITE_P(all_stores, blob_store_test,
                         ::testing::Values(store_kind::local, store_kind::encrypted_local, store_kind::s3,
                                           store_kind::encrypted_s3),
                         kind_name);

TEST(local_blob_store, stores_under_a_shard_directory_and_keeps_no_temp_files) {
    test::temp_dir dir;
    local_blob_store store(dir.path());
    auto w = store.begin_write("abcdef01");
    w->write("hello");
    w->commit();
    EXPECT_EQ(store.path_of("abcdef01"), dir.path() / "ab" / "abcdef01");
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "ab" / "abcdef01"));
    EXPECT_TRUE(std::filesystem::is_empty(dir.path() / "tmp"));
}

TEST(s3_blob_store, refuses_invalid_options) {
    s3_options o;
    o.endpoint = "http://127.0.0.1:1";
    o.bucket = "b";
    o.access_key = "a";
    o.secret_key = "s";
    EXPECT_NO_THROW(s3_blob_store{o});
    auto bad = o;
    bad.endpoint = "ftp://x";
    EXPECT_THROW(s3_blob_store{bad}, std::invalid_argument);
    bad = o;
    bad.bucket = "../x";
    EXPECT_THROW(s3_blob_store{bad}, std::invalid_argument);
    bad = o;
    bad.part_size = 1024;
    EXPECT_THROW(s3_blob_store{bad}, std::invalid_argument);
    bad = o;
    bad.key_prefix = "a?b";
    EXPECT_THROW(s3_blob_store{bad}, std::invalid_argument);
}

TEST(s3_blob_store, an_unreachable_endpoint_is_a_storage_error) {
    s3_options o;
    o.endpoint = "http://127.0.0.1:1";  // nothing listens on port 1
    o.bucket = "b";
    o.access_key = "a";
    o.secret_key = "s";
    s3_blob_store store(o);
    EXPECT_THROW(store.exists("ab"), storage_error);
    auto w = store.begin_write("ab");
    w->write("x");
    EXPECT_THROW(w->commit(), storage_error);
}

}  // namespace
}  // namespace writeen::files
