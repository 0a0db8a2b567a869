#pragma once
// Conversations and their members: listing, creating, settings and archiving, adding and
// removing participants (each a system message in the log).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/principal.hpp"
#include "chat/conversation_cache.hpp"
#include "chat/user_directory.hpp"
#include "chat/writer.hpp"
#include "hub/hub.hpp"
#include "model/types.hpp"
#include "store/store.hpp"

namespace writeen::chat {

struct create_conversation_request {
    conversation_type type = conversation_type::direct;
    std::vector<std::string> participant_ids;
    std::string title;
    std::string consultation_id;
};

/// Fields present in a PATCH; absent ones keep their value.
struct conversation_patch {
    std::optional<std::string> title;
    std::optional<bool> archived;
    std::optional<bool> allow_file_upload;
    std::optional<std::int64_t> max_file_size;
    std::optional<std::vector<std::string>> allowed_file_types;
    std::optional<bool> auto_archive;
    std::optional<std::int64_t> retention_days;
};

struct conversation_list {
    std::vector<conversation_view> items;
    std::int64_t total = 0;
};

class conversations {
public:
    conversations(writer& w, hub::hub& hub, user_directory& users)
        : writer_(w), db_(w.database()), hub_(hub), users_(users) {}

    conversation_list list_conversations(const auth::principal& who, const store::conversation_filter& filter,
                                         int page, int limit);
    conversation_view get_conversation(const auth::principal& who, const std::string& id);
    /// Completes with the conversation and whether it was created (false: the existing direct one).
    void create_conversation(const auth::principal& who, create_conversation_request request,
                             reply<std::pair<conversation_view, bool>> done);
    void update_conversation(const auth::principal& who, const std::string& id, conversation_patch patch,
                             reply<conversation_view> done);
    /// Puts the conversation into the caller's own archive, or takes it out (any participant,
    /// also a former one; nobody else sees a difference). The caller's own sockets get their
    /// view in a personal conversation_updated.
    void set_archived_for_me(const auth::principal& who, const std::string& id, bool archived,
                             reply<conversation_view> done);
    void add_participant(const auth::principal& who, const std::string& id, const std::string& user_id,
                         std::optional<role> as_role, std::optional<std::vector<std::string>> permissions,
                         reply<conversation_view> done);
    void remove_participant(const auth::principal& who, const std::string& id, const std::string& user_id,
                            reply<conversation_view> done);

private:
    struct membership_change;
    void broadcast_membership(const membership_change& out);

    writer& writer_;
    store::database& db_;
    hub::hub& hub_;
    user_directory& users_;
};

}  // namespace writeen::chat
