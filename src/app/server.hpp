#pragma once
#include "app/config.hpp"

namespace writeen::app {

/// Runs the server until SIGTERM or SIGINT; returns the process exit code. Misconfiguration
/// is reported on stderr with exit code 2, a port in use or an unusable data dir with 1.
int serve(const serve_config& config);

}  // namespace writeen::app
