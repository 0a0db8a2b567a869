// Users in the PostgreSQL engine: what the latest token said about each one.
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres_queries.hpp"
#include "store/sqlite/column_codec.hpp"

namespace writeen::store::postgres {
namespace {

using sqlite::role_from_text;
using sqlite::to_text;

constexpr const char* sql_user = "SELECT id, name, avatar, role, last_seen FROM users WHERE id = $1";

constexpr const char* sql_upsert_user =
    "INSERT INTO users (id, name, avatar, role, last_seen) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, avatar = excluded.avatar, role = excluded.role, "
    "last_seen = excluded.last_seen";

// $1 viewer, $2 lowercase text ('' matches all), $3 true when the viewer may see everyone.
// strpos() rather than LIKE so that '%' and '_' in a search are plain characters; lower() of
// ASCII letters only, as the SQLite engine's (API-NOTES).
constexpr const char* sql_user_matches =
    "FROM users WHERE role <> 'service' AND id <> $1 "
    "AND ($2 = '' OR strpos(translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), $2) > 0 "
    "OR strpos(translate(id, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), $2) > 0) "
    "AND ($3::boolean OR role = 'tutor' OR role = 'admin' OR id IN ("
    "SELECT b.user_id FROM participants a JOIN participants b ON b.conversation_id = a.conversation_id "
    "WHERE a.user_id = $1 AND a.left_at IS NULL AND b.left_at IS NULL))";

}  // namespace

user_page postgres_queries::find_users(const user_filter& f, int offset, int limit) {
    // ORDER BY the same ASCII case fold and then id, byte-wise, so both engines list alike.
    static const std::string sql_page =
        std::string("SELECT id, name, avatar, role, last_seen ") + sql_user_matches +
        " ORDER BY translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE \"C\", "
        "id COLLATE \"C\" LIMIT $4 OFFSET $5";
    static const std::string sql_count = std::string("SELECT count(*) ") + sql_user_matches;
    user_page page;
    const result r = db_.query(sql_page.c_str(), params{}
                                                     .add(f.viewer_id)
                                                     .add(f.text)
                                                     .add(f.everyone)
                                                     .add(std::int64_t{limit})
                                                     .add(std::int64_t{offset}));
    for (int i = 0; i < r.rows(); ++i) {
        user_profile u;
        u.id = r.text_at(i, 0);
        u.name = r.text_at(i, 1);
        u.avatar = r.text_at(i, 2);
        u.role = role_from_text(r.text_view_at(i, 3));
        u.last_seen = r.int_at(i, 4);
        page.users.push_back(std::move(u));
    }
    page.total = db_.query(sql_count.c_str(), params{}.add(f.viewer_id).add(f.text).add(f.everyone)).int_at(0, 0);
    return page;
}

std::optional<user_profile> postgres_queries::user(const std::string& id) {
    const result r = db_.query(sql_user, params{}.add(id));
    if (r.empty()) return std::nullopt;
    user_profile u;
    u.id = r.text_at(0, 0);
    u.name = r.text_at(0, 1);
    u.avatar = r.text_at(0, 2);
    u.role = role_from_text(r.text_view_at(0, 3));
    u.last_seen = r.int_at(0, 4);
    return u;
}

void postgres_queries::upsert_user(const user_profile& u) {
    db_.query(sql_upsert_user, params{}.add(u.id).add(u.name).add(u.avatar).add(to_text(u.role)).add(u.last_seen));
}

}  // namespace writeen::store::postgres
