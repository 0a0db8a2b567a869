#pragma once
// The reader and transaction of the SQLite engine: every query and change of store.hpp, bound
// to one connection. Read connections use it as a reader; the writer connection as the
// transaction of each batch. Each job's functions and SQL live in a file of their own:
// sqlite_users, sqlite_conversations, sqlite_messages, sqlite_cursors, sqlite_search,
// sqlite_retention and sqlite_files (.cpp); sqlite_rows.hpp holds what several of them share.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace writeen::store::sqlite {

class connection;
class query;

/// store::transaction (and so store::reader) on one SQLite connection. Not thread-safe: the
/// owner lends it to one thread at a time. The changes assume an open transaction (the writer's
/// batch); on a read-only connection only the reader half is used.
class sqlite_queries final : public transaction {
  public:
    /// Binds to db, which must outlive this object.
    explicit sqlite_queries(connection& db) : db_(db) {}

    // reader: users (sqlite_users.cpp)
    std::optional<user_profile> user(const std::string& id) override;
    user_page find_users(const user_filter& filter, int offset, int limit) override;
    // conversations (sqlite_conversations.cpp)
    std::optional<conversation> find_conversation(const std::string& id) override;
    std::optional<std::string> find_direct_conversation(const std::string& user_a,
                                                        const std::string& user_b) override;
    conversation_page list_conversations(const std::string& user_id, const conversation_filter& filter,
                                         int offset, int limit) override;
    std::vector<std::string> conversation_ids_of(const std::string& user_id) override;
    std::optional<join_state> join_state_of(const std::string& conversation_id, const std::string& user_id) override;
    // messages (sqlite_messages.cpp)
    std::optional<message> find_message(const std::string& id) override;
    std::optional<message> find_message_by_client_id(const std::string& sender_id,
                                                     const std::string& client_message_id) override;
    std::vector<message> list_messages(const std::string& conversation_id,
                                       const message_query& slice) override;
    std::vector<message> list_replies(const std::string& root_id, int offset, int limit) override;
    std::vector<message> changed_messages(const std::string& conversation_id, std::int64_t up_to_seq,
                                          std::int64_t after_change_seq) override;
    std::int64_t change_seq_of_message(const std::string& conversation_id, std::int64_t seq) override;
    std::optional<message> newest_message_of(const std::string& conversation_id, const std::string& sender_id,
                                             std::int64_t after_seq, std::int64_t up_to_seq) override;
    // cursors (sqlite_cursors.cpp)
    std::vector<cursor_mark> cursor_marks(const std::string& conversation_id, bool read) override;
    std::vector<cursor_mark> cursor_marks_for(const std::string& conversation_id, bool read,
                                              const std::vector<std::int64_t>& seqs) override;
    // search (sqlite_search.cpp)
    std::vector<search_hit> search(const std::string& user_id,
                                   const std::optional<std::string>& conversation_id, const std::string& text,
                                   int offset, int limit) override;
    // files (sqlite_files.cpp)
    std::optional<file_record> find_file(const std::string& id) override;
    std::vector<file_record> files_of_message(const std::string& message_id) override;
    std::vector<file_record> unfinished_files(int limit) override;
    std::optional<std::string> blob_of_content(const std::string& sha256) override;
    // consultations (sqlite_consultations.cpp)
    std::optional<consultation_record> find_consultation(const std::string& consultation_id) override;
    std::optional<chat_session> find_session(const std::string& id) override;
    std::vector<chat_session> sessions_of(const std::string& conversation_id) override;
    void for_each_message(const std::string& conversation_id, std::int64_t first_seq, std::int64_t last_seq,
                          const std::function<void(const message&)>& fn) override;
    std::vector<outbox_notification> outbox_of(const std::string& conversation_id) override;
    std::vector<transcript_key> transcript_keys() override;
    // notifications (sqlite_notifications.cpp)
    std::int64_t notify_cursor() override;
    std::vector<logged_message> logged_messages_after(std::int64_t after_row_id, unix_ms created_up_to,
                                                      int limit) override;
    std::vector<outbox_notification> due_outbox(unix_ms now, int limit) override;
    std::optional<notification> open_message_notification(const std::string& user_id,
                                                          const std::string& conversation_id) override;
    std::optional<unix_ms> last_message_notification_sent(const std::string& user_id,
                                                          const std::string& conversation_id) override;
    std::vector<notification> due_notifications(unix_ms now, int limit) override;
    std::vector<notification> notifications_of(const std::string& user_id, const std::optional<std::string>& before_id,
                                               int limit) override;
    std::int64_t unread_notification_count(const std::string& user_id) override;
    std::optional<notification> find_notification(const std::string& id) override;
    std::optional<notification_setting> notification_setting_of(const std::string& user_id,
                                                                const std::string& conversation_id) override;
    std::vector<push_subscription> push_subscriptions_of(const std::string& user_id) override;
    std::optional<push_subscription> find_push_subscription(const std::string& id) override;
    std::vector<due_delivery> due_deliveries(unix_ms now, int limit) override;
    std::optional<unix_ms> oldest_pending_delivery() override;
    std::vector<notification_delivery> deliveries_of(const std::string& notification_id) override;

