#include "files/master_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace writeen::files {
namespace {

[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& path) {
    throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

bool read_exact(int fd, std::uint8_t* out, std::size_t n) {
    while (n > 0) {
        const ssize_t r = ::read(fd, out, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        out += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

}  // namespace

master_key::~master_key() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

master_key master_key::generate() {
    master_key key;
    if (RAND_bytes(key.bytes_.data(), static_cast<int>(key.bytes_.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    return key;
}

master_key master_key::from_bytes(std::string_view bytes) {
    if (bytes.size() != size) throw std::invalid_argument("a master key is 32 bytes");
    master_key key;
    std::memcpy(key.bytes_.data(), bytes.data(), size);
    return key;
}

master_key master_key::load_or_create(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        master_key key = generate();
        // O_EXCL: of two processes starting at once, exactly one creates the key and the
        // other reads it.
        const int wfd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (wfd >= 0) {
            const bool ok = ::write(wfd, key.bytes_.data(), size) == static_cast<ssize_t>(size) && ::fsync(wfd) == 0;
            ::close(wfd);
            if (!ok) {
                ::unlink(path.c_str());
                throw_errno("cannot write master key", path);
            }
            const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
            const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (dfd >= 0) {
                ::fsync(dfd);
                ::close(dfd);
            }
            return key;
        }
        if (errno != EEXIST) throw_errno("cannot create master key", path);
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) throw_errno("cannot open master key", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        throw_errno("cannot stat master key", path);
    }
    if ((st.st_mode & 077) != 0) {
        ::close(fd);
        throw std::runtime_error("master key " + path.string() + " is accessible by group or others (chmod 600)");
    }
    // A writer racing us may not have finished; a short key is refused rather than guessed.
    master_key key;
    const bool ok = st.st_size == static_cast<off_t>(size) && read_exact(fd, key.bytes_.data(), size);
    ::close(fd);
    if (!ok) throw std::runtime_error("master key " + path.string() + " must hold exactly 32 bytes");
    return key;
}

}  // namespace writeen::files
