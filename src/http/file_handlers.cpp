// REST handlers for files: the streamed upload, the streamed download with Range and ETag, and
// thumbnails. The checks of API.md happen here, in the order a client can act on: who may
// upload, how big, what type; the pipeline stores and scans.
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "files/file_errors.hpp"
#include "files/file_name.hpp"
#include "files/multipart_parser.hpp"
#include "http/async.hpp"
#include "http/file_pipeline.hpp"
#include "http/request_parsing.hpp"
#include "http/rest_api.hpp"
#include "model/ids.hpp"
#include "proto/json.hpp"

namespace writeen::http {
namespace json = boost::json;

namespace {

// Bytes a multipart body may carry beyond the file: part headers, boundaries and the small
// fields. A Content-Length over maxFileSize plus this is refused before reading anything.
constexpr std::uint64_t form_overhead = 256 * 1024;
// The blob store is written in pieces of this size (on the I/O pool), so the upload's memory
// stays near this whatever the file's size.
constexpr std::size_t write_piece = 1024 * 1024;
constexpr std::size_t max_field_bytes = 64 * 1024;
constexpr std::size_t download_piece = 256 * 1024;

[[noreturn]] void fail(error_code code, std::string message) { throw api_error(code, std::move(message)); }

/// The decoded id in `<prefix><id><suffix>` (target without its query), or empty.
std::string middle_segment(std::string_view target, std::string_view prefix, std::string_view suffix) {
    const std::string_view path = target.substr(0, target.find('?'));
    if (!path.starts_with(prefix) || !path.ends_with(suffix) || path.size() <= prefix.size() + suffix.size()) return {};
    const std::string_view id = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    if (id.find('/') != std::string_view::npos) return {};
    return percent_decode(id, false).value_or("");
}

std::string random_blob_key() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no randomness for a blob key");
    static constexpr char hex[] = "0123456789abcdef";
    std::string key;
    for (unsigned char b : bytes) {
        key += hex[b >> 4];
        key += hex[b & 15];
    }
    return key;
}

/// SHA-256 computed while the bytes stream through.
class sha256 {
public:
    sha256() : ctx_(EVP_MD_CTX_new()) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) throw std::runtime_error("sha256 init");
    }
    ~sha256() { EVP_MD_CTX_free(ctx_); }
    sha256(const sha256&) = delete;
    sha256& operator=(const sha256&) = delete;
    void update(std::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }
    std::string hex() {
        unsigned char digest[32];
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx_, digest, &n);
        static constexpr char digits[] = "0123456789abcdef";
        std::string out;
        for (unsigned i = 0; i < n; ++i) {
            out += digits[digest[i] >> 4];
            out += digits[digest[i] & 15];
        }
        return out;
    }

private:
    EVP_MD_CTX* ctx_;
};

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

/// The form as it streams through the multipart parser.
struct upload_form {
    upload_form(const conversation_settings& s, const files::content_sniffer& sn, std::uint64_t max)
        : settings(s), sniffer(sn), max_size(max) {}

    const conversation_settings& settings;
    const files::content_sniffer& sniffer;
    const std::uint64_t max_size;

    std::optional<files::file_name> name;
    std::string extension;
    std::string mime;
    bool in_file = false;
    bool file_seen = false;
    bool sniffed = false;
    std::uint64_t size = 0;
    std::string head;     // the file's first bytes, until sniffed
    std::string pending;  // accepted bytes not yet in the blob store
    sha256 hash;

    std::string* field = nullptr;  // the small field being read, if any
    std::string description, reply_to, client_message_id;

    void begin(const files::part_headers& h) {
        field = nullptr;
        if (h.name == "file") {
            if (file_seen) fail(error_code::bad_request, "one file per upload");
            if (!h.filename) fail(error_code::bad_request, "the file part needs a filename");
            name = files::file_name::sanitize(*h.filename);
            if (!name) fail(error_code::unsupported_media_type, "the file name is not acceptable");
            extension = name->extension();
            if (!extension_allowed(settings, extension))
                fail(error_code::unsupported_media_type,
                     "files of type '" + (extension.empty() ? std::string("(none)") : extension) +
                         "' are not allowed in this conversation");
            in_file = true;
            return;
        }
        if (h.name == "description") field = &description;
        if (h.name == "replyTo") field = &reply_to;
        if (h.name == "clientMessageId") field = &client_message_id;
        if (field) field->clear();
    }

