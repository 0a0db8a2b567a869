#pragma once
// The storage interface. The chat service talks only to these classes; each engine
// (store/sqlite/, later store/postgres/) implements them. No engine type appears here: the
// server opens one through store_factory.hpp.

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/consultation_types.hpp"
#include "model/notification_types.hpp"
#include "model/types.hpp"

namespace writeen::store {

/// Thrown by an engine when storage cannot be reached or a statement fails for reasons
/// other than the caller's input (disk full, I/O error, busy beyond the timeout).
class unavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Thrown by append_message and append_new_message when (sender_id, client_message_id) is already
/// stored.
class duplicate_client_message : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct conversation_filter {
    std::optional<conversation_type> type;
    // false: only active; true: only archived, for everyone (a tutor closed it) or in the
    // user's own archive (hidden and no newer message since)
    bool archived = false;
};

/// Which users a directory search may answer (GET /api/users).
struct user_filter {
    std::string viewer_id;    // never listed themself
    std::string text;         // lowercase; a substring of the name or the id (ASCII case folded); empty: any
    bool everyone = false;    // false: only tutors, admins and users sharing a conversation with the viewer
};

/// One page of a directory search and how many users match in all.
struct user_page {
    std::vector<user_profile> users;
    std::int64_t total = 0;
};

/// A conversation in a user's list, with what the list shows beside it.
struct conversation_summary {
    writeen::conversation conversation;
    std::optional<message> last_message;  // newest message, deleted or not
    std::int64_t unread_count = 0;        // messages from others with seq above the read cursor
};

struct conversation_page {
    std::vector<conversation_summary> items;
    std::int64_t total = 0;  // every conversation matching the filter
};

/// Where a conversation stands for one participant: what a socket joining it needs.
struct join_state {
    std::int64_t last_seq = 0;
    std::int64_t last_change_seq = 0;
    std::int64_t read_up_to_seq = 0;
};

/// Which slice of a conversation's history to read.
struct message_query {
    std::optional<std::int64_t> before_seq;  // only seq < before_seq
    std::optional<unix_ms> before_time;      // only created_at < before_time
    std::optional<std::int64_t> after_seq;   // only seq > after_seq, oldest first
    std::string session_id;                  // non-empty: only messages of this chat session
    int offset = 0;
    int limit = 50;  // the engine returns at most limit + 1 rows so callers can tell hasMore
};

/// Queries. An instance is bound to one connection and used by one thread at a time.
class reader {
public:
    virtual ~reader() = default;

    virtual std::optional<user_profile> user(const std::string& id) = 0;
    /// Users matching the filter, never `service` users, by name (case folded) then id.
    virtual user_page find_users(const user_filter& filter, int offset, int limit) = 0;
    /// The conversation with all participants (names, avatars and cursors filled).
    virtual std::optional<conversation> find_conversation(const std::string& id) = 0;
    /// The direct conversation between two users, if any.
    virtual std::optional<std::string> find_direct_conversation(const std::string& user_a,
                                                                const std::string& user_b) = 0;
    /// Conversations the user is or was a participant of, newest activity (updated_at) first.
    virtual conversation_page list_conversations(const std::string& user_id,
                                                 const conversation_filter& filter, int offset,
                                                 int limit) = 0;
    /// Ids of every conversation the user currently participates in (left_at unset).
    virtual std::vector<std::string> conversation_ids_of(const std::string& user_id) = 0;
    /// The conversation's counters and the user's read cursor, if the user is or was a
    /// participant; without reading the other participants (2,000 joining a group).
    virtual std::optional<join_state> join_state_of(const std::string& conversation_id,
                                                    const std::string& user_id) = 0;

