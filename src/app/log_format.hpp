#pragma once
// How log lines look: `text` for people, `json` (one object per line) for log shippers. Both
// carry the request id of the line's HTTP request (model/log_context) when there is one.

#include <memory>
#include <string_view>

#include <spdlog/formatter.h>

namespace writeen::app {

/// The formatter for --log-format: "text" or "json"; nullptr for anything else.
std::unique_ptr<spdlog::formatter> make_log_formatter(std::string_view format);

/// Installs make_log_formatter(format) on every logger. False (nothing changed) for an
/// unknown format.
bool use_log_format(std::string_view format);

}  // namespace writeen::app
