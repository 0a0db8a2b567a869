#include <gtest/gtest.h>

#include "store/store.hpp"
#include "store_test_support.hpp"

namespace writeen::store::testing {
namespace {

class sqlite_files : public sqlite_store_test {
protected:
    void SetUp() override {
        sqlite_store_test::SetUp();
        write_and_wait(db(), [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"ana", "budi"})); });
    }

    /// Stores a file message with a file row naming blob_key (recording the blob if it is new).
    std::string store_file(const std::string& sha, const std::string& blob_key, unix_ms at = 2000) {
        std::string message_id;
        write_and_wait(db(), [&](transaction& tx) {
            message m = make_message("c1", "ana", "", at);
            m.type = message_type::file;
            append(tx, m);
            if (!tx.blob_of_content(sha)) tx.insert_blob(sha, blob_key, 10, at);
            file_record f;
            f.id = m.id + "-f";
            f.conversation_id = "c1";
            f.message_id = m.id;
            f.uploader_id = "ana";
            f.file_name = "a.txt";
            f.size = 10;
            f.mime = "text/plain";
            f.sha256 = sha;
            f.blob_key = *tx.blob_of_content(sha);
            f.created_at = at;
            tx.insert_file(f);
            message_id = m.id;
        });
        return message_id;
    }

    std::vector<std::string> take_orphans() {
        std::vector<std::string> keys;
        write_and_wait(db(), [&](transaction& tx) { keys = tx.take_orphan_blobs(); });
        return keys;
    }
};

TEST_F(sqlite_files, file_rows_round_trip_and_updates_keep_the_rest) {
    const auto message_id = store_file("aa", "0a");
    auto f = read_value(db(), [&](reader& r) { return r.files_of_message(message_id); });
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].scan_status, "pending");
    EXPECT_FALSE(f[0].width.has_value());
    f[0].scan_status = "clean";
    f[0].width = 640;
    f[0].height = 480;
    write_and_wait(db(), [&](transaction& tx) { tx.update_file(f[0]); });
    const auto back = read_value(db(), [&](reader& r) { return r.find_file(f[0].id); });
    ASSERT_TRUE(back);
    EXPECT_EQ(back->scan_status, "clean");
    EXPECT_EQ(back->width, 640);
    EXPECT_EQ(back->height, 480);
    EXPECT_EQ(back->file_name, "a.txt");
    EXPECT_EQ(back->blob_key, "0a");
}

TEST_F(sqlite_files, unfinished_files_are_those_without_a_verdict_pending_scanning_or_error) {
    const auto m1 = store_file("aa", "0a");
    store_file("bb", "0b");
    const auto m3 = store_file("cc", "0c");
    auto f = read_value(db(), [&](reader& r) { return r.files_of_message(m1); });
    f[0].scan_status = "clean";
    auto e = read_value(db(), [&](reader& r) { return r.files_of_message(m3); });
    e[0].scan_status = "error";
    write_and_wait(db(), [&](transaction& tx) {
        tx.update_file(f[0]);
        tx.update_file(e[0]);
    });
    const auto unfinished = read_value(db(), [](reader& r) { return r.unfinished_files(10); });
    ASSERT_EQ(unfinished.size(), 2u);
    EXPECT_EQ(unfinished[0].blob_key, "0b");
    EXPECT_EQ(unfinished[1].blob_key, "0c");
    EXPECT_EQ(unfinished[1].scan_status, "error");
}

TEST_F(sqlite_files, a_blob_is_collected_only_when_its_last_file_goes) {
    const auto m1 = store_file("aa", "0a");
    const auto m2 = store_file("aa", "0b");  // same content: shares blob 0a
    EXPECT_EQ(read_value(db(), [&](reader& r) { return r.files_of_message(m2); })[0].blob_key, "0a");
    EXPECT_TRUE(take_orphans().empty());
    write_and_wait(db(), [&](transaction& tx) { tx.delete_files_of_message(m1); });
    EXPECT_TRUE(take_orphans().empty());
    write_and_wait(db(), [&](transaction& tx) { tx.delete_files_of_message(m2); });
    EXPECT_EQ(take_orphans(), std::vector<std::string>{"0a"});
    EXPECT_TRUE(take_orphans().empty()) << "collected once";
    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.blob_of_content("aa"); }));
}

TEST_F(sqlite_files, retention_deletes_the_files_of_expired_messages_and_frees_their_blob) {
    store_file("aa", "0a", 1000);
    const unix_ms much_later = 1000 + 400LL * 24 * 3600 * 1000;  // past the default 365 days
    write_and_wait(db(), [&](transaction& tx) { EXPECT_EQ(tx.delete_expired_messages(much_later), 1); });
    EXPECT_TRUE(read_value(db(), [](reader& r) { return r.unfinished_files(10); }).empty());
    EXPECT_EQ(take_orphans(), std::vector<std::string>{"0a"});
}

TEST_F(sqlite_files, a_forgotten_blob_lets_equal_content_be_stored_anew) {
    store_file("aa", "0a");
    write_and_wait(db(), [](transaction& tx) { tx.forget_blob("0a"); });
    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.blob_of_content("aa"); }));
    const auto m = store_file("aa", "0c");
    EXPECT_EQ(read_value(db(), [&](reader& r) { return r.files_of_message(m); })[0].blob_key, "0c");
}

}  // namespace
}  // namespace writeen::store::testing
