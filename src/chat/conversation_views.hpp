#pragma once
// A conversation as the API shows it: what every participant shares, and what one viewer sees
// (their unread count, whether someone else is online). The store part is read inside the
// work that changed the conversation; only the in-memory online flag is added afterwards.

#include <string>

#include "hub/hub.hpp"
#include "model/types.hpp"
#include "store/store.hpp"

namespace writeen::chat {

/// The conversation with its newest message: the body of conversation_updated.
conversation_view shared_view(store::reader& r, const conversation& c);
/// shared_view plus the viewer's unread count (isOnline is set by mark_online).
conversation_view viewer_view(store::reader& r, const conversation& c, const std::string& viewer);
/// The viewer keeps c in their own archive: they hid it and no message arrived since.
bool archived_for(const conversation& c, const std::string& viewer);
/// Sets isOnline: another active participant has a socket open.
void mark_online(conversation_view& v, const hub::hub& hub, const std::string& viewer);

}  // namespace writeen::chat
