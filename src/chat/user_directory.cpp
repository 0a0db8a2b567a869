#include "chat/user_directory.hpp"

#include "chat/text.hpp"
#include "model/clock.hpp"

namespace writeen::chat {

void user_directory::remember(const user_profile& u) {
    std::lock_guard lock(mutex_);
    users_[u.id] = u;
}

void user_directory::store(const user_profile& u) {
    if (closed_.load()) return;
    writer_.write_unanswered([u](store::transaction& tx) { tx.upsert_user(u); }, "the profile of " + u.id);
}

void user_directory::all_went_offline(const std::vector<std::string>& user_ids) {
    const unix_ms now = now_ms();
    std::vector<user_profile> profiles;
    profiles.reserve(user_ids.size());
    for (const auto& id : user_ids) {
        auto u = find(id);
        if (!u) continue;
        u->last_seen = now;
        remember(*u);
        profiles.push_back(std::move(*u));
    }
    closed_.store(true);
    if (profiles.empty()) return;
    writer_.write_unanswered(
        [profiles = std::move(profiles)](store::transaction& tx) {
            for (const auto& u : profiles) tx.upsert_user(u);
        },
        "the last seen of " + std::to_string(user_ids.size()) + " connected users");
}

void user_directory::seen(const auth::principal& who) {
    {
        std::lock_guard lock(mutex_);
        auto it = users_.find(who.user_id);
        if (it != users_.end() && it->second.name == who.name && it->second.avatar == who.avatar &&
            it->second.role == who.role)
            return;
    }
    user_profile u{who.user_id, who.name, who.avatar, who.role, now_ms()};
    remember(u);
    store(u);
}

unix_ms user_directory::went_offline(const auth::principal& who) {
    user_profile u{who.user_id, who.name, who.avatar, who.role, now_ms()};
    remember(u);
    store(u);
    return u.last_seen;
}

unix_ms user_directory::went_offline(const std::string& user_id) {
    auto u = find(user_id);
    if (!u) return now_ms();
    u->last_seen = now_ms();
    remember(*u);
    store(*u);
    return u->last_seen;
}

std::optional<user_profile> user_directory::find(const std::string& id) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = users_.find(id); it != users_.end()) return it->second;
    }
    std::optional<user_profile> u;
    writer_.database().read([&](store::reader& r) { u = r.user(id); });
    if (u) remember(*u);
    return u;
}

}  // namespace writeen::chat

namespace writeen::chat {

store::user_page user_directory::search(const auth::principal& who, std::string_view text, int offset, int limit) {
    store::user_filter f;
    f.viewer_id = who.user_id;
    // The store folds with SQLite's lower(), which changes ASCII letters only: fold the same way.
    f.text = ascii_lower(text);
    f.everyone = who.role != role::student;
    store::user_page page;
    writer_.database().read([&](store::reader& r) { page = r.find_users(f, offset, limit); });
    return page;
}

}  // namespace writeen::chat