    virtual std::optional<message> find_message(const std::string& id) = 0;
    virtual std::optional<message> find_message_by_client_id(const std::string& sender_id,
                                                             const std::string& client_message_id) = 0;
    /// Newest first, or oldest first when query.after_seq is set.
    virtual std::vector<message> list_messages(const std::string& conversation_id,
                                               const message_query& query) = 0;
    /// Replies to root_id, oldest first (at most limit + 1).
    virtual std::vector<message> list_replies(const std::string& root_id, int offset, int limit) = 0;
    /// Messages with seq <= up_to_seq whose change_seq > after_change_seq, by seq.
    virtual std::vector<message> changed_messages(const std::string& conversation_id,
                                                  std::int64_t up_to_seq,
                                                  std::int64_t after_change_seq) = 0;
    /// created_change_seq of the message with this seq (0 when there is none).
    virtual std::int64_t change_seq_of_message(const std::string& conversation_id, std::int64_t seq) = 0;
    /// The newest message of sender_id with after_seq < seq <= up_to_seq. This default scans
    /// history page by page; engines override it with an indexed query.
    virtual std::optional<message> newest_message_of(const std::string& conversation_id,
                                                     const std::string& sender_id, std::int64_t after_seq,
                                                     std::int64_t up_to_seq) {
        std::int64_t before = up_to_seq + 1;
        while (before > after_seq + 1) {
            auto page = list_messages(conversation_id, message_query{.before_seq = before, .limit = 200});
            for (auto& m : page) {
                if (m.seq <= after_seq) return std::nullopt;
                if (m.sender_id == sender_id) return std::move(m);
            }
            if (page.empty()) return std::nullopt;
            before = page.back().seq;
        }
        return std::nullopt;
    }
    /// Every move of the read (or delivered) cursors in a conversation, by user then seq.
    /// Deprecated: O(history); use cursor_marks_for.
    virtual std::vector<cursor_mark> cursor_marks(const std::string& conversation_id, bool read) = 0;
    /// Enough cursor moves to date the receipts of messages with these seqs: for each user and
    /// each s in seqs, the user's first move with up_to_seq >= s is among them (when there is
    /// one). Costs O(seqs + participants), whatever the conversation's age.
    /// seqs are ascending; none gives no marks.
    virtual std::vector<cursor_mark> cursor_marks_for(const std::string& conversation_id, bool read,
                                                      const std::vector<std::int64_t>& seqs) = 0;

    /// Full-text search over search_text of messages (not deleted) in the conversations the user
    /// participates or participated in, restricted to one conversation when given; best first.
    /// Case- and accent-insensitive.
    virtual std::vector<search_hit> search(const std::string& user_id,
                                           const std::optional<std::string>& conversation_id,
                                           const std::string& query, int offset, int limit) = 0;

    /// The file with this id (its message may have been deleted since).
    virtual std::optional<file_record> find_file(const std::string& id) = 0;
    /// The files of a message (one for an upload; none for other messages).
    virtual std::vector<file_record> files_of_message(const std::string& message_id) = 0;
    /// Files whose scan has not finished (pending or scanning), oldest first; at most limit.
    virtual std::vector<file_record> unfinished_files(int limit) = 0;
    /// The blob key holding content with this sha256, if stored.
    virtual std::optional<std::string> blob_of_content(const std::string& sha256) = 0;

    // Consultations (sqlite_consultations.cpp).
    /// What the consultation service last confirmed under this consultation id.
    virtual std::optional<consultation_record> find_consultation(const std::string& consultation_id) = 0;
    /// The session with this id, with its ratings summed in.
    virtual std::optional<chat_session> find_session(const std::string& id) = 0;
    /// The conversation's sessions with their ratings, newest first.
    virtual std::vector<chat_session> sessions_of(const std::string& conversation_id) = 0;
    /// Calls fn with each message of the conversation with first_seq <= seq <= last_seq, in seq
    /// order, one row at a time: a summary reads a long session without holding it in memory.
    virtual void for_each_message(const std::string& conversation_id, std::int64_t first_seq,
                                  std::int64_t last_seq, const std::function<void(const message&)>& fn) = 0;
    /// The outbox rows about a conversation, oldest first (the sender's and the tests' view).
    virtual std::vector<outbox_notification> outbox_of(const std::string& conversation_id) = 0;
    /// Every key that ever signed transcripts, oldest first.
    virtual std::vector<transcript_key> transcript_keys() = 0;

    // Notifications (sqlite_notifications.cpp, docs/NOTIFICATIONS.md).
    /// How far the notifier has planned the message log (a messages.row_id).
    virtual std::int64_t notify_cursor() = 0;
    /// Messages with row_id > after_row_id, by row_id, up to the first one created after
    /// created_up_to (exclusive: the cursor must not pass a message not yet due); at most limit.
    virtual std::vector<logged_message> logged_messages_after(std::int64_t after_row_id, unix_ms created_up_to,
                                                              int limit) = 0;
    /// Pending outbox rows (consultation steps) due by now, oldest first; at most limit.
    virtual std::vector<outbox_notification> due_outbox(unix_ms now, int limit) = 0;
    /// The pending 'message' notification of user in a conversation, if any (coalescing).
    virtual std::optional<notification> open_message_notification(const std::string& user_id,
                                                                  const std::string& conversation_id) = 0;
    /// When the last 'message' notification of user in a conversation was sent, if ever.
    virtual std::optional<unix_ms> last_message_notification_sent(const std::string& user_id,
                                                                  const std::string& conversation_id) = 0;
    /// Pending notifications whose send_at has come, oldest first; at most limit.
    virtual std::vector<notification> due_notifications(unix_ms now, int limit) = 0;
    /// The sent notifications of a user, newest first, with id < before_id when given; at most
    /// limit + 1 (so callers can tell hasMore).
    virtual std::vector<notification> notifications_of(const std::string& user_id,
                                                       const std::optional<std::string>& before_id, int limit) = 0;
    /// How many sent notifications of the user are unread.
    virtual std::int64_t unread_notification_count(const std::string& user_id) = 0;
    virtual std::optional<notification> find_notification(const std::string& id) = 0;
    /// The user's setting for a conversation, if they ever set one.
    virtual std::optional<notification_setting> notification_setting_of(const std::string& user_id,
                                                                        const std::string& conversation_id) = 0;
    virtual std::vector<push_subscription> push_subscriptions_of(const std::string& user_id) = 0;
    virtual std::optional<push_subscription> find_push_subscription(const std::string& id) = 0;
    /// Pending sends whose next attempt has come, soonest first, with their notification and
    /// subscription; at most limit.
    virtual std::vector<due_delivery> due_deliveries(unix_ms now, int limit) = 0;
    /// When the oldest pending send was created (its notification's send time), if any.
    virtual std::optional<unix_ms> oldest_pending_delivery() = 0;
    /// The sends of a notification (tests and operators).
    virtual std::vector<notification_delivery> deliveries_of(const std::string& notification_id) = 0;
};

/// Queries and changes inside the single writer's transaction.
class transaction : public reader {
public:
    virtual void upsert_user(const user_profile& user) = 0;

