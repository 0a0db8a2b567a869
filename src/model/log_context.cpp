#include "model/log_context.hpp"

namespace writeen::logging {
namespace {

thread_local std::string current;

}  // namespace

std::string_view current_request_id() { return current; }

request_scope::request_scope(std::string_view id) : previous_(std::move(current)) { current = id; }

request_scope::~request_scope() { current = std::move(previous_); }

}  // namespace writeen::logging
