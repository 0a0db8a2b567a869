#include "store/sqlite/migrations.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/sqlite/connection.hpp"
#include "store_test_support.hpp"

namespace writeen::store::testing {
namespace {

namespace fs = std::filesystem;

// The source tree, found from this file's own path: no build setting can point elsewhere.
fs::path migrations_dir() {
    return fs::path{WRITEEN_SOURCE_DIR} / "src" / "store" / "migrations";
}

std::string file_content(const fs::path& path) {
    std::ifstream in{path, std::ios::binary};
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Rows of a one-column query, straight from the file (not through the store).
std::vector<std::string> column_of(const std::string& db_path, const char* sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    std::vector<std::string> rows;
    while (sqlite3_step(stmt) == SQLITE_ROW)
        rows.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
}

void execute(const std::string& db_path, const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
}

TEST(sqlite_migrations, embedded_migrations_match_their_sql_files_byte_for_byte) {
    ASSERT_TRUE(fs::is_directory(migrations_dir())) << migrations_dir();
    int files = 0;
    for (const auto& entry : fs::directory_iterator(migrations_dir()))
        if (entry.path().extension() == ".sql") ++files;
    ASSERT_EQ(files, static_cast<int>(sqlite::migrations().size()))
        << "every .sql file is embedded, and no other";

    int expected_version = 1;
    for (const auto& m : sqlite::migrations()) {
        EXPECT_EQ(m.version, expected_version++) << m.name;
        EXPECT_EQ(std::stoi(std::string{m.name.substr(0, 3)}), m.version) << m.name;
        const fs::path file = migrations_dir() / (std::string{m.name} + ".sql");
        ASSERT_TRUE(fs::exists(file)) << file;
        EXPECT_EQ(file_content(file), m.sql) << file << " differs from the copy compiled into the binary";
    }
}

TEST(sqlite_migrations, are_applied_once_and_recorded_across_reopens) {
    temp_dir dir;
    const auto options = options_in(dir);
    open_store(options)->close();
    open_store(options)->close();

    const auto versions = column_of(options.path, "SELECT version || ':' || name FROM schema_migrations");
    ASSERT_EQ(versions.size(), sqlite::migrations().size());
    EXPECT_EQ(versions.front(), "1:001_init");
    EXPECT_EQ(column_of(options.path, "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
}

TEST(sqlite_migrations, reopening_a_database_keeps_its_data) {
    temp_dir dir;
    const auto options = options_in(dir);
    {
        auto db = open_store(options);
        write_and_wait(*db, [](transaction& tx) {
            tx.insert_conversation(make_conversation("c1", {"alice", "bob"}));
            auto m = make_message("c1", "alice", "halo", 2000, "m1");
            append(tx, m);
        });
    }
    auto db = open_store(options);
    const auto m = read_value(*db, [](reader& r) { return r.find_message("m1"); });
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->seq, 1);
    EXPECT_EQ(m->search_text, "halo");
    const auto c = read_value(*db, [](reader& r) { return r.find_conversation("c1"); });
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->last_seq, 1);
    EXPECT_EQ(c->participants.size(), 2u);
}

TEST(sqlite_migrations, a_version_1_database_is_upgraded_and_keeps_its_conversation_counters) {
    temp_dir dir;
    const auto options = options_in(dir);
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(options.path.c_str(), &db), SQLITE_OK);
        const std::string v1{sqlite::migrations()[0].sql};
        ASSERT_EQ(sqlite3_exec(db, v1.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
        ASSERT_EQ(
            sqlite3_exec(
                db,
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                "applied_at INTEGER NOT NULL) STRICT;"
                "INSERT INTO schema_migrations VALUES (1, '001_init', 0);"
                "INSERT INTO conversations (id, type, created_at, updated_at, last_seq, last_change_seq) "
                "VALUES ('c1', 'group', 100, 700, 3, 4);",
                nullptr, nullptr, nullptr),
            SQLITE_OK)
            << sqlite3_errmsg(db);
        sqlite3_close(db);
    }
    auto db = open_store(options);
    const auto c = read_value(*db, [](reader& r) { return r.find_conversation("c1"); });
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->last_seq, 3);
    EXPECT_EQ(c->last_change_seq, 4);
    EXPECT_EQ(c->updated_at, 700);
    EXPECT_EQ(c->created_at, 100);
    write_and_wait(*db, [](transaction& tx) {
        auto m = make_message("c1", "a", "lanjut", 800);
        EXPECT_EQ(append(tx, m), 4) << "numbering continues where it was";
    });
}

TEST(sqlite_migrations, none_are_pending_on_a_freshly_migrated_database) {
    temp_dir dir;
    const auto options = options_in(dir);
    open_store(options)->close();
    sqlite::connection db{options.path, true};
    EXPECT_TRUE(sqlite::pending_migrations(db).empty());
}

TEST(sqlite_migrations, pending_lists_the_unrecorded_ones_in_order_and_changes_nothing) {
    temp_dir dir;
    const auto options = options_in(dir);
    open_store(options)->close();
    execute(options.path, "DELETE FROM schema_migrations WHERE version >= 2");
    {
        sqlite::connection db{options.path, true};
        const auto pending = sqlite::pending_migrations(db);
        ASSERT_EQ(pending.size(), sqlite::migrations().size() - 1);
        EXPECT_EQ(pending.front().version, 2);
        EXPECT_EQ(pending.back().name, sqlite::migrations().back().name);
    }
    EXPECT_EQ(column_of(options.path, "SELECT count(*) FROM schema_migrations"), std::vector<std::string>{"1"});
}

TEST(sqlite_migrations, all_are_pending_on_a_database_without_schema_migrations) {
    temp_dir dir;
    const auto path = (dir.path() / "empty.db").string();
    execute(path, "CREATE TABLE unrelated (x INTEGER)");
    sqlite::connection db{path, true};
    EXPECT_EQ(sqlite::pending_migrations(db).size(), sqlite::migrations().size());
}

TEST(sqlite_migrations, pending_refuses_a_database_of_a_newer_program) {
    temp_dir dir;
    const auto options = options_in(dir);
    open_store(options)->close();
    execute(options.path, "INSERT INTO schema_migrations VALUES (999, '999_future', 0)");
    sqlite::connection db{options.path, true};
    EXPECT_THROW(sqlite::pending_migrations(db), unavailable);
}

TEST(sqlite_migrations, a_database_migrated_by_a_newer_program_is_refused) {
    temp_dir dir;
    const auto options = options_in(dir);
    open_store(options)->close();
    execute(options.path, "INSERT INTO schema_migrations VALUES (999, '999_future', 0)");
    EXPECT_THROW(open_store(options), unavailable);
}

TEST(sqlite_migrations, a_path_that_cannot_be_opened_throws_unavailable) {
    temp_dir dir;
    store_config options;
    options.path = (dir.path() / "missing-dir" / "chat.db").string();
    EXPECT_THROW(open_store(options), unavailable);
}

}  // namespace
}  // namespace writeen::store::testing
