// Users in the SQLite engine: what the latest token said about each one.
#include "store/sqlite/column_codec.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_queries.hpp"

namespace writeen::store::sqlite {
namespace {

constexpr const char* sql_user = "SELECT id, name, avatar, role, last_seen FROM users WHERE id = ?1";

constexpr const char* sql_upsert_user =
    "INSERT INTO users (id, name, avatar, role, last_seen) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, avatar = excluded.avatar, role = excluded.role, "
    "last_seen = excluded.last_seen";

}  // namespace

std::optional<user_profile> sqlite_queries::user(const std::string& id) {
    auto q = db_.prepare(sql_user);
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    user_profile u;
    u.id = q.text_at(0);
    u.name = q.text_at(1);
    u.avatar = q.text_at(2);
    u.role = role_from_text(q.text_view_at(3));
    u.last_seen = q.int_at(4);
    return u;
}

void sqlite_queries::upsert_user(const user_profile& u) {
    db_.prepare(sql_upsert_user)
        .bind(1, u.id)
        .bind(2, u.name)
        .bind(3, u.avatar)
        .bind(4, to_text(u.role))
        .bind(5, u.last_seen)
        .run();
}

}  // namespace writeen::store::sqlite
