#include "store/sqlite/fts_rank.hpp"

#include <array>

#include "store/sqlite/connection.hpp"

namespace writeen::store::sqlite {
namespace {

// BM25's usual constants: how fast repeats stop counting, how much length matters.
constexpr double k1 = 1.2;
constexpr double b = 0.75;

void writeen_rank(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int /*argc*/,
                  sqlite3_value** /*argv*/) {
    // Phrases are the query words, then the conversations (column 1), at most a few dozen.
    std::array<int, 64> occurrences{};
    int instances = 0;
    if (api->xInstCount(fts, &instances) != SQLITE_OK) {
        sqlite3_result_error(ctx, "writeen_rank: no instances", -1);
        return;
    }
    for (int i = 0; i < instances; ++i) {
        int phrase = 0, column = 0, offset = 0;
        if (api->xInst(fts, i, &phrase, &column, &offset) != SQLITE_OK) continue;
        if (column == 0 && phrase >= 0 && phrase < static_cast<int>(occurrences.size())) ++occurrences[phrase];
    }
    int length = 0;
    sqlite3_int64 rows = 0, total = 0;
    api->xColumnSize(fts, 0, &length);
    api->xRowCount(fts, &rows);
    api->xColumnTotalSize(fts, 0, &total);
    const double average = rows > 0 && total > 0 ? static_cast<double>(total) / static_cast<double>(rows) : 1.0;
    const double norm = k1 * (1 - b + b * static_cast<double>(length) / average);
    double score = 0;
    for (const int tf : occurrences)
        if (tf > 0) score += tf * (k1 + 1) / (tf + norm);
    sqlite3_result_double(ctx, -score);
}

}  // namespace

void register_fts_rank(sqlite3* db) {
    fts5_api* api = nullptr;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr);
    if (rc == SQLITE_OK) {
        sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
        sqlite3_step(stmt);
    }
    sqlite3_finalize(stmt);
    if (api == nullptr) throw_sqlite_error(rc == SQLITE_OK ? SQLITE_ERROR : rc, "no fts5_api", "register writeen_rank");
    rc = api->xCreateFunction(api, "writeen_rank", nullptr, writeen_rank, nullptr);
    if (rc != SQLITE_OK) throw_sqlite_error(rc, "xCreateFunction", "register writeen_rank");
}

}  // namespace writeen::store::sqlite
