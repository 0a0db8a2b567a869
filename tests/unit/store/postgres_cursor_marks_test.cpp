// The SQLite engine's cursor-mark tests (sqlite_cursor_marks_test.cpp), run against the PostgreSQL engine.
#include "postgres_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "store_test_support.hpp"

namespace writeen::store::testing {
namespace {

using pg_cursor_marks = postgres_store_test;

// How the chat service dates a receipt: the `at` of the user's first mark with up_to_seq >= seq
// (none: the caller falls back to the message's own time).
std::optional<unix_ms> receipt_time(const std::vector<cursor_mark>& marks, const std::string& user,
                                    std::int64_t seq) {
    std::optional<cursor_mark> first;
    for (const auto& m : marks)
        if (m.user_id == user && m.up_to_seq >= seq && (!first || m.up_to_seq < first->up_to_seq)) first = m;
    if (!first) return std::nullopt;
    return first->at;
}

std::vector<std::int64_t> range(std::int64_t lo, std::int64_t hi, std::int64_t step = 1) {
    std::vector<std::int64_t> out;
    for (std::int64_t s = lo; s <= hi; s += step) out.push_back(s);
    return out;
}

const std::vector<std::string> users{"a", "b", "c", "d"};  // d never moves a cursor

class pg_cursor_marks_random : public postgres_store_test {
  protected:
    static constexpr int messages = 400;

