#pragma once
// Helpers for the store tests: a temporary directory per test, real SQLite files in it, and
// shorthand to write through the group-committing writer and wait for the commit.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"
#include "store/store_factory.hpp"

namespace writeen::store::testing {

/// A fresh directory under the system temp dir, removed with everything in it.
class temp_dir {
  public:
    temp_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "writeen-store-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

/// A SQLite store in dir (two read connections, enough for the tests).
inline store_config options_in(const temp_dir& dir) {
    store_config options;
    options.path = (dir.path() / "chat.db").string();
    options.read_connections = 2;
    return options;
}

/// Submits work and waits for its commit; rethrows what the work (or the commit) threw.
inline void write_and_wait(database& db, write_work work) {
    std::promise<void> committed;
    auto result = committed.get_future();
    db.submit(std::move(work), [&committed](std::exception_ptr error) {
        if (error)
            committed.set_exception(error);
        else
            committed.set_value();
    });
    result.get();
}

/// Runs fn on a read connection and returns its result.
template <typename Fn>
auto read_value(database& db, Fn fn) {
    using result_t = decltype(fn(std::declval<reader&>()));
    std::optional<result_t> out;
    db.read([&](reader& r) { out.emplace(fn(r)); });
    return std::move(*out);
}

inline participant member(const std::string& user_id, role r = role::student, unix_ms joined_at = 1000) {
    participant p;
    p.user_id = user_id;
    p.role = r;
    p.joined_at = joined_at;
    return p;
}

inline conversation make_conversation(const std::string& id, const std::vector<std::string>& users,
                                      conversation_type type = conversation_type::group, unix_ms at = 1000) {
    conversation c;
    c.id = id;
    c.type = type;
    c.title = "title of " + id;
    c.created_by = users.empty() ? std::string{} : users.front();
    c.created_at = at;
    c.updated_at = at;
    for (const auto& u : users) c.participants.push_back(member(u, role::student, at));
    return c;
}

/// A text message; id derived from the conversation and a counter unless given.
inline message make_message(const std::string& conversation_id, const std::string& sender,
                            const std::string& text, unix_ms at = 2000, std::string id = {}) {
    static int counter = 0;
    message m;
    m.id = id.empty() ? conversation_id + "-m" + std::to_string(++counter) : std::move(id);
    m.conversation_id = conversation_id;
    m.sender_id = sender;
    m.type = message_type::text;
    m.content_json = "{\"text\":\"" + text + "\"}";
    m.search_text = text;
    m.created_at = at;
    m.updated_at = at;
    return m;
}

/// Stores m the way the chat service does (append_new_message: the change seq and the append in
/// one step). Returns seq.
inline std::int64_t append(transaction& tx, message& m) { return tx.append_new_message(m); }

/// Stores m in the two steps append_new_message fuses: a change seq, then append_message.
inline std::int64_t append_in_two_steps(transaction& tx, message& m) {
    m.change_seq = m.created_change_seq = tx.next_change_seq(m.conversation_id);
    return tx.append_message(m);
}

/// A database opened in a temporary directory, for tests that need one.
class sqlite_store_test : public ::testing::Test {
  protected:
    void SetUp() override { db_ = open_store(options_in(dir_)); }
    void TearDown() override {
        if (db_) db_->close();
    }
    database& db() { return *db_; }

    temp_dir dir_;
    std::unique_ptr<database> db_;
};

}  // namespace writeen::store::testing
