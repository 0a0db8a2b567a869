#include "http/data_dir_check.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace writeen::http {

std::string data_dir_problem(const std::filesystem::path& dir) {
    // A name of its own per probe: concurrent /readyz calls never trip over each other's file.
    static std::atomic<unsigned> counter{0};
    const std::filesystem::path probe =
        dir / (".readyz-probe-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)));
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int code = errno;
        std::string why = std::strerror(code);
        for (char& c : why) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return why;
    }
    ::close(fd);
    ::unlink(probe.c_str());
    return {};
}

}  // namespace writeen::http
