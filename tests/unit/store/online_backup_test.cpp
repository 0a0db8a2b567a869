#include "store/sqlite/online_backup.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store_test_support.hpp"

namespace writeen::store::testing {
namespace {

namespace fs = std::filesystem;

TEST(online_backup, copies_a_database_that_is_being_written_as_one_consistent_snapshot) {
    temp_dir dir;
    const auto options = options_in(dir);
    auto db = open_store(options);
    write_and_wait(*db, [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"alice", "bob"})); });
    for (int i = 0; i < 50; ++i)
        write_and_wait(*db, [i](transaction& tx) {
            auto m = make_message("c1", "alice", "m" + std::to_string(i), 1000 + i);
            append(tx, m);
        });

    // A writer keeps committing while the copy is made.
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        for (int i = 0; !stop; ++i)
            write_and_wait(*db, [i](transaction& tx) {
                auto m = make_message("c1", "bob", "w" + std::to_string(i), 5000 + i);
                append(tx, m);
            });
    });
    const auto copy = (dir.path() / "copy.db").string();
    const long long pages = sqlite::backup_database(options.path, copy);
    stop = true;
    writer.join();
    db->close();
    EXPECT_GT(pages, 0);
    EXPECT_FALSE(fs::exists(copy + ".partial"));

    auto copy_options = options;
    copy_options.path = copy;
    auto restored = open_store(copy_options);
    const auto c = read_value(*restored, [](reader& r) { return r.find_conversation("c1"); });
    ASSERT_TRUE(c.has_value());
    EXPECT_GE(c->last_seq, 50);
    // Consistent: the conversation's counter and its messages come from the same moment.
    std::int64_t count = 0;
    std::int64_t expected_seq = 1;
    restored->read([&](reader& r) {
        r.for_each_message("c1", 1, c->last_seq + 1000, [&](const message& m) {
            EXPECT_EQ(m.seq, expected_seq++);
            ++count;
        });
    });
    EXPECT_EQ(count, c->last_seq);
}

TEST(online_backup, refuses_to_overwrite_an_existing_file) {
    temp_dir dir;
    const auto options = options_in(dir);
    open_store(options)->close();
    const auto copy = (dir.path() / "copy.db").string();
    sqlite::backup_database(options.path, copy);
    EXPECT_THROW(sqlite::backup_database(options.path, copy), unavailable);
}

TEST(online_backup, fails_without_a_source_and_leaves_nothing) {
    temp_dir dir;
    const auto copy = (dir.path() / "copy.db").string();
    EXPECT_THROW(sqlite::backup_database((dir.path() / "absent.db").string(), copy), unavailable);
    EXPECT_FALSE(fs::exists(copy));
    EXPECT_FALSE(fs::exists(copy + ".partial"));
}

}  // namespace
}  // namespace writeen::store::testing
