#include "bus/bus.hpp"

namespace writeen::bus {

void local_bus::publish(const delivery& d) {
    if (handler_) handler_(d);
}

void local_bus::on_delivery(delivery_handler handler) { handler_ = std::move(handler); }

}  // namespace writeen::bus
