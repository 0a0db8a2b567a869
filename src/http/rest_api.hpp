#pragma once
// The REST API of API.md: authentication, validation of every input, and the mapping of
// errors to envelopes. Handlers translate; the chat service decides.

#include <string>
#include <variant>
#include <vector>

#include "auth/token_verifier.hpp"
#include "bus/bus.hpp"
#include "chat/service.hpp"
#include "http/consultation_handlers.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/streaming.hpp"
#include "proto/error.hpp"

namespace writeen::http {

class file_pipeline;

struct demo_user {
    std::string id;
    std::string name;
    writeen::role role;
};

struct rest_options {
    bool dev = false;                 // serve /api/dev/*
    std::string dev_secret;           // signs dev tokens
    std::vector<demo_user> demo_users;
    std::string web_root;             // the built web client; empty: none
    std::size_t body_limit = 1024 * 1024;
};

class rest_api {
public:
    rest_api(chat::service& chat, const auth::token_verifier& verifier, metrics& m, bus::bus& bus,
             rest_options options);

    /// Answers one request; never throws.
    net::awaitable<response> handle(const raw_request& req);
    /// The caller of a request or WebSocket upgrade, from `Authorization: Bearer` or `?token=`.
    /// Throws api_error(unauthorized).
    auth::principal authenticate(const raw_request& req) const;
    /// An error envelope response.
    static response error_response(const raw_request& req, error_code code, std::string_view message,
                                   std::optional<int> retry_after = std::nullopt);
    const rest_options& options() const { return options_; }

    /// Serves the file endpoints with this pipeline (not owned; outlives this). Without one
    /// they answer 503.
    void set_files(file_pipeline& files) { files_ = &files; }
    /// Signs session transcripts with this key (not owned; outlives this).
    void set_transcript_signer(const transcripts::signing_key& key) { consultations_.set_signer(key); }
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
    void add_routes();
    net::awaitable<response> dispatch(const raw_request& req);
    response static_file(const raw_request& req, std::string_view path) const;

    // Handlers, one per endpoint.
    net::awaitable<response> list_conversations(request& r);
    net::awaitable<response> create_conversation(request& r);
    net::awaitable<response> get_conversation(request& r);
    net::awaitable<response> update_conversation(request& r);
    net::awaitable<response> add_participant(request& r);
    net::awaitable<response> remove_participant(request& r);
    net::awaitable<response> list_messages(request& r);
    net::awaitable<response> send_message(request& r);
    net::awaitable<response> mark_read(request& r);
    net::awaitable<response> edit_message(request& r);
    net::awaitable<response> delete_message(request& r);
    net::awaitable<response> add_reaction(request& r);
    net::awaitable<response> remove_reaction(request& r);
    net::awaitable<response> thread(request& r);
    net::awaitable<response> search(request& r);
    net::awaitable<response> healthz(request& r);
    net::awaitable<response> readyz(request& r);
    net::awaitable<response> metrics_text(request& r);
    net::awaitable<response> dev_users(request& r);
    net::awaitable<response> dev_token(request& r);
    net::awaitable<response> thumbnail(request& r);
    net::awaitable<response> receive_upload(request& r, body_source& body);
    net::awaitable<std::variant<response, streamed_response>> send_download(request& r);
    /// Maps the exception in flight to an error response (the one place besides handle()).
    response failure_response(const raw_request& req);
    file_pipeline& files() const;

    chat::service& chat_;
    const auth::token_verifier& verifier_;
    metrics& metrics_;
    bus::bus& bus_;
    rest_options options_;
    router router_;
    file_pipeline* files_ = nullptr;
    consultation_handlers consultations_{chat_};
};

}  // namespace writeen::http
