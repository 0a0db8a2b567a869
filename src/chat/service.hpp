#pragma once
// The chat domain: conversations, messages, permissions, cursors, presence and typing.
// No I/O of its own: it reads and writes through store::database and reaches sockets
// through hub::hub. Every write goes through the store's single writer and is answered (and
// broadcast) only after its batch has committed.

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "auth/principal.hpp"
#include "chat/conversation_cache.hpp"
#include "hub/hub.hpp"
#include "hub/rate_limiter.hpp"
#include "hub/typing_tracker.hpp"
#include "model/types.hpp"
#include "store/store.hpp"

namespace writeen::chat {

using auth::principal;

/// Completion of an asynchronous operation: an exception (api_error for the client's faults)
/// or the value. Called on the store's completion thread.
template <class T>
using reply = std::function<void(std::exception_ptr, T)>;

struct options {
    double rate_limit_per_second = 20;
    int max_text_chars = 10000;
};

struct create_conversation_request {
    conversation_type type = conversation_type::direct;
    std::vector<std::string> participant_ids;
    std::string title;
    std::string consultation_id;
};

struct conversation_patch {
    std::optional<std::string> title;
    std::optional<bool> archived;
    // Settings fields present in the request; absent ones keep their value.
    std::optional<bool> allow_file_upload;
    std::optional<std::int64_t> max_file_size;
    std::optional<std::vector<std::string>> allowed_file_types;
    std::optional<bool> auto_archive;
    std::optional<std::int64_t> retention_days;
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

/// A stored upload to announce as a file or image message (see service::send_file_message).
struct file_message_request {
    std::string conversation_id;
    /// id, uploader, name, size, mime, sha256, blob_key (where the upload's bytes were written)
    /// and the initial scan_status; the service fills message_id, and blob_key when the content
    /// was already stored.
    file_record file;
    std::string description;  // content.text when not empty
    std::string reply_to;
    std::string client_message_id;
    bool image = false;      // type image, else file
    bool thumbnail = false;  // fileInfo.thumbnailUrl is set
};

/// What send_file_message stored.
struct file_message_result {
    send_result sent;
    file_record file;  // as stored (its blob_key may be an earlier upload's)
    /// The bytes the upload wrote are not referenced (equal content was stored already, or the
    /// clientMessageId was a retry): the caller deletes them.
    bool upload_unused = false;
};

struct conversation_list {
    std::vector<conversation_view> items;
    std::int64_t total = 0;
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

struct read_cursor_view {
    std::string user_id;
    std::int64_t read_up_to_seq = 0;
    std::int64_t delivered_up_to_seq = 0;
};

struct sync_result {
    std::vector<message_view> messages;
    std::vector<message_view> changes;
    std::vector<read_cursor_view> read_cursors;
    std::int64_t last_seq = 0;
    std::int64_t last_change_seq = 0;
    bool has_more = false;
};

struct joined_info {
    std::int64_t last_seq = 0;
    std::int64_t last_change_seq = 0;
    std::int64_t read_up_to_seq = 0;
};

class service {
public:
    service(store::database& db, hub::hub& hub, options opts);

    // --- users, sockets, presence --------------------------------------------------------
    /// Records what the token says about its user (name, avatar, role) when it changed.
    void seen(const principal& who);
    /// Registers a socket; the user's peers see them online if it is their first.
    void connect(const hub::connection_ptr& c, const principal& who);
    void disconnect(const hub::connection& c, const principal& who);
    void set_presence(const principal& who, const std::string& status);
    /// The last time a user was seen (0 when never), for user_presence.
    std::optional<user_profile> user(const std::string& id);

    // --- conversations -----------------------------------------------------------------------
    conversation_list list_conversations(const principal& who, const store::conversation_filter& filter,
                                         int page, int limit);
    conversation_view get_conversation(const principal& who, const std::string& id);
    /// Completes with the conversation and whether it was created (false: the existing direct one).
    void create_conversation(const principal& who, create_conversation_request request,
                             reply<std::pair<conversation_view, bool>> done);
    void update_conversation(const principal& who, const std::string& id, conversation_patch patch,
                             reply<conversation_view> done);
    void add_participant(const principal& who, const std::string& id, const std::string& user_id,
                         std::optional<role> as_role, std::optional<std::vector<std::string>> permissions,
                         reply<conversation_view> done);
    void remove_participant(const principal& who, const std::string& id, const std::string& user_id,
                            reply<conversation_view> done);

    // --- messages ----------------------------------------------------------------------------
    /// Validates a `content` object for a text or sticker message; fills content_json and
    /// search_text of the request.
    void validate_content(send_request& request, const boost::json::value& content) const;
    /// Stores and broadcasts a message. The socket `origin` (0 for REST) is answered by the
    /// caller and left out of the broadcast.
    void send_message(const principal& who, send_request request, std::uint64_t origin,
                      reply<send_result> done);
    message_page list_messages(const principal& who, const std::string& conversation_id,
                               const store::message_query& query);
    search_page search(const principal& who, const std::optional<std::string>& conversation_id,
                       const std::string& query, int offset, int limit);
    thread_page thread(const principal& who, const std::string& message_id, int offset, int limit);
    void edit_message(const principal& who, const std::string& message_id, std::string text,
                      reply<message_view> done);
    void delete_message(const principal& who, const std::string& message_id, reply<message_view> done);
    void add_reaction(const principal& who, const std::string& message_id, std::string emoji,
                      reply<message_view> done);
    void remove_reaction(const principal& who, const std::string& message_id, std::string emoji,
                         reply<message_view> done);
    /// Whether `viewer` may see the edit history of a message sent by `sender` here.
    bool may_see_edit_history(const principal& viewer, const conversation& c, const std::string& sender) const;

