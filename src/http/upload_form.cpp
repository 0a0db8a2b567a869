#include "http/upload_form.hpp"

#include <cctype>

#include "proto/error.hpp"

namespace writeen::http {
namespace {

[[noreturn]] void fail(error_code code, std::string message) { throw api_error(code, std::move(message)); }

/// The MIME type stored for an extension whose content the sniffer confirmed: one spelling per
/// type (libmagic may call a DOCX "application/zip" or a text file "text/x-c").
std::string canonical_mime(std::string_view ext) {
    if (ext == ".pdf") return "application/pdf";
    if (ext == ".docx") return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    if (ext == ".pptx") return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    if (ext == ".txt") return "text/plain";
    if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
    if (ext == ".png") return "image/png";
    if (ext == ".gif") return "image/gif";
    return "application/octet-stream";
}

bool is_image_extension(std::string_view ext) {
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".gif" || ext == ".webp";
}

bool extension_allowed(const conversation_settings& settings, std::string_view ext) {
    if (ext.empty()) return false;
    for (const auto& allowed : settings.allowed_file_types) {
        if (allowed.size() != ext.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < ext.size() && same; ++i)
            same = std::tolower(static_cast<unsigned char>(allowed[i])) == static_cast<unsigned char>(ext[i]);
        if (same) return true;
    }
    return false;
}

}  // namespace

void upload_form::begin(const files::part_headers& h) {
    field_ = nullptr;
    if (h.name == "file") {
        if (file_seen_) fail(error_code::bad_request, "one file per upload");
        if (!h.filename) fail(error_code::bad_request, "the file part needs a filename");
        name_ = files::file_name::sanitize(*h.filename);
        if (!name_) fail(error_code::unsupported_media_type, "the file name is not acceptable");
        extension_ = name_->extension();
        if (!extension_allowed(settings_, extension_))
            fail(error_code::unsupported_media_type,
                 "files of type '" + (extension_.empty() ? std::string("(none)") : extension_) +
                     "' are not allowed in this conversation");
        in_file_ = true;
        probing_ = is_image_extension(extension_);
        return;
    }
    if (h.name == "description") field_ = &description_;
    if (h.name == "replyTo") field_ = &reply_to_;
    if (h.name == "clientMessageId") field_ = &client_message_id_;
    if (field_) field_->clear();
}

void upload_form::data(std::string_view bytes) {
    if (field_) {
        if (field_->size() + bytes.size() > max_field_bytes) fail(error_code::payload_too_large, "a form field is too long");
        field_->append(bytes);
        return;
    }
    if (!in_file_) return;  // unknown fields are ignored
    size_ += bytes.size();
    if (size_ > max_size_)
        fail(error_code::payload_too_large,
             "the file is larger than this conversation's limit of " + std::to_string(max_size_) + " bytes");
    hash_.update(bytes);
    if (probing_) probe_dimensions(bytes);
    if (sniffed_) {
        pending_.append(bytes);
        return;
    }
    head_.append(bytes);
    if (head_.size() >= files::content_sniffer::sniff_bytes) check_content();
}

void upload_form::end() {
    if (in_file_ && !sniffed_) check_content();
    probing_ = false;
    header_.clear();
    if (in_file_) file_seen_ = true;
    in_file_ = false;
    field_ = nullptr;
}

void upload_form::probe_dimensions(std::string_view bytes) {
    header_.append(bytes.substr(0, max_header_bytes - header_.size()));
    const auto header = files::image_header::probe(header_);
    if (header.result == files::image_header::state::need_more && header_.size() < max_header_bytes) return;
    if (header.result == files::image_header::state::found) dimensions_ = header.size;
    probing_ = false;
    header_.clear();
    header_.shrink_to_fit();
}

void upload_form::check_content() {
    const std::string_view first = std::string_view(head_).substr(0, files::content_sniffer::sniff_bytes);
    const std::string sniffed_type = sniffer_.sniff(first);
    if (!files::content_sniffer::matches_extension(extension_, sniffed_type, first))
        fail(error_code::unsupported_media_type,
             "the content (" + sniffed_type + ") does not match the extension " + extension_);
    mime_ = canonical_mime(extension_);
    sniffed_ = true;
    pending_ = std::move(head_);
    head_.clear();
}

}  // namespace writeen::http