    void data(std::string_view bytes) {
        if (field) {
            if (field->size() + bytes.size() > max_field_bytes) fail(error_code::payload_too_large, "a form field is too long");
            field->append(bytes);
            return;
        }
        if (!in_file) return;  // unknown fields are ignored
        size += bytes.size();
        if (size > max_size)
            fail(error_code::payload_too_large,
                 "the file is larger than this conversation's limit of " + std::to_string(max_size) + " bytes");
        hash.update(bytes);
        if (sniffed) {
            pending.append(bytes);
            return;
        }
        head.append(bytes);
        if (head.size() >= files::content_sniffer::sniff_bytes) check_content();
    }

    void end() {
        if (in_file && !sniffed) check_content();
        if (in_file) file_seen = true;
        in_file = false;
        field = nullptr;
    }

    /// The magic bytes must say what the extension says; nothing is stored before they do.
    void check_content() {
        const std::string_view first = std::string_view(head).substr(0, files::content_sniffer::sniff_bytes);
        const std::string sniffed_type = sniffer.sniff(first);
        if (!files::content_sniffer::matches_extension(extension, sniffed_type, first))
            fail(error_code::unsupported_media_type,
                 "the content (" + sniffed_type + ") does not match the extension " + extension);
        mime = canonical_mime(extension);
        sniffed = true;
        pending = std::move(head);
        head.clear();
    }
};

std::optional<std::uint64_t> header_number(const raw_request& req, bhttp::field f) {
    auto it = req.find(f);
    if (it == req.end()) return std::nullopt;
    auto n = parse_int(it->value());
    if (!n || *n < 0) return std::nullopt;
    return static_cast<std::uint64_t>(*n);
}

/// A byte range [first, last] of a blob of `size` bytes, from a single-range `Range` header.
struct byte_range {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
};

/// nullopt: serve the whole file (no Range, or a form we do not serve partially, which RFC 9110
/// allows ignoring). Throws the sentinel `unsatisfiable` for a range outside the file.
struct unsatisfiable {};
std::optional<byte_range> parse_range(std::string_view value, std::uint64_t size) {
    if (!value.starts_with("bytes=")) return std::nullopt;
    value.remove_prefix(6);
    if (value.find(',') != std::string_view::npos) return std::nullopt;
    const auto dash = value.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const std::string_view a = value.substr(0, dash), b = value.substr(dash + 1);
    const auto number = [](std::string_view s) -> std::optional<std::uint64_t> {
        if (s.empty() || s.size() > 19) return std::nullopt;
        std::uint64_t n = 0;
        for (char c : s) {
            if (c < '0' || c > '9') return std::nullopt;
            n = n * 10 + static_cast<std::uint64_t>(c - '0');
        }
        return n;
    };
    if (a.empty()) {  // suffix: the last n bytes
        auto n = number(b);
        if (!n) return std::nullopt;
        if (*n == 0 || size == 0) throw unsatisfiable{};
        return byte_range{size - std::min(*n, size), size - 1};
    }
    auto first = number(a);
    if (!first) return std::nullopt;
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!b.empty()) {
        auto l = number(b);
        if (!l || *l < *first) return std::nullopt;
        last = std::min(*l, last);
    }
    if (*first >= size) throw unsatisfiable{};
    return byte_range{*first, last};
}

bool etag_matches(const raw_request& req, bhttp::field f, const std::string& etag) {
    auto it = req.find(f);
    if (it == req.end()) return false;
    const std::string_view v = it->value();
    if (v == "*") return true;
    // A list of tags; weak ones compare by their opaque part for If-None-Match.
    std::size_t pos = 0;
    while (pos < v.size()) {
        auto comma = v.find(',', pos);
        std::string_view tag = v.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        if (tag == etag) return true;
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return false;
}

}  // namespace

// --- routing of the streamed endpoints -----------------------------------------------------------

bool rest_api::is_upload(bhttp::verb method, std::string_view target) {
    return method == bhttp::verb::post && !middle_segment(target, "/api/conversations/", "/upload").empty();
}

bool rest_api::is_download(bhttp::verb method, std::string_view target) {
    return method == bhttp::verb::get && !middle_segment(target, "/api/files/", "/download").empty();
}

