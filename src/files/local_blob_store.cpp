#include "files/local_blob_store.hpp"

#include "files/file_errors.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <system_error>

namespace writeen::files {
namespace {

namespace fs = std::filesystem;

// Temporary files older than this at start-up are left over from a crash.
constexpr auto stale_temp_age = std::chrono::hours(1);

[[noreturn]] void throw_errno(const std::string& what, const fs::path& path) {
    throw storage_error(what + " " + path.string() + ": " + std::strerror(errno));
}

void fsync_dir(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw_errno("cannot open directory", dir);
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) throw_errno("cannot fsync directory", dir);
}

// Creates dir if missing; a newly created directory is only durable once its parent is synced.
void ensure_dir(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0750) == 0) {
        fsync_dir(dir.parent_path());
    } else if (errno != EEXIST) {
        throw_errno("cannot create directory", dir);
    }
}

std::string unique_suffix() {
    static std::atomic<std::uint64_t> counter{std::random_device{}()};
    return std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
}

class local_writer final : public blob_writer {
public:
    local_writer(fs::path temp, fs::path final_path) : temp_(std::move(temp)), final_(std::move(final_path)) {
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
        if (fd_ < 0) throw_errno("cannot create", temp_);
    }
    ~local_writer() override { abort(); }

    void write(std::string_view chunk) override {
        if (fd_ < 0) throw storage_error("write to a finished blob writer");
        while (!chunk.empty()) {
            const ssize_t n = ::write(fd_, chunk.data(), chunk.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                throw_errno("cannot write", temp_);
            }
            chunk.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    void commit() override {
        if (fd_ < 0) throw storage_error("commit of a finished blob writer");
        try {
            if (::fsync(fd_) != 0) throw_errno("cannot fsync", temp_);
            const int fd = fd_;
            fd_ = -1;
            if (::close(fd) != 0) throw_errno("cannot close", temp_);
            ensure_dir(final_.parent_path());
            if (::rename(temp_.c_str(), final_.c_str()) != 0) throw_errno("cannot rename into", final_);
            committed_ = true;
            fsync_dir(final_.parent_path());
        } catch (...) {
            if (!committed_) abort();
            throw;
        }
    }

    void abort() noexcept override {
        if (committed_ || aborted_) return;
        aborted_ = true;
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        ::unlink(temp_.c_str());
    }

private:
    fs::path temp_;
    fs::path final_;
    int fd_ = -1;
    bool committed_ = false;
    bool aborted_ = false;
};

class local_reader final : public blob_reader {
public:
    local_reader(int fd, std::uint64_t offset, std::uint64_t remaining) : fd_(fd), offset_(offset), remaining_(remaining) {}
    ~local_reader() override { ::close(fd_); }
    local_reader(const local_reader&) = delete;
    local_reader& operator=(const local_reader&) = delete;

    std::size_t read(std::span<char> out) override {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), remaining_));
        if (want == 0) return 0;
        for (;;) {
            const ssize_t n = ::pread(fd_, out.data(), want, static_cast<off_t>(offset_));
            if (n < 0) {
                if (errno == EINTR) continue;
                throw storage_error(std::string("cannot read blob: ") + std::strerror(errno));
            }
            // Blobs are immutable, so a short file means it was damaged underneath us.
            if (n == 0) throw storage_error("blob file is shorter than expected");
            offset_ += static_cast<std::uint64_t>(n);
            remaining_ -= static_cast<std::uint64_t>(n);
            return static_cast<std::size_t>(n);
        }
    }

private:
    int fd_;
    std::uint64_t offset_;
    std::uint64_t remaining_;
};

}  // namespace

local_blob_store::local_blob_store(fs::path root) : root_(std::move(root)), tmp_(root_ / "tmp") {
    std::error_code ec;
    fs::create_directories(tmp_, ec);
    if (ec) throw storage_error("cannot create blob directory " + tmp_.string() + ": " + ec.message());
    const auto now = fs::file_time_type::clock::now();
    for (const auto& entry : fs::directory_iterator(tmp_, ec)) {
        std::error_code ignored;
        const auto written = entry.last_write_time(ignored);
        if (!ignored && now - written > stale_temp_age) fs::remove(entry.path(), ignored);
    }
}

fs::path local_blob_store::path_of(std::string_view key) const {
    require_valid_blob_key(key);
    // Two-digit shards keep directories small; keys shorter than that share one shard.
    const std::string shard = key.size() >= 2 ? std::string(key.substr(0, 2)) : std::string("00");
    return root_ / shard / std::string(key);
}

std::unique_ptr<blob_writer> local_blob_store::begin_write(std::string_view key) {
    fs::path final_path = path_of(key);
    fs::path temp = tmp_ / (std::string(key) + "." + unique_suffix() + ".part");
    return std::make_unique<local_writer>(std::move(temp), std::move(final_path));
}

std::unique_ptr<blob_reader> local_blob_store::open_read(std::string_view key, std::uint64_t offset,
                                                         std::uint64_t length) {
    const fs::path path = path_of(key);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) throw blob_not_found("no blob " + std::string(key));
        throw_errno("cannot open", path);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        throw_errno("cannot stat", path);
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const std::uint64_t start = std::min(offset, size);
    const std::uint64_t count = std::min(length, size - start);
    return std::make_unique<local_reader>(fd, start, count);
}

void local_blob_store::remove(std::string_view key) {
    const fs::path path = path_of(key);
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) return;
        throw_errno("cannot delete", path);
    }
    fsync_dir(path.parent_path());
}

bool local_blob_store::exists(std::string_view key) {
    const fs::path path = path_of(key);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT) return false;
    throw_errno("cannot stat", path);
}

std::uint64_t local_blob_store::size(std::string_view key) {
    const fs::path path = path_of(key);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) throw blob_not_found("no blob " + std::string(key));
        throw_errno("cannot stat", path);
    }
    return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace writeen::files
