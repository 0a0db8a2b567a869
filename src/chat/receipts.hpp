#pragma once
// Read receipts: a message's status as its sender sees it, and who read or received it when.
// Receipts of a page cost O(messages in the page + participants): only the cursor moves that
// date those messages are read, whatever the conversation's age.

#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "model/types.hpp"
#include "store/store.hpp"

namespace writeen::chat {

/// sent | delivered | read: every other current participant has received / read it.
std::string status_of(const conversation& c, const message& m);
/// Views of messages of c, with status, readBy and deliveredTo.
std::vector<message_view> views_of(store::reader& r, const conversation& c, std::vector<message> ms);
message_view view_of(store::reader& r, const conversation& c, message m);
/// views_of as `viewer` sees them: the edit history only where they may see it (chat/access).
std::vector<message_view> views_for(store::reader& r, const auth::principal& viewer, const conversation& c,
                                    std::vector<message> ms);
message_view view_for(store::reader& r, const auth::principal& viewer, const conversation& c, message m);

/// The newest message of one sender whose status changed with a cursor move, for their
/// message_status event.
struct status_change {
    std::string sender_id;
    message_view view;
};
/// What a move of `mover`'s read (or delivered) cursor, from `before` to `after`, changed for
/// the other senders: for each, the newest of their messages the move covered for everyone.
std::vector<status_change> status_changes(store::reader& r, const conversation& before, const conversation& after,
                                          const std::string& mover, bool read);

}  // namespace writeen::chat
