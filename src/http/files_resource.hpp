#pragma once
// REST resource for files (API.md, "Files"): the streamed upload, the streamed download with
// Range and ETag, and thumbnails. The checks happen here in the order a client can act on: who
// may upload, how big, what type; the upload pipeline stores, scans and previews.

#include <string_view>
#include <variant>

#include "chat/service.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/streaming.hpp"
#include "uploads/upload_pipeline.hpp"

namespace writeen::http {

/// Uploads, downloads and thumbnails. Without a pipeline every file endpoint is `unavailable`.
class files_resource {
public:
    files_resource(chat::service& chat, metrics& m) : chat_(chat), metrics_(m) {}

    /// Registers the thumbnail route, and the streamed routes so another method is a 405.
    void add_routes(router& routes);
    /// Serves the endpoints with this pipeline (not owned; outlives this).
    void set_pipeline(uploads::upload_pipeline& pipeline) { pipeline_ = &pipeline; }

    /// The conversation id of `POST /api/conversations/:id/upload`, or empty for another target.
    static std::string upload_target(bhttp::verb method, std::string_view target);
    /// The file id of `GET` (or `HEAD`) `/api/files/:id/download`, or empty for another target.
    static std::string download_target(bhttp::verb method, std::string_view target);

    /// Stores the upload of an authenticated request (params[0]: the conversation) whose body
    /// comes from body, and answers 201 with the message. Throws for every refusal.
    net::awaitable<response> upload(request& r, body_source& body);
    /// The download of an authenticated request (params[0]: the file): a streamed body, or a
    /// complete response (304, 416). Throws for every refusal.
    net::awaitable<std::variant<response, streamed_response>> download(request& r);

private:
    net::awaitable<response> thumbnail(request& r);
    uploads::upload_pipeline& pipeline() const;

    chat::service& chat_;
    metrics& metrics_;
    uploads::upload_pipeline* pipeline_ = nullptr;
};

}  // namespace writeen::http
