#include "notify/secret_file.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace writeen::notify {
namespace {

[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& path) {
    throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

struct fd_closer {
    int fd;
    ~fd_closer() {
        if (fd >= 0) ::close(fd);
    }
};

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// The file's contents; sets `missing` instead when there is no file.
std::string read_existing(const std::filesystem::path& path, std::size_t max_size, bool& missing) {
    // O_NONBLOCK: a FIFO at the key path must not hang start-up; it is refused just below.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT) {
            missing = true;
            return {};
        }
        throw_errno("cannot open key file", path);
    }
    const fd_closer closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw_errno("cannot stat key file", path);
    if (!S_ISREG(st.st_mode))
        throw std::runtime_error("key file " + path.string() + " is not a regular file");
    if ((st.st_mode & 077) != 0)
        throw std::runtime_error("key file " + path.string() +
                                 " is accessible by group or others (chmod 600)");
    if (st.st_size < 0 || static_cast<std::uint64_t>(st.st_size) > max_size)
        throw std::runtime_error("key file " + path.string() + " is larger than " + std::to_string(max_size) +
                                 " bytes, so it is not a key");

    std::string contents;
    std::array<char, 4096> chunk{};
    while (true) {
        const ssize_t n = ::read(fd, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("cannot read key file", path);
        if (n == 0) break;
        contents.append(chunk.data(), static_cast<std::size_t>(n));
        OPENSSL_cleanse(chunk.data(), chunk.size());
        if (contents.size() > max_size) {
            OPENSSL_cleanse(contents.data(), contents.size());
            throw std::runtime_error("key file " + path.string() + " grew while being read");
        }
    }
    return contents;
}

// Writes a complete temporary file and hard-links it into place. link() fails when the name
// exists, so unlike rename() it never replaces a key another process made a moment earlier,
// and unlike O_EXCL on the final name nobody can read the file half written. False when
// another process won.
bool create(const std::filesystem::path& path, std::string_view contents) {
    const std::filesystem::path dir =
        path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::string temp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
    const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) throw_errno("cannot create a temporary key file next to", path);
    bool ok = ::fchmod(fd, 0600) == 0 && write_all(fd, contents) && ::fsync(fd) == 0;
    ok = (::close(fd) == 0) && ok;
    if (!ok) {
        const int saved = errno;
        ::unlink(temp.c_str());
        errno = saved;
        throw_errno("cannot write key file", path);
    }
    const int linked = ::link(temp.c_str(), path.c_str());
    const int saved = errno;
    ::unlink(temp.c_str());
    if (linked != 0) {
        if (saved == EEXIST) return false;
        errno = saved;
        throw_errno("cannot create key file", path);
    }
    // The new name must survive a crash too, or the next start makes a different key.
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return true;
}

}  // namespace

std::string load_or_create_secret_file(const std::filesystem::path& path,
                                       const std::function<std::string()>& make, std::size_t max_size) {
    bool missing = false;
    std::string contents = read_existing(path, max_size, missing);
    if (!missing) return contents;

    std::string fresh = make();
    if (fresh.size() > max_size) throw std::logic_error("a new key file would be larger than its own limit");
    if (create(path, fresh)) return fresh;
    OPENSSL_cleanse(fresh.data(), fresh.size());

    missing = false;
    contents = read_existing(path, max_size, missing);
    if (missing) throw std::runtime_error("key file " + path.string() + " vanished while being created");
    return contents;
}

}  // namespace writeen::notify