file_pipeline& rest_api::files() const {
    if (!files_) throw api_error(error_code::unavailable, "file sharing is not configured");
    return *files_;
}

response rest_api::failure_response(const raw_request& req) {
    try {
        throw;
    } catch (const api_error& e) {
        if (e.code() == error_code::rate_limited) metrics_.rate_limited.fetch_add(1, std::memory_order_relaxed);
        return error_response(req, e.code(), e.what(), e.retry_after());
    } catch (const files::multipart_error& e) {
        return error_response(req, error_code::bad_request, std::string("malformed multipart body: ") + e.what());
    } catch (const store::unavailable& e) {
        spdlog::error("storage unavailable: {}", e.what());
        return error_response(req, error_code::unavailable, "storage is unavailable; retry later", 1);
    } catch (const files::storage_error& e) {
        spdlog::error("blob store unavailable: {}", e.what());
        return error_response(req, error_code::unavailable, "file storage is unavailable; retry later", 1);
    } catch (const files::integrity_error& e) {
        // Stored bytes that fail authentication: tampering or a wrong master key. Never served.
        spdlog::critical("integrity failure on {}: {}", std::string(req.target()), e.what());
        return error_response(req, error_code::internal, "internal error");
    } catch (const std::exception& e) {
        spdlog::error("internal error on {} {}: {}", std::string(req.method_string()), std::string(req.target()),
                      e.what());
        return error_response(req, error_code::internal, "internal error");
    }
}

// --- upload --------------------------------------------------------------------------------------

net::awaitable<response> rest_api::upload(const raw_request& head, body_source& body) {
    metrics_.http_requests.fetch_add(1, std::memory_order_relaxed);
    std::optional<response> failure;
    try {
        request r{head, {middle_segment(head.target(), "/api/conversations/", "/upload")}, {}, {}};
        r.who = authenticate(head);
        co_return co_await receive_upload(r, body);
    } catch (...) {
        failure = failure_response(head);
    }
    metrics_.http_errors.fetch_add(1, std::memory_order_relaxed);
    co_return std::move(*failure);
}

net::awaitable<response> rest_api::receive_upload(request& r, body_source& body) {
    file_pipeline& pipeline = files();
    const std::string conversation_id = r.params.at(0);
    const conversation_settings settings = chat_.files().upload_settings(r.who, conversation_id);

    std::optional<std::string> boundary;
    if (auto ct = r.raw.find(bhttp::field::content_type); ct != r.raw.end())
        boundary = files::multipart_parser::boundary_from_content_type(ct->value());
    if (!boundary) fail(error_code::bad_request, "the body must be multipart/form-data with a boundary");
    const auto max_size = static_cast<std::uint64_t>(settings.max_file_size);
    if (auto length = header_number(r.raw, bhttp::field::content_length); length && *length > max_size + form_overhead)
        fail(error_code::payload_too_large,
             "the file is larger than this conversation's limit of " + std::to_string(max_size) + " bytes");

    upload_form form{settings, pipeline.sniffer(), max_size};
    files::multipart_parser parser(*boundary, {[&form](const files::part_headers& h) { form.begin(h); },
                                               [&form](std::string_view d) { form.data(d); },
                                               [&form]() { form.end(); }});
    const std::string blob_key = random_blob_key();
    // Shared with the pool's tasks; only one task uses it at a time (each is awaited).
    auto writer = std::make_shared<std::unique_ptr<files::blob_writer>>();
    // Coroutine note: no temporary with a destructor inside a co_await expression (GCC 12
    // miscompiles some); the work is built in this plain function and the awaitable returned.
    const auto flush = [&pipeline, writer, blob_key](std::string& data, bool commit) {
        return pipeline.offload<bool>([&pipeline, writer, blob_key, data = std::move(data), commit] {
            if (!*writer) *writer = pipeline.store().begin_write(blob_key);
            if (!data.empty()) (*writer)->write(data);
            if (commit) (*writer)->commit();
            return true;
        });
    };

    std::exception_ptr error;
    try {
        for (;;) {
            const std::string_view chunk = co_await body.next();
            if (chunk.empty()) break;
            parser.feed(chunk);
            if (form.pending.size() >= write_piece) {
                co_await flush(form.pending, false);
                form.pending.clear();
            }
        }
        parser.finish();
        if (!form.file_seen) fail(error_code::bad_request, "the form needs a `file` part");
        co_await flush(form.pending, true);
    } catch (...) {
        error = std::current_exception();
    }
    if (error) {
        // Aborting may be a network call (S3): not on this thread.
        if (*writer) pipeline.in_background([writer] { (*writer)->abort(); });
        std::rethrow_exception(error);
    }
    pipeline.upload_bytes.fetch_add(form.size, std::memory_order_relaxed);

    chat::file_message_request request;
    request.conversation_id = conversation_id;
    request.file.id = make_object_id();
    request.file.file_name = form.name->value();
    request.file.size = static_cast<std::int64_t>(form.size);
    request.file.mime = form.mime;
    request.file.sha256 = form.hash.hex();
    request.file.blob_key = blob_key;
    request.file.scan_status = pipeline.scanning() ? "pending" : "unscanned";
    request.description = form.description;
    request.reply_to = form.reply_to;
    request.client_message_id = form.client_message_id;
    request.image = form.mime.starts_with("image/");
    request.thumbnail = pipeline.previews(form.mime);

    chat::file_message_result result;
    try {
        result = co_await await_reply<chat::file_message_result>(
            [&](auto done) { chat_.files().send_file_message(r.who, std::move(request), std::move(done)); });
    } catch (...) {
        error = std::current_exception();
    }
    if (error) {
        pipeline.delete_blobs({blob_key});
        std::rethrow_exception(error);
    }
    if (result.upload_unused) pipeline.delete_blobs({blob_key});
    if (!result.sent.duplicate) {
        metrics_.messages_in.fetch_add(1, std::memory_order_relaxed);
        pipeline.process(result.file);
    }
    response res{result.sent.duplicate ? bhttp::status::ok : bhttp::status::created, r.raw.version()};
    res.set(bhttp::field::content_type, "application/json; charset=utf-8");
    res.set(bhttp::field::cache_control, "no-store");
    res.keep_alive(r.raw.keep_alive());
    res.body() = proto::success_body(json::object{
        {"message", proto::message_json(result.sent.view, true)},
        {"upload", json::object{{"id", result.file.id}, {"status", "completed"}, {"progress", 100}}}});
    res.prepare_payload();
    co_return res;
}