    // transaction: users (sqlite_users.cpp)
    void upsert_user(const user_profile& user) override;
    // conversations (sqlite_conversations.cpp)
    void insert_conversation(const conversation& c) override;
    void update_conversation(const conversation& c) override;
    void upsert_participant(const std::string& conversation_id, const participant& p) override;
    void set_participant_hidden(const std::string& conversation_id, const std::string& user_id,
                                std::optional<std::int64_t> up_to_seq) override;
    void set_participant_left(const std::string& conversation_id, const std::string& user_id,
                              unix_ms left_at) override;
    std::int64_t next_change_seq(const std::string& conversation_id) override;
    // messages (sqlite_messages.cpp)
    std::int64_t append_message(message& m) override;
    std::int64_t append_new_message(message& m) override;
    void update_message(const message& m) override;
    // cursors (sqlite_cursors.cpp)
    bool advance_read_cursor(const std::string& conversation_id, const std::string& user_id,
                             std::int64_t up_to_seq, unix_ms at) override;
    bool advance_delivered_cursor(const std::string& conversation_id, const std::string& user_id,
                                  std::int64_t up_to_seq, unix_ms at) override;
    // retention (sqlite_retention.cpp)
    std::int64_t delete_expired_messages(unix_ms now) override;
    // files (sqlite_files.cpp)
    void insert_blob(const std::string& sha256, const std::string& blob_key, std::int64_t size,
                     unix_ms at) override;
    void insert_file(const file_record& f) override;
    void update_file(const file_record& f) override;
    void delete_files_of_message(const std::string& message_id) override;
    std::vector<file_record> files_of_blob(const std::string& blob_key) override;
    void forget_blob(const std::string& blob_key) override;
    std::vector<std::string> take_orphan_blobs() override;
    // consultations (sqlite_consultations.cpp)
    void upsert_consultation(const consultation_record& c) override;
    void insert_session(const chat_session& s) override;
    void close_session(const chat_session& s) override;
    void set_open_session(const std::string& conversation_id, const std::string& session_id) override;
    void upsert_rating(const std::string& session_id, const std::string& user_id, int rating,
                       const std::string& comment, unix_ms at) override;
    void insert_notification(const outbox_notification& n) override;
    void insert_transcript_key(const transcript_key& k) override;
    // notifications (sqlite_notifications.cpp)
    void set_notify_cursor(std::int64_t row_id) override;
    void upsert_notification(const notification& n) override;
    void set_outbox_sent(const std::string& outbox_id) override;
    std::int64_t insert_delivery(const notification_delivery& d) override;
    void update_delivery(const notification_delivery& d) override;
    void upsert_notification_setting(const notification_setting& s) override;
    push_subscription upsert_push_subscription(const push_subscription& s) override;
    bool delete_push_subscription(const std::string& id) override;
    std::int64_t mark_notifications_read(const std::string& user_id, const std::string& up_to_id,
                                         unix_ms at) override;
    std::int64_t prune_notifications(unix_ms before) override;

    /// Adds the messages stored since the last call to the full-text index (sqlite_search.cpp).
    /// The writer calls it once per batch, outside any savepoint, just before COMMIT: until then
    /// the batch's new messages are not searchable (readers cannot see them anyway).
    void index_new_messages();

  private:
    std::vector<participant> participants_of(const std::string& conversation_id);
    std::optional<message> newest_message(const std::string& conversation_id);
    std::int64_t unread_count(const std::string& conversation_id, const std::string& user_id,
                              std::int64_t read_up_to_seq);
    std::vector<message> read_messages(query& q);
    void record_cursor_mark(const std::string& conversation_id, const char* kind, const std::string& user_id,
                            std::int64_t up_to_seq, unix_ms at);

    connection& db_;
};

}  // namespace writeen::store::sqlite
