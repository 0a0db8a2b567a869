#pragma once
// Messages from their senders: sending text and stickers, history pages, search, threads,
// editing, deleting and reactions.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/fwd.hpp>

#include "auth/principal.hpp"
#include "chat/conversation_cache.hpp"
#include "chat/user_directory.hpp"
#include "chat/writer.hpp"
#include "hub/hub.hpp"
#include "hub/rate_limiter.hpp"
#include "model/types.hpp"
#include "store/store.hpp"

namespace writeen::chat {

struct message_options {
    int max_text_chars = 10000;
};

struct send_request {
    std::string conversation_id;
    message_type type = message_type::text;
    std::string content_json;  // the validated `content` object, serialised
    std::string search_text;
    std::string reply_to;
    std::string client_message_id;
};

struct send_result {
    message_view view;
    bool duplicate = false;  // a retry of a stored clientMessageId: nothing new stored or sent
    /// The message serialised once for every frame that carries it (null for duplicates).
    std::shared_ptr<const std::string> message_json;
};

struct message_page {
    std::vector<message_view> messages;
    bool has_more = false;
};

struct search_page {
    std::vector<std::pair<message_view, search_hit>> hits;
    bool has_more = false;
};

struct thread_page {
    message_view root;
    std::vector<message_view> replies;
    bool has_more = false;
};

class messages {
public:
    messages(writer& w, hub::hub& hub, conversation_cache& conversations, user_directory& users,
             hub::rate_limiter& rate_limiter, message_options options)
        : writer_(w), db_(w.database()), hub_(hub), conversations_(conversations), users_(users),
          rate_limiter_(rate_limiter), options_(options) {}

    /// Validates a `content` object for a text or sticker message; fills content_json and
    /// search_text of the request.
    void validate_content(send_request& request, const boost::json::value& content) const;
    /// Stores and broadcasts a message. The socket `origin` (0 for REST) is answered by the
    /// caller and left out of the broadcast.
    void send_message(const auth::principal& who, send_request request, std::uint64_t origin, reply<send_result> done);
    message_page list_messages(const auth::principal& who, const std::string& conversation_id,
                               const store::message_query& query);
    search_page search(const auth::principal& who, const std::optional<std::string>& conversation_id,
                       const std::string& query, int offset, int limit);
    thread_page thread(const auth::principal& who, const std::string& message_id, int offset, int limit);
    void edit_message(const auth::principal& who, const std::string& message_id, std::string text,
                      reply<message_view> done);
    void delete_message(const auth::principal& who, const std::string& message_id, reply<message_view> done);
    void add_reaction(const auth::principal& who, const std::string& message_id, std::string emoji,
                      reply<message_view> done);
    void remove_reaction(const auth::principal& who, const std::string& message_id, std::string emoji,
                         reply<message_view> done);

    /// Takes a token of the caller's message rate (REST and WebSocket share it); else rate_limited.
    void check_rate(const auth::principal& who);
    /// Receives, after each commit that dropped them, the keys of blobs whose bytes must be
    /// deleted (a deleted file message's). Set once, before serving.
    void set_blob_collector(std::function<void(std::vector<std::string>)> collector);
    /// Hands dropped blob keys to the collector.
    void collect_blobs(std::vector<std::string> keys) const;
    /// Broadcasts message_updated: with editHistory to those who may see it, without to others.
    void broadcast_message_updated(const conversation& c, const message_view& view);

private:
    void change_message(const auth::principal& who, const std::string& message_id,
                        std::function<bool(const conversation&, message&)> apply, reply<message_view> done);

    writer& writer_;
    store::database& db_;
    hub::hub& hub_;
    conversation_cache& conversations_;
    user_directory& users_;
    hub::rate_limiter& rate_limiter_;
    message_options options_;
    std::function<void(std::vector<std::string>)> blob_collector_;  // set before serving, then read-only
};

}  // namespace writeen::chat