// --- download ------------------------------------------------------------------------------------

net::awaitable<std::variant<response, streamed_response>> rest_api::download(const raw_request& req) {
    metrics_.http_requests.fetch_add(1, std::memory_order_relaxed);
    std::optional<response> failure;
    try {
        request r{req, {middle_segment(req.target(), "/api/files/", "/download")}, {}, {}};
        r.who = authenticate(req);
        chat_.seen(r.who);
        co_return co_await send_download(r);
    } catch (...) {
        failure = failure_response(req);
    }
    metrics_.http_errors.fetch_add(1, std::memory_order_relaxed);
    co_return std::move(*failure);
}

namespace {

/// The file if its bytes may be served now; else 423 file_not_ready.
void require_ready(const file_record& f, bool scanning) {
    if (f.scan_status == "clean" || (f.scan_status == "unscanned" && !scanning)) return;
    fail(error_code::file_not_ready, "the file cannot be downloaded: its scan status is " + f.scan_status);
}

}  // namespace

net::awaitable<std::variant<response, streamed_response>> rest_api::send_download(request& r) {
    file_pipeline& pipeline = files();
    const file_record f = chat_.files().downloadable_file(r.who, r.params.at(0));
    require_ready(f, pipeline.scanning());
    const std::string etag = "\"" + f.sha256 + "\"";
    const auto size = static_cast<std::uint64_t>(f.size);

    const auto common = [&](auto& res) {
        res.set(bhttp::field::etag, etag);
        res.set(bhttp::field::accept_ranges, "bytes");
        res.set(bhttp::field::cache_control, "private, no-cache");
        res.set("X-Content-Type-Options", "nosniff");
        res.set("X-File-Scan-Status", f.scan_status);
        res.keep_alive(r.raw.keep_alive());
    };
    if (etag_matches(r.raw, bhttp::field::if_none_match, etag)) {
        response res{bhttp::status::not_modified, r.raw.version()};
        common(res);
        co_return res;
    }

    std::optional<byte_range> range;
    auto range_header = r.raw.find(bhttp::field::range);
    // If-Range: a range is only served of the version the client already has part of.
    const bool range_applies = range_header != r.raw.end() &&
                               (r.raw.find(bhttp::field::if_range) == r.raw.end() ||
                                etag_matches(r.raw, bhttp::field::if_range, etag));
    if (range_applies) {
        try {
            range = parse_range(range_header->value(), size);
        } catch (const unsatisfiable&) {
            auto res = error_response(r.raw, error_code::bad_request, "the range is outside the file");
            res.result(bhttp::status::range_not_satisfiable);
            res.set(bhttp::field::content_range, "bytes */" + std::to_string(size));
            common(res);
            co_return res;
        }
    }

    const std::uint64_t offset = range ? range->first : 0;
    const std::uint64_t length = range ? range->last - range->first + 1 : size;
    auto name = files::file_name::sanitize(f.file_name);
    streamed_response out;
    out.head = bhttp::response<bhttp::empty_body>{range ? bhttp::status::partial_content : bhttp::status::ok,
                                                  r.raw.version()};
    common(out.head);
    out.head.set(bhttp::field::content_type, "application/octet-stream");
    out.head.set(bhttp::field::content_disposition,
                 name ? name->content_disposition() : std::string("attachment; filename=\"download\""));
    out.head.set(bhttp::field::content_length, std::to_string(length));
    if (range)
        out.head.set(bhttp::field::content_range,
                     "bytes " + std::to_string(range->first) + "-" + std::to_string(range->last) + "/" + std::to_string(size));

    struct reading {
        std::unique_ptr<files::blob_reader> reader;
        std::uint64_t remaining = 0;
    };
    auto state = std::make_shared<reading>();
    state->remaining = length;
    // Opened before the header goes out, so a missing or unreachable blob is still an error
    // response rather than a cut connection.
    std::function<std::unique_ptr<files::blob_reader>()> open = [&pipeline, key = f.blob_key, offset, length] {
        return pipeline.store().open_read(key, offset, length);
    };
    state->reader = co_await pipeline.offload(std::move(open));
    out.next = [state, &pipeline]() -> net::awaitable<std::string> {
        if (state->remaining == 0) co_return std::string{};
        std::function<std::string()> read = [state] {
            std::string buf(static_cast<std::size_t>(std::min<std::uint64_t>(download_piece, state->remaining)), '\0');
            std::size_t filled = 0;
            while (filled < buf.size()) {
                const std::size_t n = state->reader->read(std::span<char>(buf.data() + filled, buf.size() - filled));
                if (n == 0) break;
                filled += n;
            }
            buf.resize(filled);
            return buf;
        };
        std::string piece = co_await pipeline.offload(std::move(read));
        if (piece.empty()) throw files::storage_error("the blob ended before its recorded size");
        state->remaining -= piece.size();
        co_return piece;
    };
    co_return out;
}

