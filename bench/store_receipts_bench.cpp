// Read receipts at 100,000 messages: what a history page and a mark-read cost in the store when
// the receipts' cursor marks are loaded the old way (every mark of the conversation, twice) and
// the new way (cursor_marks_for with the seqs that need dating).
//
// One conversation of 100,000 messages from 3 participants; each participant moves the read
// cursor (and so the delivered one) 20,000 times. The database is built once per process through
// the store, in one transaction, under a temporary directory.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "store/store_factory.hpp"

namespace {

using namespace writeen;
using namespace writeen::store;

constexpr int history = 100'000;
constexpr int moves_per_user = 20'000;
const std::vector<std::string> users{"ana", "budi", "citra"};
const std::string conversation_id = "c1";
// budi's moves stop 40,000 seqs short of the end, so mark_read has room to advance one seq per
// iteration for as long as the benchmark runs.
constexpr std::int64_t reader_headroom = 40'000;

void write_and_wait(database& db, write_work work) {
    std::promise<void> committed;
    auto result = committed.get_future();
    db.submit(std::move(work), [&committed](std::exception_ptr error) {
        if (error)
            committed.set_exception(error);
        else
            committed.set_value();
    });
    result.get();
}

class fixture_db {
  public:
    fixture_db() {
        std::string pattern = (std::filesystem::temp_directory_path() / "writeen-bench-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        // synchronous=NORMAL: the figures are the store's CPU and I/O for the queries, not the
        // time of an fsync on a shared disk, which would drown them in noise.
        db_ = open_store({.path = (dir_ / "bench.db").string(), .synchronous_full = false});
        write_and_wait(*db_, [](transaction& tx) {
            conversation c;
            c.id = conversation_id;
            c.type = conversation_type::group;
            c.created_by = users.front();
            c.created_at = c.updated_at = 1000;
            for (const auto& u : users) {
                participant p;
                p.user_id = u;
                p.joined_at = 1000;
                c.participants.push_back(p);
            }
            tx.insert_conversation(c);
            // Everyone writes in turn; after each message, one participant reads up to it on a
            // schedule that gives each of them 20,000 moves.
            const std::int64_t step_ana = history / moves_per_user;                        // 5
            const std::int64_t step_budi = (history - reader_headroom) / moves_per_user;   // 3
            for (std::int64_t seq = 1; seq <= history; ++seq) {
                message m;
                m.id = "m" + std::to_string(seq);
                m.conversation_id = conversation_id;
                m.sender_id = users[seq % users.size()];
                m.type = message_type::text;
                m.content_json = R"({"text":"pesan"})";
                m.created_at = m.updated_at = 10'000 + seq;
                m.created_change_seq = m.change_seq = tx.next_change_seq(conversation_id);
                tx.append_message(m);
                const unix_ms at = 20'000 + seq;
                if (seq % step_ana == 0) tx.advance_read_cursor(conversation_id, "ana", seq, at);
                if (seq % step_budi == 0 && seq <= step_budi * moves_per_user)
                    tx.advance_read_cursor(conversation_id, "budi", seq, at);
                if (seq % step_ana == 2) tx.advance_read_cursor(conversation_id, "citra", seq, at);
            }
        });
    }
    ~fixture_db() {
        db_->close();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    database& db() { return *db_; }

  private:
    std::filesystem::path dir_;
    std::unique_ptr<database> db_;
};

fixture_db& shared_db() {
    static fixture_db db;
    return db;
}

std::vector<std::int64_t> seqs_of(const std::vector<message>& page) {
    std::vector<std::int64_t> seqs;
    for (const auto& m : page) seqs.push_back(m.seq);
    std::sort(seqs.begin(), seqs.end());
    return seqs;
}

// (a) A history page: the 50 newest messages and the marks that date their receipts.
void history_page(benchmark::State& state, bool new_way) {
    database& db = shared_db().db();
    std::size_t marks = 0;
    for (auto _ : state) {
        db.read([&](reader& r) {
            auto page = r.list_messages(conversation_id, message_query{.limit = 50});
            if (new_way) {
                const auto seqs = seqs_of(page);
                auto read = r.cursor_marks_for(conversation_id, true, seqs);
                auto delivered = r.cursor_marks_for(conversation_id, false, seqs);
                marks = read.size() + delivered.size();
            } else {
                auto read = r.cursor_marks(conversation_id, true);
                auto delivered = r.cursor_marks(conversation_id, false);
                marks = read.size() + delivered.size();
            }
            benchmark::DoNotOptimize(page);
        });
    }
    state.counters["marks"] = static_cast<double>(marks);
}

// (b) mark_read: budi reads one more message (a committed transaction), then the marks that
// date the receipt of the newest message are loaded.
void mark_read(benchmark::State& state, bool new_way) {
    database& db = shared_db().db();
    static std::int64_t cursor = 0;
    if (cursor == 0)
        db.read([&](reader& r) {
            const auto c = r.find_conversation(conversation_id);
            cursor = c->find_participant("budi")->read_up_to_seq;
        });
    std::size_t marks = 0;
    for (auto _ : state) {
        if (cursor >= history) {
            state.SkipWithError("budi has read everything: no headroom left");
            break;
        }
        const std::int64_t target = ++cursor;
        write_and_wait(db, [target](transaction& tx) {
            tx.advance_read_cursor(conversation_id, "budi", target, 30'000'000 + target);
        });
        db.read([&](reader& r) {
            const std::vector<std::int64_t> newest{target};
            if (new_way) {
                auto read = r.cursor_marks_for(conversation_id, true, newest);
                auto delivered = r.cursor_marks_for(conversation_id, false, newest);
                marks = read.size() + delivered.size();
            } else {
                auto read = r.cursor_marks(conversation_id, true);
                auto delivered = r.cursor_marks(conversation_id, false);
                marks = read.size() + delivered.size();
            }
        });
    }
    state.counters["marks"] = static_cast<double>(marks);
}

BENCHMARK_CAPTURE(history_page, old_cursor_marks, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(history_page, new_cursor_marks_for, true)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mark_read, old_cursor_marks, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(mark_read, new_cursor_marks_for, true)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
