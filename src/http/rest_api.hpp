#pragma once
// The REST API of API.md: authentication, dispatch to the resources, and the one turn of a
// failure into an error response. Each resource validates its input; the chat service decides.

#include <string>
#include <variant>
#include <vector>

#include "auth/token_verifier.hpp"
#include "bus/bus.hpp"
#include "chat/service.hpp"
#include "http/consultations_resource.hpp"
#include "http/conversations_resource.hpp"
#include "http/dev_resource.hpp"
#include "http/files_resource.hpp"
#include "http/health_resource.hpp"
#include "http/messages_resource.hpp"
#include "http/metrics.hpp"
#include "http/openapi_resource.hpp"
#include "http/notifications_resource.hpp"
#include "http/router.hpp"
#include "http/search_resource.hpp"
#include "http/users_resource.hpp"
#include "http/static_files.hpp"
#include "http/streaming.hpp"
#include "model/types.hpp"
#include "uploads/upload_pipeline.hpp"

namespace writeen::http {

/// How the REST API is set up.
struct rest_options {
    bool dev = false;                   ///< serve /api/dev/*
    std::string dev_secret;             ///< signs dev tokens
    std::vector<demo_user> demo_users;  ///< offered by /api/dev/users
    std::string web_root;               ///< the built web client; empty: none
    std::size_t body_limit = 1024 * 1024;  ///< largest JSON body, in bytes
};

/// Every REST endpoint, composed of one resource per part of API.md.
class rest_api {
public:
    rest_api(chat::service& chat, const auth::token_verifier& verifier, metrics& m, bus::bus& bus,
             rest_options options);
    rest_api(const rest_api&) = delete;
    rest_api& operator=(const rest_api&) = delete;

    /// Answers one request; never throws.
    net::awaitable<response> handle(const raw_request& req);
    /// The caller of a REST request, from `Authorization: Bearer` only: a token in the URL would
    /// leak into logs, proxies and Referer headers. Throws api_error(unauthorized).
    auth::principal authenticate(const raw_request& req) const;
    /// The caller of a WebSocket upgrade, from `Authorization: Bearer` or else `?token=`
    /// (browsers cannot set headers on an upgrade; API.md). Throws api_error(unauthorized).
    auth::principal authenticate_upgrade(const raw_request& req) const;
    /// How this API was set up.
    const rest_options& options() const { return options_; }
    /// Every route served, as "METHOD /pattern" with ":name" parameters (the OpenAPI check).
    std::vector<std::string> routes() const { return router_.patterns(); }

    /// Serves the file endpoints (and reports on them in /readyz, /metrics) with this pipeline
    /// (not owned; outlives this). Without one they answer 503.
    void set_files(uploads::upload_pipeline& pipeline);
    /// /readyz checks that the data directory takes writes.
    void set_data_dir(const std::string& dir) { health_.set_data_dir(dir); }
    /// Signs session transcripts with this key (not owned; outlives this).
    void set_transcript_signer(const transcripts::signing_key& key) { consultations_.set_signer(key); }
    /// Serves the VAPID public key of Web Push (not owned; outlives this).
    void set_vapid_key(const notify::vapid_key& key) { notifications_.set_vapid_key(key); }
    /// True for `POST /api/conversations/:id/upload`, whose body is streamed (see upload()).
    static bool is_upload(bhttp::verb method, std::string_view target);
    /// True for `GET /api/files/:id/download`, whose response is streamed (see download()).
    static bool is_download(bhttp::verb method, std::string_view target);
    /// Answers an upload; head has the request's headers and no body, which comes from body.
    /// Reads the body only as far as it needs: when body is not done() afterwards, the caller
    /// must close the connection. Never throws.
    net::awaitable<response> upload(const raw_request& head, body_source& body);
    /// Answers a download: a streamed body, or a complete response (errors, 304, 416). Never
    /// throws.
    net::awaitable<std::variant<response, streamed_response>> download(const raw_request& req);

private:
    /// The bearer token of req's Authorization header; "" without one. Throws
    /// api_error(unauthorized) for another scheme.
    static std::string bearer_token(const raw_request& req);
    /// The principal of a token. Throws api_error(unauthorized).
    auth::principal verify(const std::string& token) const;
    net::awaitable<response> dispatch(const raw_request& req);
    /// The error response for the failure e of req (error_mapping decides what it says).
    response failure_response(const raw_request& req, std::exception_ptr e, const std::string& request_id);
    /// Stamps the answer with the request id and writes the request's access line (debug).
    template <class Response>
    void finish(const raw_request& req, const std::string& request_id, Response& res, unix_ms started) const;

    chat::service& chat_;
    const auth::token_verifier& verifier_;
    metrics& metrics_;
    rest_options options_;
    health_resource health_;
    conversations_resource conversations_;
    messages_resource messages_;
    search_resource search_;
    users_resource users_;
    files_resource files_;
    consultations_resource consultations_;
    notifications_resource notifications_;
    dev_resource dev_;
    openapi_resource openapi_;
    static_files web_client_;
    router router_;
};

}  // namespace writeen::http
