#include "system_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

namespace loadgen {
namespace {

std::optional<std::uint64_t> status_field_kib(const std::string& path, const std::string& key) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) == 0) {
            std::istringstream fields(line.substr(key.size()));
            std::uint64_t kib = 0;
            fields >> kib;
            return kib;
        }
    }
    return std::nullopt;
}

std::optional<double> process_cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(in, text)) return std::nullopt;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const auto close = text.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

system_reading read_system(const std::vector<pid_t>& server_pids) {
    system_reading r;
    r.wall_seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    r.self_cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    r.self_rss_kib = status_field_kib("/proc/self/status", "VmRSS:").value_or(0);
    for (const pid_t pid : server_pids) {
        if (pid <= 0) continue;
        const std::string base = "/proc/" + std::to_string(pid);
        if (const auto rss = status_field_kib(base + "/status", "VmRSS:"))
            r.server_rss_kib = r.server_rss_kib.value_or(0) + *rss;
        if (const auto cpu = process_cpu_seconds(pid))
            r.server_cpu_seconds = r.server_cpu_seconds.value_or(0) + *cpu;
    }
    std::ifstream("/proc/loadavg") >> r.load_average;
    std::ifstream sockstat("/proc/net/sockstat");
    std::string line;
    while (std::getline(sockstat, line)) {
        if (line.rfind("TCP:", 0) != 0) continue;
        std::istringstream words(line.substr(4));
        std::string key;
        std::uint64_t value = 0;
        while (words >> key >> value) {
            if (key == "mem") r.socket_mem_kib = value * static_cast<std::uint64_t>(getpagesize()) / 1024;
            if (key == "inuse") r.tcp_inuse = value;
        }
    }
    return r;
}

std::uint64_t raise_open_file_limit() {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

}  // namespace loadgen