    // --- cursors, sync, joins, typing ---------------------------------------------------------
    /// Moves the caller's read (or delivered) cursor forward to up_to_seq, or to the seq of
    /// message_id; completes with the cursor after the move.
    void mark(const principal& who, const std::string& conversation_id, std::optional<std::int64_t> up_to_seq,
              std::optional<std::string> message_id, bool read, reply<std::int64_t> done);
    sync_result sync(const principal& who, const std::string& conversation_id, std::int64_t after_seq,
                     std::optional<std::int64_t> after_change_seq, int limit);
    joined_info join(const principal& who, const hub::connection_ptr& c, const std::string& conversation_id);
    void leave(const hub::connection& c, const std::string& conversation_id);
    void typing(const principal& who, const std::string& conversation_id, bool is_typing);
    /// Sends isTyping:false for every typing indicator that ran out; called by a timer.
    void expire_typing();

    // --- files -------------------------------------------------------------------------------
    /// The settings an upload into conversation_id must meet, if the caller may upload there
    /// now (active participant with `upload` permission, uploads allowed: else 403/404). Takes
    /// a token of the message rate limit.
    conversation_settings upload_settings(const principal& who, const std::string& conversation_id);
    /// Stores an uploaded file's row and its message (type image or file, content.fileInfo as in
    /// API.md) through the writer, like send_message: idempotent on clientMessageId, broadcast
    /// as message_received after the commit.
    void send_file_message(const principal& who, file_message_request request, reply<file_message_result> done);
    /// The file if the caller may download it: a participant (or former one) of its conversation
    /// with `download` permission, and its message not deleted. Else not_found / forbidden.
    file_record downloadable_file(const principal& who, const std::string& file_id);
    /// Changes a file through the writer (change returns false to leave it as it is) and rewrites
    /// the fileInfo of its message, broadcasting message_updated. A file that becomes infected
    /// makes every file with the same content infected, and its bytes are collected.
    void update_file(const std::string& file_id, std::function<bool(file_record&)> change, reply<file_record> done);
    /// Receives, after each commit that dropped them, the keys of blobs whose bytes must be
    /// deleted (no file references them any more). Set once, before serving.
    void set_blob_collector(std::function<void(std::vector<std::string>)> collector);
    /// Files whose scan did not finish (e.g. the server stopped mid-scan), to requeue at start.
    std::vector<file_record> unfinished_files();

    /// Deletes messages past their conversation's retention (called by a daily timer), and the
    /// files of those messages.
    void apply_retention();

    hub::hub& hub() { return hub_; }
    store::database& database() { return db_; }

private:
    conversation_cache::ptr load_conversation(store::reader& r, const std::string& id);
    /// The conversation if the caller is or was a participant; else not_found.
    conversation_cache::ptr visible_conversation(store::reader& r, const principal& who, const std::string& id);
    /// The conversation if the caller may write in it now (active participant, not archived).
    conversation_cache::ptr writable_conversation(store::reader& r, const principal& who, const std::string& id);
    message_view view_of(store::reader& r, const conversation& c, message m);
    /// The view of a message found again by its clientMessageId, with its conversation as it is
    /// now (fallback: the one at hand).
    message_view view_of_stored(store::reader& r, const conversation& fallback, message m);
    /// Fails not_found unless reply_to is empty or names a message of the conversation.
    static void check_reply_target(store::reader& r, const std::string& reply_to, const std::string& conversation_id);
    std::vector<message_view> views_of(store::reader& r, const conversation& c, std::vector<message> ms);
    conversation_view conversation_view_of(store::reader& r, const conversation& c, const std::string& viewer);
    /// Broadcasts message_updated: with editHistory to those who may see it, without to others.
    void broadcast_message_updated(const conversation& c, const message_view& view);
    void broadcast_conversation_updated(store::reader& r, const conversation& c,
                                        const std::vector<std::string>& extra_users = {});
    /// message_status events for the senders whose messages changed status after a cursor move.
    void emit_status_changes(store::reader& r, const conversation& before, const conversation& after,
                             const std::string& mover, bool read);
    void check_rate(const principal& who);
    void remember_user(const user_profile& u);
    std::string display_name(const std::string& user_id);
    void change_message(const principal& who, const std::string& message_id,
                        std::function<bool(const conversation&, message&)> apply, reply<message_view> done);

    store::database& db_;
    hub::hub& hub_;
    options options_;
    conversation_cache conversations_;
    hub::rate_limiter rate_limiter_;
    hub::typing_tracker typing_;
    void collect_blobs(std::vector<std::string> keys);
    std::function<void(std::vector<std::string>)> blob_collector_;  // set before serving, then read-only
    std::mutex users_mutex_;
    std::unordered_map<std::string, user_profile> users_;  // guarded by users_mutex_; last seen profile
};

}  // namespace writeen::chat
