#pragma once
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/principal.hpp"
#include "chat/writer.hpp"
#include "model/types.hpp"

namespace writeen::chat {

/// What the latest token of each user said about them (name, avatar, role) and when they were
/// last seen: kept in memory for sender names, stored through the writer when it changes.
/// Thread-safe.
class user_directory {
public:
    explicit user_directory(writer& w) : writer_(w) {}

    /// Records the caller's profile when it differs from what is known.
    void seen(const auth::principal& who);
    /// Records that the user went offline now; returns the time.
    unix_ms went_offline(const auth::principal& who);
    /// The same for a user known only by id (the bus said their last socket, maybe on another
    /// node, is gone); the profile is kept as last seen.
    unix_ms went_offline(const std::string& user_id);
    /// Shutdown, before the store closes: every listed user (those still connected) went
    /// offline now, stored in one write. Later changes stay in memory: their sockets close
    /// after the store has, and their last seen is already stored.
    void all_went_offline(const std::vector<std::string>& user_ids);
    /// The user's profile (from memory, else the store), if the server has seen them.
    std::optional<user_profile> find(const std::string& id);
    /// The people picker's search (GET /api/users): users whose name or id contains `text`
    /// (ASCII letters case folded), never the caller or service users. Students see tutors,
    /// admins and the users they share a conversation with; tutors, admins and services see
    /// everyone the server knows.
    store::user_page search(const auth::principal& who, std::string_view text, int offset, int limit);

private:
    void remember(const user_profile& u);
    void store(const user_profile& u);

    writer& writer_;
    std::mutex mutex_;
    std::unordered_map<std::string, user_profile> users_;  // guarded by mutex_
    std::atomic<bool> closed_{false};  // set by all_went_offline: store() does nothing
};

}  // namespace writeen::chat