// --- thumbnails ----------------------------------------------------------------------------------

net::awaitable<response> rest_api::thumbnail(request& r) {
    file_pipeline& pipeline = files();
    thumbnail_size size = thumbnail_size::medium;
    if (auto s = r.query_value("size")) {
        if (*s == "small") size = thumbnail_size::small;
        else if (*s == "medium") size = thumbnail_size::medium;
        else if (*s == "large") size = thumbnail_size::large;
        else fail(error_code::bad_request, "size must be small, medium or large");
    }
    const file_record f = chat_.files().downloadable_file(r.who, r.params.at(0));
    require_ready(f, pipeline.scanning());
    if (!pipeline.previews(f.mime)) fail(error_code::not_found, "this file has no preview");
    const std::string etag = "\"" + f.sha256 + "-" + std::to_string(static_cast<int>(size)) + "\"";
    response res{bhttp::status::ok, r.raw.version()};
    res.set(bhttp::field::etag, etag);
    res.set(bhttp::field::cache_control, "private, max-age=86400");
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(r.raw.keep_alive());
    if (etag_matches(r.raw, bhttp::field::if_none_match, etag)) {
        res.result(bhttp::status::not_modified);
        co_return res;
    }
    std::function<std::string()> make = [&pipeline, f, size] { return pipeline.thumbnail(f, size); };
    res.body() = co_await pipeline.offload(std::move(make));
    res.set(bhttp::field::content_type, "image/jpeg");
    res.prepare_payload();
    co_return res;
}

}  // namespace writeen::http
