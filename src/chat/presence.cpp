#include "chat/presence.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "chat/access.hpp"
#include "chat/fail.hpp"
#include "model/clock.hpp"
#include "proto/chat_events.hpp"

namespace writeen::chat {

void presence::tell_peers(const std::string& user_id, std::string_view status, unix_ms last_seen) {
    std::vector<std::string> peers;  // members of the user's small conversations
    std::vector<std::string> large;  // the user's large conversations
    db_.read([&](store::reader& r) {
        for (const auto& id : r.conversation_ids_of(user_id)) {
            // The cache already holds the conversations of anyone who chats; a lookup per
            // conversation is cheaper than joining participants to themselves in the store.
            const auto conv = conversations_.get(id, r);
            if (!conv) continue;
            // Classic algorithms: the fuzz build's clang cannot compile libstdc++ 12's ranges.
            const auto members = std::count_if(conv->participants.begin(), conv->participants.end(),
                                               [](const participant& p) { return p.active(); });
            if (static_cast<std::size_t>(members) > large_group_) {
                large.push_back(id);
                continue;
            }
            for (const auto& p : conv->participants)
                if (p.active() && p.user_id != user_id) peers.push_back(p.user_id);
        }
    });
    std::sort(peers.begin(), peers.end());
    peers.erase(std::unique(peers.begin(), peers.end()), peers.end());
    if (!peers.empty()) hub_.send_to_users(std::move(peers), proto::presence_event(user_id, status, last_seen));
    for (const auto& id : large) digests_.add(id, user_id, status, last_seen);
}

void presence::flush_digests() {
    for (const auto& d : digests_.take())
        hub_.send_to_joined(d.conversation_id, proto::presence_digest_event(d.conversation_id, d.changes), {});
}

presence::presence(store::database& db, hub::hub& hub, user_directory& users, conversation_cache& conversations,
                   std::size_t large_group)
    : db_(db), hub_(hub), users_(users), conversations_(conversations), large_group_(large_group) {
    hub_.on_presence([this](const std::string& user_id, bool online) {
        try {
            if (online) tell_peers(user_id, "online", now_ms());
            else tell_peers(user_id, "offline", users_.went_offline(user_id));
        } catch (const std::exception& e) {
            // Presence is ephemeral: a store hiccup costs this one announcement.
            spdlog::warn("presence of {} not announced: {}", user_id, e.what());
        }
    });
}

void presence::connect(const hub::connection_ptr& c, const auth::principal& who,
                       bus::registered_handler registered) {
    users_.seen(who);
    hub_.attach(c, std::move(registered));
}

void presence::disconnect(const hub::connection& c, const auth::principal& /*who*/) { hub_.detach(c); }

void presence::set_presence(const auth::principal& who, const std::string& status) {
    if (status != "online" && status != "away" && status != "busy")
        fail(error_code::unprocessable, "status must be online, away or busy");
    tell_peers(who.user_id, status, now_ms());
}

joined_info presence::join(const auth::principal& who, const hub::connection_ptr& c,
                           const std::string& conversation_id) {
    joined_info info;
    db_.read([&](store::reader& r) {
        // Membership from the cache and the counters alone: loading every participant per join
        // made 2,000 members joining one group quadratic.
        require_visible(conversations_.get(conversation_id, r).get(), who);
        const auto state = r.join_state_of(conversation_id, who.user_id);
        if (!state) fail(error_code::not_found, "conversation not found");
        info = {state->last_seq, state->last_change_seq, state->read_up_to_seq};
    });
    hub_.join(c, conversation_id);
    return info;
}

void presence::leave(const hub::connection& c, const std::string& conversation_id) { hub_.leave(c, conversation_id); }

void presence::typing(const auth::principal& who, const std::string& conversation_id, bool is_typing) {
    db_.read([&](store::reader& r) { require_active(conversations_.get(conversation_id, r).get(), who); });
    if (is_typing) {
        typing_.started({conversation_id, who.user_id, who.name}, now_ms());
    } else if (!typing_.stopped(conversation_id, who.user_id)) {
        return;  // nobody was told this user is typing
    }
    hub_.send_to_joined(conversation_id, proto::typing_event(conversation_id, who.user_id, who.name, is_typing),
                        who.user_id);
}

void presence::expire_typing() {
    for (auto& e : typing_.expire(now_ms()))
        hub_.send_to_joined(e.conversation_id, proto::typing_event(e.conversation_id, e.user_id, e.user_name, false),
                            e.user_id);
}

}  // namespace writeen::chat
