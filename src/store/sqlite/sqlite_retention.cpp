// Retention in the SQLite engine: deleting the messages older than each conversation keeps, and
// the cursor marks that no longer cover any message.
#include <cstdint>
#include <string>
#include <vector>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_queries.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace writeen::store::sqlite {
namespace {

constexpr const char* sql_retained_conversations =
    "SELECT c.id, c.retention_days, k.last_seq FROM" WRITEEN_CONVERSATIONS_WITH_COUNTERS
    "WHERE c.retention_days > 0";

// Deletes, in seq order, every message before the first one still inside the retention: the
// walk from the oldest message stops there, so the cost follows what is deleted, and no index on
// created_at is kept up to date for it on every send. (A message stamped older than one before
// it waits until that one expires.)
constexpr const char* sql_delete_messages_before =
    "DELETE FROM messages WHERE conversation_id = ?1 AND seq < coalesce(("
    "  SELECT seq FROM messages WHERE conversation_id = ?1 AND +created_at >= ?2 ORDER BY seq LIMIT 1), ?3)";

// A mark below the oldest remaining message covers no message any more.
constexpr const char* sql_prune_cursor_marks =
    "DELETE FROM cursor_marks WHERE conversation_id = ?1 "
    "AND up_to_seq < coalesce((SELECT min(seq) FROM messages WHERE conversation_id = ?1), ?2)";

constexpr std::int64_t ms_per_day = 86'400'000;

}  // namespace

std::int64_t sqlite_queries::delete_expired_messages(unix_ms now) {
    struct retained {
        std::string id;
        std::int64_t days;
        std::int64_t last_seq;
    };
    std::vector<retained> conversations;
    {
        auto q = db_.prepare(sql_retained_conversations);
        while (q.step()) conversations.push_back(retained{q.text_at(0), q.int_at(1), q.int_at(2)});
    }
    std::int64_t deleted = 0;
    for (const retained& c : conversations) {
        // Saturate: a retention of millions of days reaches before the epoch, not an overflow.
        const std::int64_t keep_ms = c.days > (now / ms_per_day) ? now : c.days * ms_per_day;
        db_.prepare(sql_delete_messages_before)
            .bind(1, c.id)
            .bind(2, now - keep_ms)
            .bind(3, c.last_seq + 1)
            .run();
        const std::int64_t n = db_.changes();
        if (n == 0) continue;
        deleted += n;
        db_.prepare(sql_prune_cursor_marks).bind(1, c.id).bind(2, c.last_seq + 1).run();
    }
    return deleted;
}


}  // namespace writeen::store::sqlite
