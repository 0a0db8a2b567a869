#pragma once
// Sockets and who is there: connecting and disconnecting (online/offline to the user's
// peers), away/busy, joining a conversation's typing channel, and typing indicators.
//
// A change is told at once, as user_presence, to every member of the user's conversations of at
// most `large_group` members. Larger conversations gather their members' changes into a
// presence_digest sent every few hundred milliseconds to the sockets viewing them (joined), so
// 2,000 members connecting cost each viewer a few frames, not 2,000; the others read presence on
// demand (isOnline in the conversation and the member list).

#include <cstdint>
#include <string>

#include "auth/principal.hpp"
#include "chat/conversation_cache.hpp"
#include "chat/presence_digests.hpp"
#include "chat/user_directory.hpp"
#include "hub/hub.hpp"
#include "hub/typing_tracker.hpp"
#include "store/store.hpp"

namespace writeen::chat {

/// What a socket needs to catch up after joining a conversation.
struct joined_info {
    std::int64_t last_seq = 0;
    std::int64_t last_change_seq = 0;
    std::int64_t read_up_to_seq = 0;
};

class presence {
public:
    /// Registers itself as the hub's presence handler: the bus decides when a user comes online
    /// or goes offline (across nodes with the Redis bus), this tells the user's peers.
    /// Conversations with more than `large_group` current members get digests.
    presence(store::database& db, hub::hub& hub, user_directory& users, conversation_cache& conversations,
             std::size_t large_group);

    /// Registers a socket; the user's peers see them online if it is their first anywhere.
    /// `registered` as for hub::hub::attach.
    void connect(const hub::connection_ptr& c, const auth::principal& who, bus::registered_handler registered = {});
    /// Unregisters a socket; the user's peers see them offline if it was their last anywhere.
    void disconnect(const hub::connection& c, const auth::principal& who);
    /// online | away | busy, told to the user's peers; else unprocessable.
    void set_presence(const auth::principal& who, const std::string& status);
    /// The socket receives the conversation's typing events from now on.
    joined_info join(const auth::principal& who, const hub::connection_ptr& c, const std::string& conversation_id);
    void leave(const hub::connection& c, const std::string& conversation_id);
    /// Tells the others who joined the conversation that the caller started or stopped typing.
    void typing(const auth::principal& who, const std::string& conversation_id, bool is_typing);
    /// Sends isTyping:false for every typing indicator that ran out; called by a timer.
    void expire_typing();
    /// Sends each large conversation's pending presence_digest to the sockets viewing it; called
    /// by a timer (every 250 ms).
    void flush_digests();

private:
    void tell_peers(const std::string& user_id, std::string_view status, unix_ms last_seen);

    store::database& db_;
    hub::hub& hub_;
    user_directory& users_;
    conversation_cache& conversations_;
    std::size_t large_group_;
    presence_digests digests_;
    hub::typing_tracker typing_;
};

}  // namespace writeen::chat
