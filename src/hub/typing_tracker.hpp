#pragma once
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/types.hpp"

namespace writeen::hub {

/// Who is typing where, so that a `typing: true` without a repeat expires. Thread-safe.
class typing_tracker {
public:
    struct entry {
        std::string conversation_id;
        std::string user_id;
        std::string user_name;
    };

    explicit typing_tracker(unix_ms ttl_ms = 6000) : ttl_ms_(ttl_ms) {}

    void started(const entry& e, unix_ms now);
    /// True when the user was typing there.
    bool stopped(const std::string& conversation_id, const std::string& user_id);
    /// Removes and returns the entries whose time ran out.
    std::vector<entry> expire(unix_ms now);

private:
    unix_ms ttl_ms_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::pair<entry, unix_ms>> typing_;  // key conv+'\n'+user; guarded by mutex_
};

}  // namespace writeen::hub
