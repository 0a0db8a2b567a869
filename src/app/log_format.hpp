#pragma once
// How log lines look: `text` for people, `json` (one object per line) for log shippers. Both
// carry the request id of the line's HTTP request (model/log_context) when there is one.

#include <memory>
#include <streambuf>
#include <string>
#include <string_view>

#include <spdlog/formatter.h>

namespace writeen::app {

/// The formatter for --log-format: "text" or "json"; nullptr for anything else.
std::unique_ptr<spdlog::formatter> make_log_formatter(std::string_view format);

/// Installs make_log_formatter(format) on every logger. False (nothing changed) for an
/// unknown format.
bool use_log_format(std::string_view format);

/// While alive, each line written to std::cout becomes an info log line instead (in json mode
/// stdout must hold nothing but JSON objects, and a few start-up lines are plain std::cout).
/// Restores std::cout when destroyed.
class stdout_lines_as_log {
  public:
    stdout_lines_as_log();
    ~stdout_lines_as_log();
    stdout_lines_as_log(const stdout_lines_as_log&) = delete;
    stdout_lines_as_log& operator=(const stdout_lines_as_log&) = delete;

  private:
    class line_buffer : public std::streambuf {
      protected:
        int_type overflow(int_type c) override;
        int sync() override;

      private:
        void emit();
        std::string line_;
    };
    line_buffer buffer_;
    std::streambuf* previous_;
};

}  // namespace writeen::app
