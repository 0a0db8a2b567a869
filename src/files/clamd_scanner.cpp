#include "files/clamd_scanner.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace writeen::files {
namespace {

constexpr std::size_t chunk_size = 64 * 1024;
constexpr std::size_t max_reply = 4096;

// Internal: clamd could not be reached or the connection broke off: an unavailable verdict.
struct scan_failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Internal: clamd answered something that is not a reply: an error verdict.
struct garbled_reply : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

class socket_fd {
public:
    explicit socket_fd(int fd) : fd_(fd) {}
    ~socket_fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    socket_fd(const socket_fd&) = delete;
    socket_fd& operator=(const socket_fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

int poll_timeout(std::chrono::milliseconds t) { return static_cast<int>(std::max<std::int64_t>(t.count(), 0)); }

// Waits until fd is ready for events; false on timeout.
bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
    pollfd p{fd, events, 0};
    for (;;) {
        const int rc = ::poll(&p, 1, poll_timeout(timeout));
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) throw scan_failure(errno_text("poll"));
        return rc > 0;
    }
}

// Connects a non-blocking socket within the timeout; returns the connected fd or throws.
int connect_with_timeout(int family, const sockaddr* addr, socklen_t len, std::chrono::milliseconds timeout) {
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw scan_failure(errno_text("socket"));
    if (::connect(fd, addr, len) == 0) return fd;
    if (errno != EINPROGRESS) {
        const std::string why = errno_text("cannot connect to clamd");
        ::close(fd);
        throw scan_failure(why);
    }
    if (!wait_for(fd, POLLOUT, timeout)) {
        ::close(fd);
        throw scan_failure("timed out connecting to clamd");
    }
    int err = 0;
    socklen_t err_len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0 || err != 0) {
        ::close(fd);
        throw scan_failure(std::string("cannot connect to clamd: ") + std::strerror(err ? err : errno));
    }
    return fd;
}

// Sends all of data; false if clamd closed the connection (it may have replied with an error).
bool send_all(int fd, std::string_view data, std::chrono::milliseconds timeout) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n >= 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!wait_for(fd, POLLOUT, timeout)) throw scan_failure("timed out sending to clamd");
            continue;
        }
        if (errno == EPIPE || errno == ECONNRESET) return false;
        throw scan_failure(errno_text("send to clamd"));
    }
    return true;
}

// Reads clamd's NUL-terminated reply.
std::string read_reply(int fd, std::chrono::milliseconds timeout) {
    std::string reply;
    std::array<char, 512> buf{};
    for (;;) {
        if (!wait_for(fd, POLLIN, timeout)) throw scan_failure("timed out waiting for the clamd verdict");
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
            if (errno == ECONNRESET && !reply.empty()) return reply;
            throw scan_failure(errno_text("receive from clamd"));
        }
        if (n == 0) return reply;
        reply.append(buf.data(), static_cast<std::size_t>(n));
        const std::size_t nul = reply.find('\0');
        if (nul != std::string::npos) return reply.substr(0, nul);
        if (reply.size() > max_reply) throw garbled_reply("clamd reply too long");
    }
}

void put_be32(char* out, std::uint32_t v) {
    out[0] = static_cast<char>(v >> 24);
    out[1] = static_cast<char>(v >> 16);
    out[2] = static_cast<char>(v >> 8);
    out[3] = static_cast<char>(v);
}

}  // namespace

scan_verdict parse_clamd_reply(std::string_view reply) {
    while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r' || reply.back() == ' ' || reply.back() == '\0')) {
        reply.remove_suffix(1);
    }
    if (reply.empty()) return scan_verdict::error("empty reply from clamd");
    // With zINSTREAM and no session the reply is "stream: <result>".
    std::string_view result = reply;
    if (const std::size_t colon = reply.find(": "); colon != std::string_view::npos) result = reply.substr(colon + 2);
    if (result == "OK") return scan_verdict::clean();
    constexpr std::string_view found = " FOUND";
    if (result.size() > found.size() && result.ends_with(found)) {
        return scan_verdict::infected(std::string(result.substr(0, result.size() - found.size())));
    }
    if (reply.ends_with("ERROR")) return scan_verdict::error("clamd: " + std::string(reply));
    return scan_verdict::error("unexpected clamd reply: " + std::string(reply.substr(0, 200)));
}

