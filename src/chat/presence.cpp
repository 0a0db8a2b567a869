#include "chat/presence.hpp"

#include <spdlog/spdlog.h>

#include "chat/access.hpp"
#include "chat/fail.hpp"
#include "model/clock.hpp"
#include "proto/chat_events.hpp"

namespace writeen::chat {

void presence::tell_peers(const std::string& user_id, std::string_view status, unix_ms last_seen) {
    std::vector<std::string> peers;
    db_.read([&](store::reader& r) { peers = r.peers_of(user_id); });
    hub_.send_to_users(std::move(peers), proto::presence_event(user_id, status, last_seen));
}

presence::presence(store::database& db, hub::hub& hub, user_directory& users, conversation_cache& conversations)
    : db_(db), hub_(hub), users_(users), conversations_(conversations) {
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
        auto conv = r.find_conversation(conversation_id);
        const participant& me = require_visible(conv ? &*conv : nullptr, who);
        info = {conv->last_seq, conv->last_change_seq, me.read_up_to_seq};
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