    /// Inserts the conversation and its participants (ids and times set by the caller).
    virtual void insert_conversation(const conversation& c) = 0;
    /// Writes title, settings, archived, archived_at and updated_at.
    virtual void update_conversation(const conversation& c) = 0;
    /// Inserts the participant, or rejoins one who left (clears left_at, sets role/permissions).
    virtual void upsert_participant(const std::string& conversation_id, const participant& p) = 0;
    /// Puts the conversation into the user's own archive up to seq (nullopt: takes it out).
    virtual void set_participant_hidden(const std::string& conversation_id, const std::string& user_id,
                                        std::optional<std::int64_t> up_to_seq) = 0;
    virtual void set_participant_left(const std::string& conversation_id, const std::string& user_id,
                                      unix_ms left_at) = 0;

    /// Increments and returns the conversation's change counter (last_change_seq).
    virtual std::int64_t next_change_seq(const std::string& conversation_id) = 0;
    /// Stores a new message: assigns the conversation's next seq (gap-free) and returns it,
    /// updates the conversation's last_seq and updated_at, bumps the reply_count of reply_to.
    /// Throws duplicate_client_message when (sender_id, client_message_id) exists; then nothing
    /// has changed and the transaction goes on.
    virtual std::int64_t append_message(message& m) = 0;
    /// What posting a message needs: takes the conversation's next change seq for it (sets
    /// m.change_seq and m.created_change_seq), then stores it as append_message does and returns
    /// its seq. PostgreSQL does both in one statement: a round trip per posted message is its
    /// cost. Throws duplicate_client_message as append_message does; then nothing has changed.
    virtual std::int64_t append_new_message(message& m) = 0;
    /// Writes content_json, search_text, edited, edit_history, reactions, deleted_at,
    /// updated_at and change_seq of an existing message (by id).
    virtual void update_message(const message& m) = 0;

    /// Moves a cursor forward (never backward) and records the move; returns false if it
    /// did not move. Moving the read cursor also moves the delivered cursor.
    virtual bool advance_read_cursor(const std::string& conversation_id, const std::string& user_id,
                                     std::int64_t up_to_seq, unix_ms at) = 0;
    virtual bool advance_delivered_cursor(const std::string& conversation_id,
                                          const std::string& user_id, std::int64_t up_to_seq,
                                          unix_ms at) = 0;

    /// Deletes messages older than each conversation's retention; returns how many.
    virtual std::int64_t delete_expired_messages(unix_ms now) = 0;

    /// Records that content sha256 is stored under blob_key (size bytes).
    virtual void insert_blob(const std::string& sha256, const std::string& blob_key, std::int64_t size,
                             unix_ms at) = 0;
    /// Inserts a file row (its blob must be recorded).
    virtual void insert_file(const file_record& f) = 0;
    /// Writes scan_status, width and height of an existing file (by id).
    virtual void update_file(const file_record& f) = 0;
    /// Deletes the file rows of a message (its blob is collected when no other row names it).
    virtual void delete_files_of_message(const std::string& message_id) = 0;
    /// Files whose content is stored under blob_key.
    virtual std::vector<file_record> files_of_blob(const std::string& blob_key) = 0;
    /// Forgets a blob so new uploads of its content store their own bytes (infected content).
    virtual void forget_blob(const std::string& blob_key) = 0;
    /// Forgets every blob no file names any more and returns their keys: the caller deletes the
    /// bytes after the commit. Runs on the writer, so an upload cannot start referencing a blob
    /// that is being collected.
    virtual std::vector<std::string> take_orphan_blobs() = 0;

