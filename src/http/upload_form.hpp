#pragma once
// The multipart form of an upload as it streams through the parser: the checks of API.md that
// depend on the bytes (name, type, size, magic bytes), the hash, and the small fields. Nothing
// is accepted for storage before the content matched its extension.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "files/content_sniffer.hpp"
#include "files/file_name.hpp"
#include "files/image_header.hpp"
#include "files/multipart_parser.hpp"
#include "model/types.hpp"
#include "uploads/content_hash.hpp"

namespace writeen::http {

/// One upload's form. Each callback throws api_error with the code of API.md for a refusal.
class upload_form {
public:
    /// Longest small field (description, replyTo, clientMessageId), in bytes.
    static constexpr std::size_t max_field_bytes = 64 * 1024;
    /// How far into an image its header is looked for (JPEG metadata may come before SOF);
    /// beyond, the background measurement fills width and height.
    static constexpr std::size_t max_header_bytes = 512 * 1024;

    /// Checks against settings (not owned); max_size is the largest file accepted.
    upload_form(const conversation_settings& settings, const files::content_sniffer& sniffer, std::uint64_t max_size)
        : settings_(settings), sniffer_(sniffer), max_size_(max_size) {}

    /// multipart_parser callback: a part starts.
    void begin(const files::part_headers& h);
    /// multipart_parser callback: bytes of the current part.
    void data(std::string_view bytes);
    /// multipart_parser callback: the current part ended.
    void end();

    /// True once a complete `file` part was read.
    bool file_seen() const { return file_seen_; }
    /// The sanitised original name (after begin() of the file part).
    const files::file_name& name() const { return *name_; }
    /// The canonical MIME type of the file (after its content was checked).
    const std::string& mime() const { return mime_; }
    /// Bytes of the file so far.
    std::uint64_t size() const { return size_; }
    /// The displayed size of an image file read from its header, when the header said it.
    std::optional<files::image_size> dimensions() const { return dimensions_; }
    /// The file's SHA-256 (hex); call once, after the body.
    std::string hash_hex() { return hash_.hex(); }
    /// Accepted bytes not yet in the blob store; the caller writes and clears them.
    std::string& pending() { return pending_; }

    const std::string& description() const { return description_; }
    const std::string& reply_to() const { return reply_to_; }
    const std::string& client_message_id() const { return client_message_id_; }

private:
    void check_content();
    void probe_dimensions(std::string_view bytes);

    const conversation_settings& settings_;
    const files::content_sniffer& sniffer_;
    const std::uint64_t max_size_;

    std::optional<files::file_name> name_;
    std::string extension_;
    std::string mime_;
    bool in_file_ = false;
    bool file_seen_ = false;
    bool sniffed_ = false;
    std::uint64_t size_ = 0;
    std::string head_;     // the file's first bytes, until sniffed
    std::string pending_;  // accepted bytes not yet in the blob store
    uploads::content_hash hash_;
    bool probing_ = false;  // an image whose header is still being read
    std::string header_;    // its first bytes, while probing
    std::optional<files::image_size> dimensions_;

    std::string* field_ = nullptr;  // the small field being read, if any
    std::string description_, reply_to_, client_message_id_;
};

}  // namespace writeen::http
