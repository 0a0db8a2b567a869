// The files and blobs of the SQLite engine (migration 002_files): upload metadata, shared
// content by sha256, and the collection of blobs whose last file went.
#include <stdexcept>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_queries.hpp"

namespace writeen::store::sqlite {
namespace {

#define WRITEEN_FILE_COLUMNS                                                                         \
    "id, conversation_id, message_id, uploader_id, file_name, size, mime, sha256, blob_key, scan_status, " \
    "width, height, created_at"

constexpr const char* sql_find_file = "SELECT " WRITEEN_FILE_COLUMNS " FROM files WHERE id = ?1";
constexpr const char* sql_files_of_message = "SELECT " WRITEEN_FILE_COLUMNS " FROM files WHERE message_id = ?1";
constexpr const char* sql_files_of_blob = "SELECT " WRITEEN_FILE_COLUMNS " FROM files WHERE blob_key = ?1";
constexpr const char* sql_unfinished_files =
    "SELECT " WRITEEN_FILE_COLUMNS " FROM files WHERE scan_status IN ('pending', 'scanning', 'error') "
    "ORDER BY created_at, id LIMIT ?1";
constexpr const char* sql_insert_file =
    "INSERT INTO files (" WRITEEN_FILE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
constexpr const char* sql_update_file = "UPDATE files SET scan_status = ?2, width = ?3, height = ?4 WHERE id = ?1";
constexpr const char* sql_delete_files_of_message = "DELETE FROM files WHERE message_id = ?1";

constexpr const char* sql_blob_of_content = "SELECT blob_key FROM blobs WHERE sha256 = ?1";
constexpr const char* sql_insert_blob = "INSERT INTO blobs (sha256, blob_key, size, created_at) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* sql_forget_blob = "DELETE FROM blobs WHERE blob_key = ?1";
// files_by_blob makes each NOT EXISTS one index probe.
constexpr const char* sql_orphan_blobs =
    "SELECT blob_key FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.blob_key = b.blob_key)";
#undef WRITEEN_FILE_COLUMNS

file_record file_at(const query& q) {
    file_record f;
    f.id = q.text_at(0);
    f.conversation_id = q.text_at(1);
    f.message_id = q.text_at(2);
    f.uploader_id = q.text_at(3);
    f.file_name = q.text_at(4);
    f.size = q.int_at(5);
    f.mime = q.text_at(6);
    f.sha256 = q.text_at(7);
    f.blob_key = q.text_at(8);
    f.scan_status = q.text_at(9);
    f.width = q.optional_int_at(10);
    f.height = q.optional_int_at(11);
    f.created_at = q.int_at(12);
    return f;
}

std::vector<file_record> files_of(query q) {
    std::vector<file_record> out;
    while (q.step()) out.push_back(file_at(q));
    return out;
}

}  // namespace

std::optional<file_record> sqlite_queries::find_file(const std::string& id) {
    auto q = db_.prepare(sql_find_file);
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return file_at(q);
}

std::vector<file_record> sqlite_queries::files_of_message(const std::string& message_id) {
    auto q = db_.prepare(sql_files_of_message);
    q.bind(1, message_id);
    return files_of(std::move(q));
}

std::vector<file_record> sqlite_queries::unfinished_files(int limit) {
    auto q = db_.prepare(sql_unfinished_files);
    q.bind(1, std::int64_t{limit});
    return files_of(std::move(q));
}

std::optional<std::string> sqlite_queries::blob_of_content(const std::string& sha256) {
    auto q = db_.prepare(sql_blob_of_content);
    q.bind(1, sha256);
    if (!q.step()) return std::nullopt;
    return q.text_at(0);
}

void sqlite_queries::insert_blob(const std::string& sha256, const std::string& blob_key, std::int64_t size,
                                 unix_ms at) {
    db_.prepare(sql_insert_blob).bind(1, sha256).bind(2, blob_key).bind(3, size).bind(4, at).run();
}

void sqlite_queries::insert_file(const file_record& f) {
    db_.prepare(sql_insert_file)
        .bind(1, f.id)
        .bind(2, f.conversation_id)
        .bind(3, f.message_id)
        .bind(4, f.uploader_id)
        .bind(5, f.file_name)
        .bind(6, f.size)
        .bind(7, f.mime)
        .bind(8, f.sha256)
        .bind(9, f.blob_key)
        .bind(10, f.scan_status)
        .bind(11, f.width)
        .bind(12, f.height)
        .bind(13, f.created_at)
        .run();
}

void sqlite_queries::update_file(const file_record& f) {
    db_.prepare(sql_update_file).bind(1, f.id).bind(2, f.scan_status).bind(3, f.width).bind(4, f.height).run();
    if (db_.changes() == 0) throw std::invalid_argument("update_file: no file '" + f.id + "'");
}

void sqlite_queries::delete_files_of_message(const std::string& message_id) {
    db_.prepare(sql_delete_files_of_message).bind(1, message_id).run();
}

std::vector<file_record> sqlite_queries::files_of_blob(const std::string& blob_key) {
    auto q = db_.prepare(sql_files_of_blob);
    q.bind(1, blob_key);
    return files_of(std::move(q));
}

void sqlite_queries::forget_blob(const std::string& blob_key) { db_.prepare(sql_forget_blob).bind(1, blob_key).run(); }

std::vector<std::string> sqlite_queries::take_orphan_blobs() {
    std::vector<std::string> keys;
    {
        auto q = db_.prepare(sql_orphan_blobs);
        while (q.step()) keys.push_back(q.text_at(0));
    }
    for (const auto& key : keys) forget_blob(key);
    return keys;
}

}  // namespace writeen::store::sqlite
