#pragma once
// Who may see, write and manage a conversation: the one place for these rules. Each check
// throws the documented error (not_found for what the caller may not know exists).

#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.hpp"
#include "model/types.hpp"

namespace writeen::chat {

using auth::principal;

/// Tutors and admins moderate: they see edit histories, delete others' messages, manage rooms.
bool privileged(role r);

/// The caller's participant record if they are or were a participant of c (c may be null);
/// else not_found with `not_found_message` ("conversation not found", "message not found").
const participant& require_visible(const conversation* c, const principal& who,
                                   std::string_view not_found_message = "conversation not found");
/// require_visible, and the caller has not left.
const participant& require_active(const conversation* c, const principal& who,
                                  std::string_view not_found_message = "conversation not found");
/// The caller may post now: an active participant with `write`, not a service token, and the
/// conversation is not archived.
const participant& require_writable(const conversation* c, const principal& who);
/// require_writable, and the caller may upload files here now.
const participant& require_uploadable(const conversation* c, const principal& who);
/// The caller may add or remove others, change settings, archive: the consultation service, an
/// admin, or an active tutor/admin participant (`me` may be null for non-participants).
bool may_manage(const principal& who, const participant* me);
/// Whether participant p sees the edit history of a message sent by `sender`: the sender, and
/// tutors and admins of the conversation. The rule for broadcasts, where only p is known.
bool sees_edit_history(const participant& p, std::string_view sender);
/// The same rule for a caller, whose token may also make them a tutor or admin.
bool may_see_edit_history(const principal& viewer, const conversation& c, std::string_view sender);

/// The users who receive a conversation's events: its active participants.
std::vector<std::string> active_user_ids(const conversation& c);

}  // namespace writeen::chat
