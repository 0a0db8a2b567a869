#pragma once
#include <cstdint>
#include <optional>
#include <sys/types.h>
#include <vector>

namespace loadgen {

/// One reading of what the machine and the processes under test use.
struct system_reading {
    double wall_seconds = 0;             ///< steady clock, seconds
    double self_cpu_seconds = 0;         ///< this process, user + system (getrusage)
    std::uint64_t self_rss_kib = 0;      ///< this process's VmRSS
    std::optional<double> server_cpu_seconds;   ///< /proc/<pid>/stat utime + stime, summed
    std::optional<std::uint64_t> server_rss_kib; ///< /proc/<pid>/status VmRSS, summed
    std::uint64_t socket_mem_kib = 0;    ///< /proc/net/sockstat TCP "mem" (pages) in KiB
    std::uint64_t tcp_inuse = 0;         ///< /proc/net/sockstat TCP "inuse"
    double load_average = 0;             ///< /proc/loadavg, 1 minute: other work on the machine
};

/// Reads the current figures; the server fields are the sums over `server_pids` (several
/// nodes, or a node and its proxy), empty when none of them can be read.
system_reading read_system(const std::vector<pid_t>& server_pids);

/// The soft limit on open files of this process after raising it to the hard limit.
std::uint64_t raise_open_file_limit();

}  // namespace loadgen
