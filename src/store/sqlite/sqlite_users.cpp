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

// ?1 viewer, ?2 lowercase text ('' matches all), ?3 1 when the viewer may see everyone.
// instr() rather than LIKE so that '%' and '_' in a search are plain characters.
constexpr const char* sql_user_matches =
    "FROM users WHERE role <> 'service' AND id <> ?1 "
    "AND (?2 = '' OR instr(lower(name), ?2) > 0 OR instr(lower(id), ?2) > 0) "
    "AND (?3 = 1 OR role = 'tutor' OR role = 'admin' OR id IN ("
    "SELECT b.user_id FROM participants a JOIN participants b ON b.conversation_id = a.conversation_id "
    "WHERE a.user_id = ?1 AND a.left_at IS NULL AND b.left_at IS NULL))";

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

user_page sqlite_queries::find_users(const user_filter& f, int offset, int limit) {
    static const std::string sql_page = std::string("SELECT id, name, avatar, role, last_seen ") + sql_user_matches +
                                        " ORDER BY lower(name), id LIMIT ?4 OFFSET ?5";
    static const std::string sql_count = std::string("SELECT count(*) ") + sql_user_matches;
    const std::int64_t everyone = f.everyone ? 1 : 0;
    user_page page;
    auto q = db_.prepare(sql_page.c_str());
    q.bind(1, f.viewer_id).bind(2, f.text).bind(3, everyone).bind(4, std::int64_t{limit}).bind(5, std::int64_t{offset});
    while (q.step()) {
        user_profile u;
        u.id = q.text_at(0);
        u.name = q.text_at(1);
        u.avatar = q.text_at(2);
        u.role = role_from_text(q.text_view_at(3));
        u.last_seen = q.int_at(4);
        page.users.push_back(std::move(u));
    }
    auto c = db_.prepare(sql_count.c_str());
    c.bind(1, f.viewer_id).bind(2, f.text).bind(3, everyone);
    if (c.step()) page.total = c.int_at(0);
    return page;
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
