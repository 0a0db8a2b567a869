// Blob collection on PostgreSQL while another node uploads (docs/ARCHITECTURE.md, "Files on
// several nodes"): a blob an upload has found by sha256 but not yet committed a file for must not
// be collected, and an upload that comes after the collection must not name the collected blob.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "postgres_test_support.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_migrations.hpp"
#include "store/postgres/postgres_queries.hpp"

namespace writeen::store::postgres {
namespace {

using testing::postgres_test_database;

file_record upload_of(const std::string& id, const std::string& blob_key) {
    return file_record{.id = id,
                       .conversation_id = "c1",
                       .message_id = "m-" + id,
                       .uploader_id = "alice",
                       .file_name = "a.txt",
                       .size = 3,
                       .mime = "text/plain",
                       .sha256 = "abc",
                       .blob_key = blob_key,
                       .scan_status = "clean",
                       .created_at = 1000};
}

class postgres_files : public ::testing::Test {
  protected:
    void SetUp() override {
        database_ = std::make_unique<postgres_test_database>();
        ASSERT_TRUE(database_->ready());
        connection setup{database_->url()};
        apply_migrations(setup, 1000);
        setup.exec("INSERT INTO conversations (id, type, created_at) VALUES ('c1', 'group', 1000);"
                   "INSERT INTO blobs (sha256, blob_key, size, created_at) VALUES ('abc', 'k1', 3, 1000)",
                   "a conversation and a stored blob no file names");
        uploader_ = std::make_unique<connection>(database_->url());
        collector_ = std::make_unique<connection>(database_->url());
    }

    std::unique_ptr<postgres_test_database> database_;
    std::unique_ptr<connection> uploader_;
    std::unique_ptr<connection> collector_;
};

TEST_F(postgres_files, a_blob_an_uncommitted_upload_names_is_not_collected) {
    postgres_queries upload{*uploader_};
    postgres_queries collect{*collector_};
    uploader_->exec("BEGIN", "upload");
    ASSERT_EQ(upload.blob_of_content("abc"), "k1");
    upload.insert_file(upload_of("f1", "k1"));  // not committed yet: invisible to the collector

    collector_->exec("BEGIN", "collect");
    EXPECT_TRUE(collect.take_orphan_blobs().empty());
    collector_->exec("COMMIT", "collect");

    uploader_->exec("COMMIT", "upload");
    EXPECT_EQ(collect.blob_of_content("abc"), "k1");
    EXPECT_EQ(collect.files_of_blob("k1").size(), 1u);
}

TEST_F(postgres_files, an_upload_that_comes_after_the_collection_is_run_again_instead_of_naming_the_collected_blob) {
    postgres_queries upload{*uploader_};
    postgres_queries collect{*collector_};
    collector_->exec("BEGIN", "collect");
    EXPECT_EQ(collect.take_orphan_blobs(), std::vector<std::string>{"k1"});

    uploader_->exec("BEGIN", "upload");
    ASSERT_EQ(upload.blob_of_content("abc"), "k1") << "the collection is not committed yet";
    auto inserted = std::async(std::launch::async, [&] { upload.insert_file(upload_of("f1", "k1")); });
    EXPECT_EQ(inserted.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout)
        << "the upload waits for the collection";
    collector_->exec("COMMIT", "collect");
    EXPECT_THROW(inserted.get(), transaction_conflict);
    uploader_->exec("ROLLBACK", "upload");
    EXPECT_FALSE(collect.blob_of_content("abc").has_value());
}

TEST_F(postgres_files, orphans_are_collected_and_named_blobs_kept) {
    postgres_queries q{*uploader_};
    uploader_->exec("BEGIN", "setup");
    q.insert_blob("def", "k2", 5, 1000);
    q.insert_file(upload_of("f2", "k2"));
    uploader_->exec("COMMIT", "setup");
    uploader_->exec("BEGIN", "collect");
    EXPECT_EQ(q.take_orphan_blobs(), std::vector<std::string>{"k1"});
    uploader_->exec("COMMIT", "collect");
    EXPECT_EQ(q.blob_of_content("def"), "k2");
    EXPECT_FALSE(q.blob_of_content("abc").has_value());
}

}  // namespace
}  // namespace writeen::store::postgres
