// Retention in the PostgreSQL engine: deleting the messages older than each conversation keeps,
// and the cursor marks that no longer cover any message. The same walk as sqlite_retention.cpp.
#include <cstdint>
#include <string>
#include <vector>

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres_queries.hpp"
#include "store/postgres/postgres_rows.hpp"

namespace writeen::store::postgres {
namespace {

constexpr const char* sql_retained_conversations =
    "SELECT c.id, c.retention_days, k.last_seq FROM" WRITEEN_PG_CONVERSATIONS_WITH_COUNTERS
    "WHERE c.retention_days > 0";

// Deletes, in seq order, every message before the first one still inside the retention: the
// walk from the oldest message (the (conversation_id, seq) unique index) stops there, so the
// cost follows what is deleted, and no index on created_at is kept up to date for it on every
// send. (A message stamped older than one before it waits until that one expires.) The files
// rows of deleted messages go with them (trigger of 002_files.sql).
constexpr const char* sql_delete_messages_before =
    "DELETE FROM messages WHERE conversation_id = $1 AND seq < coalesce(("
    "  SELECT seq FROM messages WHERE conversation_id = $1 AND created_at >= $2 ORDER BY seq LIMIT 1), $3)";

// A mark below the oldest remaining message covers no message any more.
constexpr const char* sql_prune_cursor_marks =
    "DELETE FROM cursor_marks WHERE conversation_id = $1 "
    "AND up_to_seq < coalesce((SELECT min(seq) FROM messages WHERE conversation_id = $1), $2)";

constexpr std::int64_t ms_per_day = 86'400'000;

}  // namespace

std::int64_t postgres_queries::delete_expired_messages(unix_ms now) {
    struct retained {
        std::string id;
        std::int64_t days;
        std::int64_t last_seq;
    };
    std::vector<retained> conversations;
    {
        const result r = db_.query(sql_retained_conversations);
        conversations.reserve(static_cast<std::size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i)
            conversations.push_back(retained{r.text_at(i, 0), r.int_at(i, 1), r.int_at(i, 2)});
    }
    std::int64_t deleted = 0;
    for (const retained& c : conversations) {
        // Saturate: a retention of millions of days reaches before the epoch, not an overflow.
        const std::int64_t keep_ms = c.days > (now / ms_per_day) ? now : c.days * ms_per_day;
        const std::int64_t n =
            db_.query(sql_delete_messages_before, params{}.add(c.id).add(now - keep_ms).add(c.last_seq + 1))
                .affected();
        if (n == 0) continue;
        deleted += n;
        db_.query(sql_prune_cursor_marks, params{}.add(c.id).add(c.last_seq + 1));
    }
    return deleted;
}

}  // namespace writeen::store::postgres
