#include "chat/conversation_views.hpp"

#include <algorithm>

namespace writeen::chat {

namespace {
// Unread counts above this are shown as this many (the list endpoint counts exactly).
constexpr int unread_count_cap = 1000;
}  // namespace

conversation_view shared_view(store::reader& r, const conversation& c) {
    conversation_view v;
    v.conv = c;
    auto last = r.list_messages(c.id, store::message_query{.limit = 1});
    if (!last.empty()) v.last_message = std::move(last.front());
    return v;
}

bool archived_for(const conversation& c, const std::string& viewer) {
    const participant* me = c.find_participant(viewer);
    return me && me->hidden_up_to_seq && *me->hidden_up_to_seq >= c.last_seq;
}

conversation_view viewer_view(store::reader& r, const conversation& c, const std::string& viewer) {
    conversation_view v = shared_view(r, c);
    v.archived_for_me = archived_for(c, viewer);
    if (const participant* me = c.find_participant(viewer)) {
        auto unread =
            r.list_messages(c.id, store::message_query{.after_seq = me->read_up_to_seq, .limit = unread_count_cap});
        v.unread_count = std::count_if(unread.begin(), unread.end(), [&](const message& m) {
            return m.sender_id != viewer && !m.deleted_at;
        });
    }
    return v;
}

void mark_online(conversation_view& v, const hub::hub& hub, const std::string& viewer) {
    for (const auto& p : v.conv.participants)
        if (p.user_id != viewer && p.active() && hub.is_online(p.user_id)) v.is_online = true;
}

}  // namespace writeen::chat