    void SetUp() override {
        postgres_store_test::SetUp();
        write_and_wait(db(), [](transaction& tx) {
            tx.insert_conversation(make_conversation("c1", users));
            tx.insert_conversation(make_conversation("other", {"a", "b"}));
            for (int i = 0; i < messages; ++i) {
                auto m = make_message("c1", users[i % 3], "pesan", 10'000 + i);
                append(tx, m);
            }
            for (int i = 0; i < 20; ++i) {
                auto m = make_message("other", "b", "lain", 10'000 + i);
                append(tx, m);
            }
        });
        // Random forward moves of a, b and c (read and delivered), in many small batches, plus
        // moves in another conversation that must never show up.
        std::mt19937 random{20261203};
        std::map<std::string, std::int64_t> read, delivered;
        unix_ms at = 100'000;
        for (int step = 0; step < 300; ++step) {
            const std::string& user = users[random() % 3];
            const bool reading = random() % 2 == 0;
            std::int64_t& cursor = reading ? read[user] : delivered[user];
            const std::int64_t target = std::min<std::int64_t>(messages - 10, cursor + 1 + random() % 4);
            at += 1 + random() % 1000;
            write_and_wait(db(), [&](transaction& tx) {
                if (reading)
                    tx.advance_read_cursor("c1", user, target, at);
                else
                    tx.advance_delivered_cursor("c1", user, target, at);
                tx.advance_read_cursor("other", "a", step % 20 + 1, at);
            });
            cursor = std::max(cursor, target);
            if (reading) delivered[user] = std::max(delivered[user], target);
        }
    }

    // For every seq and user, the new marks date the receipt as the full list does.
    void expect_same_receipts(const std::vector<std::int64_t>& seqs) {
        for (const bool read : {true, false}) {
            const auto all = read_value(db(), [&](reader& r) { return r.cursor_marks("c1", read); });
            const auto some = read_value(db(), [&](reader& r) { return r.cursor_marks_for("c1", read, seqs); });
            EXPECT_LE(some.size(), all.size());
            for (const std::int64_t s : seqs)
                for (const auto& user : users)
                    EXPECT_EQ(receipt_time(some, user, s), receipt_time(all, user, s))
                        << (read ? "read" : "delivered") << " receipt of seq " << s << " by " << user;
            for (const auto& m : some) {
                EXPECT_NE(m.user_id, "d") << "d has no marks";
                const bool in_full_list = std::any_of(all.begin(), all.end(), [&](const cursor_mark& x) {
                    return x.user_id == m.user_id && x.up_to_seq == m.up_to_seq && x.at == m.at;
                });
                EXPECT_TRUE(in_full_list) << "only real marks of this conversation: " << m.user_id << "@" << m.up_to_seq;
            }
        }
    }
};

TEST_F(pg_cursor_marks_random, a_page_of_consecutive_seqs_dates_receipts_as_the_full_list) {
    expect_same_receipts(range(1, 50));
    expect_same_receipts(range(151, 200));
    expect_same_receipts(range(341, 390));
}

TEST_F(pg_cursor_marks_random, seqs_above_every_mark_get_none_and_keep_the_fallback) {
    expect_same_receipts(range(messages - 49, messages));
    const auto some =
        read_value(db(), [](reader& r) { return r.cursor_marks_for("c1", true, range(messages - 5, messages)); });
    EXPECT_TRUE(some.empty()) << "cursors stop 10 below the newest message";
}

TEST_F(pg_cursor_marks_random, a_dense_set_with_gaps_dates_receipts_as_the_full_list) {
    expect_same_receipts(range(101, 199, 2));
    expect_same_receipts({5, 6, 9, 20, 21, 22, 40, 60});
}

TEST_F(pg_cursor_marks_random, sparse_seqs_like_search_hits_date_receipts_as_the_full_list) {
    expect_same_receipts({3, 97, 180, 181, 299, 385, 399});
    expect_same_receipts({1, messages});
    std::mt19937 random{7};
    for (int round = 0; round < 5; ++round) {
        std::vector<std::int64_t> seqs;
        for (int i = 0; i < 12; ++i) seqs.push_back(1 + random() % messages);
        std::sort(seqs.begin(), seqs.end());
        seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
        expect_same_receipts(seqs);
    }
}

TEST_F(pg_cursor_marks_random, no_seqs_give_no_marks) {
    EXPECT_TRUE(read_value(db(), [](reader& r) { return r.cursor_marks_for("c1", true, {}); }).empty());
    EXPECT_TRUE(read_value(db(), [](reader& r) { return r.cursor_marks_for("c1", false, {}); }).empty());
}

TEST_F(pg_cursor_marks_random, each_mark_is_returned_once_by_user_then_seq) {
    for (const auto& seqs : {range(1, 60), std::vector<std::int64_t>{2, 3, 150, 151, 152, 300}}) {
        const auto some = read_value(db(), [&](reader& r) { return r.cursor_marks_for("c1", true, seqs); });
        EXPECT_TRUE(std::is_sorted(some.begin(), some.end(), [](const cursor_mark& x, const cursor_mark& y) {
            return std::tie(x.user_id, x.up_to_seq) < std::tie(y.user_id, y.up_to_seq);
        }));
        EXPECT_EQ(std::adjacent_find(some.begin(), some.end(),
                                     [](const cursor_mark& x, const cursor_mark& y) {
                                         return x.user_id == y.user_id && x.up_to_seq == y.up_to_seq;
                                     }),
                  some.end());
    }
}

TEST_F(pg_cursor_marks, a_conversation_where_no_one_moved_a_cursor_has_no_marks) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
        for (int i = 0; i < 5; ++i) {
            auto m = make_message("c1", "a", "halo", 2000 + i);
            append(tx, m);
        }
    });
    EXPECT_TRUE(read_value(db(), [](reader& r) { return r.cursor_marks_for("c1", true, range(1, 5)); }).empty());
    EXPECT_TRUE(read_value(db(), [](reader& r) { return r.cursor_marks_for("c1", false, {1, 5}); }).empty());
    EXPECT_TRUE(read_value(db(), [](reader& r) { return r.cursor_marks_for("nope", true, {1}); }).empty());
}

TEST(pg_cursor_marks_at_scale, a_page_of_a_long_history_costs_marks_of_the_page_not_of_the_history) {
    postgres_test_database pg;
    ASSERT_TRUE(pg.ready());
    const auto options = postgres_config(pg.url());
    {
        auto db = open_store(options);
        write_and_wait(*db, [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"a", "b", "c"})); });
        db->close();
    }
    // 100,000 messages; a, b and c each move their read (and so delivered) cursor 20,000 times,
    // by 5 seqs, at times that differ per user. Written straight into the database: a store call
    // per row would take far longer than the test.
    run_admin(pg.url(),
              "INSERT INTO messages (id, conversation_id, seq, sender_id, type, created_at, updated_at, "
              "  created_change_seq, change_seq) "
              "SELECT 'm' || i, 'c1', i, chr(97 + i % 3), 'text', 1000 + i, 1000 + i, i, i "
              "FROM generate_series(1, 100000) AS n(i);"
              "UPDATE conversation_counters SET last_seq = 100000, last_change_seq = 100000 WHERE conversation_id = 'c1';"
              "INSERT INTO cursor_marks (conversation_id, kind, user_id, up_to_seq, at) "
              "SELECT 'c1', k.kind, u.id, 5 * i, 2000000 + 10 * i + u.lag FROM generate_series(1, 20000) AS n(i), "
              "  (VALUES ('a', 1), ('b', 2), ('c', 3)) AS u(id, lag), (VALUES ('read'), ('delivered')) AS k(kind);"
              "UPDATE participants SET read_up_to_seq = 100000, delivered_up_to_seq = 100000 "
              "WHERE conversation_id = 'c1';");
    auto db = open_store(options);
    const std::size_t participants = 3;

    const auto all = read_value(*db, [](reader& r) { return r.cursor_marks("c1", true); });
    ASSERT_EQ(all.size(), 60'000u);

    auto check = [&](const std::vector<std::int64_t>& seqs, std::size_t bound) {
        const auto some = read_value(*db, [&](reader& r) { return r.cursor_marks_for("c1", true, seqs); });
        EXPECT_LE(some.size(), bound) << "marks for " << seqs.size() << " seqs, not for the history";
        EXPECT_FALSE(some.empty());
        for (const std::int64_t s : seqs)
            for (const char* user : {"a", "b", "c"})
                EXPECT_EQ(receipt_time(some, user, s), receipt_time(all, user, s)) << s << " " << user;
    };
    // The newest page, an old page, and search hits spread over the history.
    check(range(100'000 - 49, 100'000), 50 * participants + participants);
    check(range(20'001, 20'050), 50 * participants + participants);
    std::vector<std::int64_t> hits;
    for (std::int64_t s = 7; s <= 100'000; s += 4999) hits.push_back(s);
    check(hits, hits.size() * participants);
}

}  // namespace
}  // namespace writeen::store::testing
