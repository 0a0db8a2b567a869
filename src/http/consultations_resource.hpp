#pragma once
// REST endpoints of the Consultations section of API.md: the consultation service's lifecycle
// calls, sessions, ratings, signed transcripts and the keys that sign them. Handlers validate
// and shape JSON; chat::consultations and chat::sessions decide; transcripts/ seals.

#include "chat/service.hpp"
#include "http/router.hpp"
#include "transcripts/signing_key.hpp"

namespace writeen::http {

class consultations_resource {
public:
    explicit consultations_resource(chat::service& chat) : chat_(chat) {}

    /// Adds the routes to r (all authenticated); r and this object live together.
    void add_routes(router& r);
    /// Signs transcripts with key (not owned; outlives this). Without one the transcript
    /// endpoint answers 503.
    void set_signer(const transcripts::signing_key& key) { signer_ = &key; }

private:
    net::awaitable<response> confirm(request& r);
    net::awaitable<response> cancel(request& r);
    net::awaitable<response> start(request& r);
    net::awaitable<response> end(request& r);
    net::awaitable<response> list_sessions(request& r);
    net::awaitable<response> rate(request& r);
    net::awaitable<response> transcript(request& r);
    net::awaitable<response> keys(request& r);

    chat::service& chat_;
    const transcripts::signing_key* signer_ = nullptr;
};

}  // namespace writeen::http
