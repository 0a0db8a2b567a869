#include "http/files_resource.hpp"

#include <openssl/rand.h>

#include <boost/json.hpp>

#include "files/file_errors.hpp"
#include "files/file_name.hpp"
#include "files/multipart_parser.hpp"
#include "http/async.hpp"
#include "http/byte_range.hpp"
#include "http/request_parsing.hpp"
#include "http/responses.hpp"
#include "http/upload_form.hpp"
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

std::optional<std::uint64_t> header_number(const raw_request& req, bhttp::field f) {
    auto it = req.find(f);
    if (it == req.end()) return std::nullopt;
    auto n = parse_int(it->value());
    if (!n || *n < 0) return std::nullopt;
    return static_cast<std::uint64_t>(*n);
}

/// Returns when f's bytes may be served now; else 423 file_not_ready.
void require_ready(const file_record& f, bool scanning) {
    if (f.scan_status == "clean" || (f.scan_status == "unscanned" && !scanning)) return;
    fail(error_code::file_not_ready, "the file cannot be downloaded: its scan status is " + f.scan_status);
}

}  // namespace

void files_resource::add_routes(router& routes) {
    using bhttp::verb;
    routes.add(verb::get, "/api/files/:id/thumbnail", [this](request& r) { return thumbnail(r); });
    // Served by the connection layer through upload() and download(); listed so that another
    // method on these paths is a 405.
    const auto streamed_elsewhere = [](request&) -> net::awaitable<response> {
        throw api_error(error_code::internal, "streamed endpoint reached the router");
    };
    routes.add(verb::post, "/api/conversations/:id/upload", streamed_elsewhere);
    routes.add(verb::get, "/api/files/:id/download", streamed_elsewhere);
}

std::string files_resource::upload_target(bhttp::verb method, std::string_view target) {
    if (method != bhttp::verb::post) return {};
    return middle_segment(target, "/api/conversations/", "/upload");
}

std::string files_resource::download_target(bhttp::verb method, std::string_view target) {
    if (method != bhttp::verb::get) return {};
    return middle_segment(target, "/api/files/", "/download");
}

uploads::upload_pipeline& files_resource::pipeline() const {
    if (!pipeline_) throw api_error(error_code::unavailable, "file sharing is not configured");
    return *pipeline_;
}

// --- upload --------------------------------------------------------------------------------------

net::awaitable<response> files_resource::upload(request& r, body_source& body) {
    uploads::upload_pipeline& pipeline = this->pipeline();
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
            if (form.pending().size() >= write_piece) {
                co_await flush(form.pending(), false);
                form.pending().clear();
            }
        }
        parser.finish();
        if (!form.file_seen()) fail(error_code::bad_request, "the form needs a `file` part");
        co_await flush(form.pending(), true);
    } catch (...) {
        error = std::current_exception();
    }
    if (error) {
        // Aborting may be a network call (S3): not on this thread.
        if (*writer) pipeline.in_background([writer] { (*writer)->abort(); }, "aborting the upload to blob " + blob_key);
        std::rethrow_exception(error);
    }
    pipeline.upload_bytes.fetch_add(form.size(), std::memory_order_relaxed);

    chat::file_message_request request;
    request.conversation_id = conversation_id;
    request.file.id = make_object_id();
    request.file.file_name = form.name().value();
    request.file.size = static_cast<std::int64_t>(form.size());
    request.file.mime = form.mime();
    request.file.sha256 = form.hash_hex();
    request.file.blob_key = blob_key;
    request.file.scan_status = pipeline.scanning() ? "pending" : "unscanned";
    // From the header, so the answer carries them (API.md: images have width and height); the
    // background measurement after the scan confirms them. Over the pixel cap it would refuse
    // them, so they are not promised here either.
    if (auto dimensions = form.dimensions();
        dimensions && form.mime().starts_with("image/") && pipeline.measurable(*dimensions)) {
        request.file.width = dimensions->width;
        request.file.height = dimensions->height;
    }
    request.description = form.description();
    request.reply_to = form.reply_to();
    request.client_message_id = form.client_message_id();
    request.image = form.mime().starts_with("image/");
    request.thumbnail = pipeline.previews(form.mime());

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
    co_return ok_response(r.raw,
                          json::object{{"message", proto::message_json(result.sent.view, true)},
                                       {"upload", json::object{{"id", result.file.id},
                                                               {"status", "completed"},
                                                               {"progress", 100}}}},
                          result.sent.duplicate ? bhttp::status::ok : bhttp::status::created);
}

// --- download ------------------------------------------------------------------------------------

net::awaitable<std::variant<response, streamed_response>> files_resource::download(request& r) {
    uploads::upload_pipeline& pipeline = this->pipeline();
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

    byte_range range;
    auto range_header = r.raw.find(bhttp::field::range);
    // If-Range: a range is only served of the version the client already has part of.
    const bool range_applies = range_header != r.raw.end() &&
                               (r.raw.find(bhttp::field::if_range) == r.raw.end() ||
                                etag_matches(r.raw, bhttp::field::if_range, etag));
    if (range_applies) range = byte_range::parse(range_header->value(), size);
    if (range.what == byte_range::kind::unsatisfiable) {
        auto res = error_response(r.raw, error_code::bad_request, "the range is outside the file");
        res.result(bhttp::status::range_not_satisfiable);
        res.set(bhttp::field::content_range, "bytes */" + std::to_string(size));
        common(res);
        co_return res;
    }
    const bool partial = range.what == byte_range::kind::partial;

    const std::uint64_t offset = partial ? range.first : 0;
    const std::uint64_t length = partial ? range.last - range.first + 1 : size;
    auto name = files::file_name::sanitize(f.file_name);
    streamed_response out;
    out.head = bhttp::response<bhttp::empty_body>{partial ? bhttp::status::partial_content : bhttp::status::ok,
                                                  r.raw.version()};
    common(out.head);
    out.head.set(bhttp::field::content_type, "application/octet-stream");
    out.head.set(bhttp::field::content_disposition,
                 name ? name->content_disposition() : std::string("attachment; filename=\"download\""));
    out.head.set(bhttp::field::content_length, std::to_string(length));
    if (partial)
        out.head.set(bhttp::field::content_range,
                     "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" + std::to_string(size));

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

net::awaitable<response> files_resource::thumbnail(request& r) {
    uploads::upload_pipeline& pipeline = this->pipeline();
    uploads::thumbnail_size size = uploads::thumbnail_size::medium;
    if (auto s = r.query_value("size")) {
        if (*s == "small") size = uploads::thumbnail_size::small;
        else if (*s == "medium") size = uploads::thumbnail_size::medium;
        else if (*s == "large") size = uploads::thumbnail_size::large;
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
    res.body() = co_await pipeline.make_thumbnail(f, size);
    res.set(bhttp::field::content_type, "image/jpeg");
    res.prepare_payload();
    co_return res;
}

}  // namespace writeen::http
