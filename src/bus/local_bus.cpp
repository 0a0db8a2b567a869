#include "bus/bus.hpp"

namespace writeen::bus {

void local_bus::publish(const delivery& d) {
    if (handler_) handler_(d);
}

void local_bus::on_delivery(delivery_handler handler, const local_view& view) {
    handler_ = std::move(handler);
    view_ = &view;
}

void local_bus::user_changed(const std::string& user_id, registered_handler registered) {
    bool changed = false, online = false;
    {
        // Under this lock the view's answer and what was announced agree: two threads that
        // changed the same user's sockets announce at most the one difference between them.
        std::lock_guard lock(mutex_);
        online = view_ && view_->has_user(user_id);
        changed = online ? online_.insert(user_id).second : online_.erase(user_id) > 0;
    }
    if (changed && presence_) presence_(user_id, online);
    if (registered) registered();  // one node: the hub is all there is to register with
}

}  // namespace writeen::bus
