#include "chat/access.hpp"

#include "chat/fail.hpp"

namespace writeen::chat {

bool privileged(role r) { return r == role::tutor || r == role::admin; }

const participant& require_visible(const conversation* c, const principal& who, std::string_view not_found_message) {
    const participant* p = c ? c->find_participant(who.user_id) : nullptr;
    if (!p) fail(error_code::not_found, std::string(not_found_message));
    return *p;
}

const participant& require_active(const conversation* c, const principal& who, std::string_view not_found_message) {
    const participant& p = require_visible(c, who, not_found_message);
    if (!p.active()) fail(error_code::forbidden, "you left this conversation");
    return p;
}

const participant& require_writable(const conversation* c, const principal& who) {
    const participant& p = require_visible(c, who);
    if (who.role == role::service) fail(error_code::forbidden, "service tokens cannot chat");
    if (!p.active()) fail(error_code::forbidden, "you left this conversation");
    if (c->archived) fail(error_code::forbidden, "archived conversations are read-only");
    if (!p.can("write")) fail(error_code::forbidden, "you may not write in this conversation");
    return p;
}

const participant& require_uploadable(const conversation* c, const principal& who) {
    const participant& p = require_writable(c, who);
    if (!p.can("upload")) fail(error_code::forbidden, "you may not upload files in this conversation");
    if (!c->settings.allow_file_upload) fail(error_code::forbidden, "file uploads are turned off in this conversation");
    return p;
}

bool may_manage(const principal& who, const participant* me) {
    return who.role == role::service || who.role == role::admin || (me && me->active() && privileged(me->role));
}

bool sees_edit_history(const participant& p, std::string_view sender) {
    return p.user_id == sender || privileged(p.role);
}

bool may_see_edit_history(const principal& viewer, const conversation& c, std::string_view sender) {
    if (viewer.user_id == sender || privileged(viewer.role)) return true;
    const participant* p = c.find_participant(viewer.user_id);
    return p && sees_edit_history(*p, sender);
}

std::vector<std::string> active_user_ids(const conversation& c) {
    std::vector<std::string> ids;
    ids.reserve(c.participants.size());
    for (const auto& p : c.participants)
        if (p.active()) ids.push_back(p.user_id);
    return ids;
}

}  // namespace writeen::chat
