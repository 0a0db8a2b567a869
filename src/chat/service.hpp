#pragma once
// The chat domain, assembled: conversations, messages, read cursors, presence and files, each
// its own module, sharing the store's writer, the hub, the conversation cache and the user
// directory. No I/O of its own: it reads and writes through store::database and reaches
// sockets through hub::hub. Every write goes through the store's single writer and is answered
// (and broadcast) only after its batch has committed.

#include "chat/consultations.hpp"
#include "chat/conversation_cache.hpp"
#include "chat/conversations.hpp"
#include "chat/file_messages.hpp"
#include "chat/messages.hpp"
#include "chat/presence.hpp"
#include "chat/read_cursors.hpp"
#include "chat/sessions.hpp"
#include "chat/user_directory.hpp"
#include "chat/writer.hpp"
#include "hub/hub.hpp"
#include "hub/rate_limiter.hpp"
#include "store/store.hpp"

namespace writeen::chat {

struct options {
    double rate_limit_per_second = 20;
    int max_text_chars = 10000;
    std::size_t presence_large_group = 100;  // presence::presence
};

class service {
public:
    service(store::database& db, hub::hub& hub, options opts);

    chat::conversations& conversations() { return conversations_; }
    chat::messages& messages() { return messages_; }
    chat::read_cursors& cursors() { return cursors_; }
    chat::presence& presence() { return presence_; }
    chat::file_messages& files() { return files_; }
    chat::consultations& consultations() { return consultations_; }
    chat::sessions& sessions() { return sessions_; }
    /// Records what the token says about its user (name, avatar, role) when it changed.
    void seen(const auth::principal& who) { users_.seen(who); }
    chat::user_directory& users() { return users_; }

    hub::hub& hub() { return hub_; }
    store::database& database() { return db_; }

private:
    store::database& db_;
    hub::hub& hub_;
    conversation_cache cache_;
    writer writer_;
    user_directory users_;
    hub::rate_limiter rate_limiter_;
    chat::conversations conversations_;
    chat::messages messages_;
    chat::read_cursors cursors_;
    chat::presence presence_;
    chat::file_messages files_;
    chat::consultations consultations_;
    chat::sessions sessions_;
};

}  // namespace writeen::chat
