// The files and blobs of the PostgreSQL engine (migration 002_files): upload metadata, shared
// content by sha256, and the collection of blobs whose last file went. The same statements as
// sqlite_files.cpp, in PostgreSQL's spelling.
#include <stdexcept>

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres_queries.hpp"
#include "store/postgres/postgres_rows.hpp"

namespace writeen::store::postgres {
namespace {

#define WRITEEN_PG_FILE_COLUMNS                                                                            \
    "id, conversation_id, message_id, uploader_id, file_name, size, mime, sha256, blob_key, scan_status, " \
    "width, height, created_at"

constexpr const char* sql_find_file = "SELECT " WRITEEN_PG_FILE_COLUMNS " FROM files WHERE id = $1";
constexpr const char* sql_files_of_message = "SELECT " WRITEEN_PG_FILE_COLUMNS " FROM files WHERE message_id = $1";
constexpr const char* sql_files_of_blob = "SELECT " WRITEEN_PG_FILE_COLUMNS " FROM files WHERE blob_key = $1";
constexpr const char* sql_unfinished_files =
    "SELECT " WRITEEN_PG_FILE_COLUMNS " FROM files WHERE scan_status IN ('pending', 'scanning', 'error') "
    "ORDER BY created_at, id LIMIT $1";
constexpr const char* sql_insert_file =
    "INSERT INTO files (" WRITEEN_PG_FILE_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
constexpr const char* sql_update_file = "UPDATE files SET scan_status = $2, width = $3, height = $4 WHERE id = $1";
constexpr const char* sql_delete_files_of_message = "DELETE FROM files WHERE message_id = $1";

constexpr const char* sql_blob_of_content = "SELECT blob_key FROM blobs WHERE sha256 = $1";
constexpr const char* sql_insert_blob = "INSERT INTO blobs (sha256, blob_key, size, created_at) VALUES ($1, $2, $3, $4)";
constexpr const char* sql_forget_blob = "DELETE FROM blobs WHERE blob_key = $1";
// Collecting blobs while other nodes' writers upload (docs/ARCHITECTURE.md, "Files on several
// nodes"). An upload that found content by sha256 names that blob in a files row its transaction
// has not committed yet: invisible here, so the blob looks orphaned. insert_file therefore holds
// a KEY SHARE lock on the blob row until its commit, and collection works in two statements:
// (1) lock the candidates, skipping any row an upload holds; (2) delete those still orphaned,
// checked again with a new snapshot (READ COMMITTED, the writer's level), which sees every
// upload that committed before (1) got its lock. An upload that comes after (1) waits for this
// commit, finds the blob gone and is re-run (it then stores its own bytes).
constexpr const char* sql_lock_orphan_candidates =
    "SELECT b.blob_key FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.blob_key = b.blob_key) "
    "FOR UPDATE OF b SKIP LOCKED";
constexpr const char* sql_delete_orphans =
    "DELETE FROM blobs b WHERE b.blob_key = ANY ($1::text[]) "
    "AND NOT EXISTS (SELECT 1 FROM files f WHERE f.blob_key = b.blob_key) RETURNING b.blob_key";
// files_by_blob makes each NOT EXISTS one index probe.
constexpr const char* sql_hold_blob = "SELECT 1 FROM blobs WHERE blob_key = $1 FOR KEY SHARE";
#undef WRITEEN_PG_FILE_COLUMNS

file_record file_at(const result& r, int row) {
    file_record f;
    f.id = r.text_at(row, 0);
    f.conversation_id = r.text_at(row, 1);
    f.message_id = r.text_at(row, 2);
    f.uploader_id = r.text_at(row, 3);
    f.file_name = r.text_at(row, 4);
    f.size = r.int_at(row, 5);
    f.mime = r.text_at(row, 6);
    f.sha256 = r.text_at(row, 7);
    f.blob_key = r.text_at(row, 8);
    f.scan_status = r.text_at(row, 9);
    f.width = r.optional_int_at(row, 10);
    f.height = r.optional_int_at(row, 11);
    f.created_at = r.int_at(row, 12);
    return f;
}

std::vector<file_record> files_of(const result& r) {
    std::vector<file_record> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(file_at(r, i));
    return out;
}

}  // namespace

std::optional<file_record> postgres_queries::find_file(const std::string& id) {
    const result r = db_.query(sql_find_file, params{}.add(id));
    if (r.empty()) return std::nullopt;
    return file_at(r, 0);
}

std::vector<file_record> postgres_queries::files_of_message(const std::string& message_id) {
    return files_of(db_.query(sql_files_of_message, params{}.add(message_id)));
}

std::vector<file_record> postgres_queries::unfinished_files(int limit) {
    return files_of(db_.query(sql_unfinished_files, params{}.add(non_negative(limit))));
}

std::optional<std::string> postgres_queries::blob_of_content(const std::string& sha256) {
    const result r = db_.query(sql_blob_of_content, params{}.add(sha256));
    if (r.empty()) return std::nullopt;
    return r.text_at(0, 0);
}

void postgres_queries::insert_blob(const std::string& sha256, const std::string& blob_key, std::int64_t size,
                                   unix_ms at) {
    db_.query(sql_insert_blob, params{}.add(sha256).add(blob_key).add(size).add(at));
}

void postgres_queries::insert_file(const file_record& f) {
    // Keeps another node's take_orphan_blobs from collecting the blob before this row commits.
    // Gone already (collected since blob_of_content found it): run the work again, it will
    // store the upload's own bytes.
    if (db_.query(sql_hold_blob, params{}.add(f.blob_key)).empty())
        throw transaction_conflict("insert_file: blob '" + f.blob_key + "' was collected meanwhile");
    db_.query(sql_insert_file, params{}
                                   .add(f.id)
                                   .add(f.conversation_id)
                                   .add(f.message_id)
                                   .add(f.uploader_id)
                                   .add(f.file_name)
                                   .add(f.size)
                                   .add(f.mime)
                                   .add(f.sha256)
                                   .add(f.blob_key)
                                   .add(f.scan_status)
                                   .add(f.width)
                                   .add(f.height)
                                   .add(f.created_at));
}

void postgres_queries::update_file(const file_record& f) {
    const result r = db_.query(sql_update_file, params{}.add(f.id).add(f.scan_status).add(f.width).add(f.height));
    if (r.affected() == 0) throw std::invalid_argument("update_file: no file '" + f.id + "'");
}

void postgres_queries::delete_files_of_message(const std::string& message_id) {
    db_.query(sql_delete_files_of_message, params{}.add(message_id));
}

std::vector<file_record> postgres_queries::files_of_blob(const std::string& blob_key) {
    return files_of(db_.query(sql_files_of_blob, params{}.add(blob_key)));
}

void postgres_queries::forget_blob(const std::string& blob_key) { db_.query(sql_forget_blob, params{}.add(blob_key)); }

std::vector<std::string> postgres_queries::take_orphan_blobs() {
    const result candidates = db_.query(sql_lock_orphan_candidates);
    if (candidates.empty()) return {};
    std::vector<std::string> locked;
    locked.reserve(static_cast<std::size_t>(candidates.rows()));
    for (int i = 0; i < candidates.rows(); ++i) locked.push_back(candidates.text_at(i, 0));
    const result r = db_.query(sql_delete_orphans, params{}.add(text_array(locked)));
    std::vector<std::string> keys;
    keys.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) keys.push_back(r.text_at(i, 0));
    return keys;
}

}  // namespace writeen::store::postgres