clamd_scanner::clamd_scanner(std::string address) : clamd_scanner(std::move(address), timeouts{}) {}

clamd_scanner::clamd_scanner(std::string address, timeouts limits) : address_(std::move(address)), limits_(limits) {
    const std::string_view a = address_;
    if (a.starts_with("unix:")) {
        unix_ = true;
        host_ = std::string(a.substr(5));
        if (host_.empty() || host_.size() >= sizeof(sockaddr_un::sun_path)) {
            throw std::invalid_argument("invalid clamd unix socket path: " + address_);
        }
    } else if (a.starts_with("tcp://")) {
        std::string_view rest = a.substr(6);
        if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
        const std::size_t colon = rest.rfind(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
            throw std::invalid_argument("clamd address needs host and port: " + address_);
        }
        host_ = std::string(rest.substr(0, colon));
        port_ = std::string(rest.substr(colon + 1));
        // [::1]:3310
        if (host_.size() > 2 && host_.front() == '[' && host_.back() == ']') host_ = host_.substr(1, host_.size() - 2);
    } else {
        throw std::invalid_argument("clamd address must be tcp://host:port or unix:/path: " + address_);
    }
}

int clamd_scanner::connect_socket() const {
    if (unix_) {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, host_.data(), host_.size());
        return connect_with_timeout(AF_UNIX, reinterpret_cast<const sockaddr*>(&addr), sizeof addr, limits_.connect);
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host_.c_str(), port_.c_str(), &hints, &found); rc != 0) {
        throw scan_failure(std::string("cannot resolve clamd host: ") + ::gai_strerror(rc));
    }
    std::string last_error = "no address for clamd host";
    for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
        try {
            const int fd = connect_with_timeout(ai->ai_family, ai->ai_addr, ai->ai_addrlen, limits_.connect);
            ::freeaddrinfo(found);
            return fd;
        } catch (const scan_failure& e) {
            last_error = e.what();
        }
    }
    ::freeaddrinfo(found);
    throw scan_failure(last_error);
}

scan_verdict clamd_scanner::scan(const source& src) const {
    try {
        const socket_fd sock(connect_socket());
        const int fd = sock.get();
        // The 'z' form makes clamd end its reply with NUL rather than a newline.
        static constexpr std::string_view command{"zINSTREAM\0", 10};
        bool open = send_all(fd, command, limits_.io);
        std::vector<char> frame(4 + chunk_size);
        while (open) {
            const std::size_t n = src(std::span<char>(frame.data() + 4, chunk_size));
            put_be32(frame.data(), static_cast<std::uint32_t>(n));
            open = send_all(fd, std::string_view(frame.data(), 4 + n), limits_.io);
            if (n == 0) break;  // the zero-length chunk just sent ends the stream
        }
        const std::string reply = read_reply(fd, limits_.io);
        // Killed or restarted mid-scan: no verdict either way.
        if (reply.empty()) return scan_verdict::unavailable("clamd closed the connection without a verdict");
        return parse_clamd_reply(reply);
    } catch (const scan_failure& e) {
        return scan_verdict::unavailable(e.what());
    } catch (const garbled_reply& e) {
        return scan_verdict::error(e.what());
    }
}

scan_verdict clamd_scanner::scan(std::string_view data) const {
    return scan([&data](std::span<char> out) {
        const std::size_t n = std::min(out.size(), data.size());
        std::memcpy(out.data(), data.data(), n);
        data.remove_prefix(n);
        return n;
    });
}

}  // namespace writeen::files