    // Consultations (sqlite_consultations.cpp).
    /// Inserts or replaces what the consultation service confirmed.
    virtual void upsert_consultation(const consultation_record& c) = 0;
    /// Inserts an open session. Throws std::invalid_argument if the conversation has one open.
    virtual void insert_session(const chat_session& s) = 0;
    /// Writes end_time, last_seq, session_notes and summary_json of an existing session.
    virtual void close_session(const chat_session& s) = 0;
    /// Sets the conversation's open session (empty: none).
    virtual void set_open_session(const std::string& conversation_id, const std::string& session_id) = 0;
    /// Stores user_id's rating of a session, replacing an earlier one.
    virtual void upsert_rating(const std::string& session_id, const std::string& user_id, int rating,
                               const std::string& comment, unix_ms at) = 0;
    /// Queues a notification in the outbox (committed with the change that causes it).
    virtual void insert_notification(const outbox_notification& n) = 0;
    /// Records a signing key; a key already recorded is left as it is.
    virtual void insert_transcript_key(const transcript_key& k) = 0;

    // Notifications (sqlite_notifications.cpp).
    virtual void set_notify_cursor(std::int64_t row_id) = 0;
    /// Inserts the notification, or replaces every field of the one with its id.
    virtual void upsert_notification(const notification& n) = 0;
    /// Marks an outbox row (consultation step) 'sent' once its notification exists.
    virtual void set_outbox_sent(const std::string& outbox_id) = 0;
    /// Inserts a send and returns its id.
    virtual std::int64_t insert_delivery(const notification_delivery& d) = 0;
    /// Writes attempts, next_attempt_at and state of a send (gone already: nothing).
    virtual void update_delivery(const notification_delivery& d) = 0;
    virtual void upsert_notification_setting(const notification_setting& s) = 0;
    /// Stores a subscription; an endpoint already stored keeps its id and takes the new user and
    /// keys. Returns the stored subscription.
    virtual push_subscription upsert_push_subscription(const push_subscription& s) = 0;
    /// Deletes a subscription (and its pending sends); false when there was none.
    virtual bool delete_push_subscription(const std::string& id) = 0;
    /// Forgets what is finished and older than `before`: ended sends, sent or cancelled
    /// notifications without a pending send, and sent outbox rows. Returns the rows deleted.
    virtual std::int64_t prune_notifications(unix_ms before) = 0;
    /// Sets read_at of the user's sent, unread notifications with id <= up_to_id; returns how many.
    virtual std::int64_t mark_notifications_read(const std::string& user_id, const std::string& up_to_id,
                                                 unix_ms at) = 0;
};

/// A unit of work run by the single writer inside a batch transaction. It may throw: then its
/// own changes are rolled back (savepoint) and the exception goes to its completion.
using write_work = std::function<void(transaction&)>;
/// Called once the batch holding the work has committed (nullptr) or failed (the exception).
/// Runs in submission order on the store's completion thread, or where the completion runner
/// puts it: keep it short.
using write_done = std::function<void(std::exception_ptr)>;
/// Runs a batch's completions somewhere else: called once per batch with a function that calls
/// every completion of the batch in order. It must run them in the order it was called.
using completion_runner = std::function<void(std::function<void()>)>;

struct database_stats {
    std::uint64_t batches = 0;
    std::uint64_t writes = 0;
    double commit_seconds_total = 0;
};

/// An open database: one writer thread with group commit, and a pool of read connections.
class database {
public:
    virtual ~database() = default;

    /// Queues work for the writer. Works queued together are committed in one transaction
    /// (group commit), in the order they were submitted; done is called after the commit.
    virtual void submit(write_work work, write_done done) = 0;
    /// Runs fn with a pooled read connection on the calling thread.
    virtual void read(const std::function<void(reader&)>& fn) = 0;
    /// True when the storage answers a trivial query.
    virtual bool healthy() = 0;
    virtual database_stats stats() const = 0;
    /// From now on, hands each batch's completions to run instead of calling them on the store's
    /// own thread (empty: back to calling them there). A server passes its event loop, so the
    /// completions' many small hand-offs to sockets cost one wake-up of that loop per batch.
    virtual void run_completions_on(completion_runner run) = 0;
    /// Commits everything queued so far, then stops the writer. Idempotent.
    virtual void close() = 0;
    /// Whether this node should run job now: one of the jobs that must run once per cluster,
    /// whichever node runs them (the notifier, retention with blob collection). Asked before
    /// each run, it may change between runs: a node that loses the job stops, another takes it
    /// over. An engine only one process can open leads everything, always.
    virtual bool leads(std::string_view /*job*/) { return true; }
};

}  // namespace writeen::store
