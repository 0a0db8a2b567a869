#pragma once
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "engine.hpp"
#include "system_stats.hpp"

namespace loadgen {

/// The outcome of one measured step.
struct step_result {
    step_plan plan;
    step_counters totals;            ///< after the drain
    step_counters in_window;         ///< when the send window closed
    std::uint64_t dropped = 0;       ///< connections closed by the server during the step
    system_reading start;
    system_reading window_end;
    double window_seconds = 0;
    [[nodiscard]] std::uint64_t lost() const;
    [[nodiscard]] std::uint64_t unacked() const;
    [[nodiscard]] bool passed(double p99_limit_ms) const;
};

/// Connecting (ramp) figures and, for idle, memory per connection.
struct connect_result {
    std::size_t target = 0;
    std::uint64_t connected = 0;
    std::uint64_t failed = 0;
    double seconds = 0;
    histogram connect_us;
    /// Frames the clients received from the first connect until nothing arrived for 0.5 s
    /// (presence, join answers): what connecting costs the server in fan-out. Only for the
    /// first connect, which no messages overlap.
    std::optional<std::uint64_t> frames_in;
    std::optional<std::uint64_t> bytes_in;
    system_reading before;
    system_reading after;            ///< after the hold (idle) or right after connecting
};

/// Everything printed and written.
struct run_result {
    const options* opts = nullptr;
    std::vector<connect_result> connects;
    std::vector<step_result> steps;
    std::optional<std::string> setup_error;
    bool idle = false;
};

/// The human table.
void print_table(std::ostream& out, const run_result& result);
/// The JSON document.
boost::json::object to_json(const run_result& result);

}  // namespace loadgen
