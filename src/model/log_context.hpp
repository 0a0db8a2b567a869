#pragma once
// The request a log line belongs to. The log formatter (app/log_format) reads it for every line;
// the HTTP layer sets it around the code it runs for one request. It is thread-local and only
// set for synchronous stretches (never across a co_await), so a line never carries the id of a
// request another coroutine on the same thread is serving.

#include <string>
#include <string_view>

namespace writeen::logging {

/// The request id of what this thread is doing now, or empty.
std::string_view current_request_id();

/// Sets the current request id for its lifetime and restores the previous one. Do not keep
/// one alive across a co_await.
class request_scope {
  public:
    explicit request_scope(std::string_view id);
    ~request_scope();
    request_scope(const request_scope&) = delete;
    request_scope& operator=(const request_scope&) = delete;

  private:
    std::string previous_;
};

}  // namespace writeen::logging
