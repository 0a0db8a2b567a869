#include "ack_log.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace loadgen {

ack_log::ack_log(const std::string& path) : file_(std::fopen(path.c_str(), "a")) {
    if (file_ == nullptr) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
}

ack_log::~ack_log() { std::fclose(file_); }

void ack_log::record(std::string_view conversation_id, std::uint64_t seq, std::string_view message_id,
                     std::string_view client_message_id) {
    const std::lock_guard lock(mutex_);
    std::fprintf(file_, "%.*s %llu %.*s %.*s\n", static_cast<int>(conversation_id.size()), conversation_id.data(),
                 static_cast<unsigned long long>(seq), static_cast<int>(message_id.size()), message_id.data(),
                 static_cast<int>(client_message_id.size()), client_message_id.data());
}

}  // namespace loadgen
