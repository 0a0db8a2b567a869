#pragma once
#include <vector>

#include "chat/service.hpp"
#include "http/dev_resource.hpp"

namespace writeen::app {

/// The demo users of `--dev`: a student and a tutor of one thesis, and a second student.
std::vector<http::demo_user> demo_users();

/// Makes the demo users known and opens their demo consultation room and direct chat, once.
void seed_demo(chat::service& chat, const std::vector<http::demo_user>& users);

}  // namespace writeen::app
