// The PostgreSQL engine's writer and read pool against a real server: group commit with a
// savepoint per work, completions after COMMIT, and several nodes (database instances) writing
// one conversation at once.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "postgres_test_support.hpp"
#include "store_test_support.hpp"

namespace writeen::store::testing {
namespace {

template <typename Exception>
bool holds(const std::exception_ptr& error) {
    if (!error) return false;
    try {
        std::rethrow_exception(error);
    } catch (const Exception&) {
        return true;
    } catch (...) {
        return false;
    }
}

// Waits for a number of completions, recording each one's error.
class countdown {
  public:
    explicit countdown(int n) : left_(n) {}
    write_done expect(std::exception_ptr* slot = nullptr) {
        return [this, slot](std::exception_ptr error) {
            std::lock_guard lock(mutex_);
            if (slot) *slot = error;
            if (error) ++failures_;
            if (--left_ == 0) done_.notify_all();
        };
    }
    bool wait(std::chrono::seconds limit = std::chrono::seconds(120)) {
        std::unique_lock lock(mutex_);
        return done_.wait_for(lock, limit, [this] { return left_ == 0; });
    }
    int failures() {
        std::lock_guard lock(mutex_);
        return failures_;
    }

  private:
    std::mutex mutex_;
    std::condition_variable done_;
    int left_;
    int failures_ = 0;
};

using pg_writer = postgres_store_test;

TEST_F(pg_writer, a_throwing_work_is_rolled_back_alone_and_its_seq_is_reused) {
    write_and_wait(db(), [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"u1", "u2"})); });
    // Hold the writer so the three works below form one batch.
    std::promise<void> started;
    std::promise<void> release;
    auto release_future = release.get_future().share();
    db().submit(
        [&](transaction&) {
            started.set_value();
            release_future.wait();
        },
        nullptr);
    started.get_future().wait();
    countdown done(3);
    std::exception_ptr first;
    std::exception_ptr failing;
    std::exception_ptr last;
    db().submit([](transaction& tx) { auto m = make_message("c1", "u1", "one"); append(tx, m); }, done.expect(&first));
    db().submit(
        [](transaction& tx) {
            auto m = make_message("c1", "u1", "two");
            append(tx, m);
            throw std::invalid_argument("refused after its append");
        },
        done.expect(&failing));
    db().submit([](transaction& tx) { auto m = make_message("c1", "u2", "three"); append(tx, m); }, done.expect(&last));
    release.set_value();
    ASSERT_TRUE(done.wait());
    EXPECT_EQ(first, nullptr);
    EXPECT_TRUE(holds<std::invalid_argument>(failing));
    EXPECT_EQ(last, nullptr);
    const auto page = read_value(db(), [](reader& r) { return r.list_messages("c1", message_query{.after_seq = 0}); });
    ASSERT_EQ(page.size(), 2u);
    EXPECT_EQ(page[0].seq, 1);
    EXPECT_EQ(page[0].search_text, "one");
    EXPECT_EQ(page[1].seq, 2);
    EXPECT_EQ(page[1].search_text, "three");
    EXPECT_GE(db().stats().writes, 5u);
    EXPECT_LT(db().stats().batches, db().stats().writes) << "the held works shared a batch";
}

TEST_F(pg_writer, done_is_called_after_the_commit_so_a_reader_already_sees_the_row) {
    write_and_wait(db(), [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"u1"})); });
    std::promise<bool> seen;
    db().submit([](transaction& tx) { auto m = make_message("c1", "u1", "hello", 2000, "m-hello"); append(tx, m); },
                [&](std::exception_ptr error) {
                    bool found = false;
                    if (!error) db().read([&](reader& r) { found = r.find_message("m-hello").has_value(); });
                    seen.set_value(found);
                });
    EXPECT_TRUE(seen.get_future().get());
    EXPECT_TRUE(db().healthy());
}

TEST_F(pg_writer, a_duplicate_client_message_id_changes_nothing_and_the_work_goes_on) {
    write_and_wait(db(), [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"u1"})); });
    write_and_wait(db(), [](transaction& tx) {
        auto m = make_message("c1", "u1", "first", 5000);
        m.client_message_id = "cm-1";
        append(tx, m);
    });
    const auto before = read_value(db(), [](reader& r) { return *r.find_conversation("c1"); });
    bool refused = false;
    write_and_wait(db(), [&](transaction& tx) {
        auto again = make_message("c1", "u1", "again", 9000);
        again.client_message_id = "cm-1";
        try {
            tx.append_message(again);
        } catch (const duplicate_client_message&) {
            refused = true;
        }
        // The transaction goes on: the next append takes the seq the duplicate did not.
        auto next = make_message("c1", "u1", "next", 5000);
        EXPECT_EQ(tx.append_message(next), 2);
    });
    EXPECT_TRUE(refused);
    const auto after = read_value(db(), [](reader& r) { return *r.find_conversation("c1"); });
    EXPECT_EQ(after.last_seq, 2);
    EXPECT_EQ(after.updated_at, before.updated_at) << "the refused append left updated_at as it was";
}

TEST_F(pg_writer, reads_see_one_snapshot_and_cannot_write) {
    write_and_wait(db(), [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"u1"})); });
    db().read([&](reader& r) {
        EXPECT_FALSE(r.find_message("m-later").has_value());
        // Committed meanwhile by the writer (through the same database, another connection).
        write_and_wait(db(), [](transaction& tx) { auto m = make_message("c1", "u1", "later", 2000, "m-later"); append(tx, m); });
        EXPECT_FALSE(r.find_message("m-later").has_value()) << "REPEATABLE READ keeps the first snapshot";
        EXPECT_THROW(dynamic_cast<transaction&>(r).upsert_user(user_profile{.id = "x"}), std::exception);
    });
    EXPECT_TRUE(read_value(db(), [](reader& r) { return r.find_message("m-later").has_value(); }));
}

TEST_F(pg_writer, close_commits_everything_queued_then_rejects_new_work) {
    write_and_wait(db(), [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"u1"})); });
    countdown done(50);
    for (int i = 0; i < 50; ++i)
        db().submit([](transaction& tx) { auto m = make_message("c1", "u1", "x"); append(tx, m); }, done.expect());
    db().close();
    ASSERT_TRUE(done.wait());
    EXPECT_EQ(done.failures(), 0);
    std::exception_ptr late;
    db().submit([](transaction&) {}, [&](std::exception_ptr e) { late = e; });
    EXPECT_TRUE(holds<unavailable>(late));
    EXPECT_FALSE(db().healthy());
}

TEST(pg_writer_open, an_unreachable_server_fails_to_open_with_unavailable) {
    EXPECT_THROW(open_store(postgres_config("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")), unavailable);
}

// Two nodes on one database: 1,000 appends into one conversation, submitted concurrently from
// both, get seq 1..1000 exactly once; and a clientMessageId sent through both is stored once.
TEST_F(pg_writer, two_nodes_appending_one_conversation_get_gap_free_seqs_and_one_copy_per_client_id) {
    write_and_wait(db(), [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"u1", "u2"})); });
    auto node_b = open_store(postgres_config(pg_.url()));
    constexpr int per_node = 500;
    countdown done(2 * per_node);
    std::mutex seqs_mutex;
    std::vector<std::int64_t> seqs;
    auto send = [&](database& node, const std::string& sender, int i) {
        node.submit(
            [&, sender, i](transaction& tx) {
                auto m = make_message("c1", sender, "n" + std::to_string(i), 2000, sender + "-" + std::to_string(i));
                const auto seq = append(tx, m);
                std::lock_guard lock(seqs_mutex);
                seqs.push_back(seq);
            },
            done.expect());
    };
    std::thread a([&] { for (int i = 0; i < per_node; ++i) send(db(), "u1", i); });
    std::thread b([&] { for (int i = 0; i < per_node; ++i) send(*node_b, "u2", i); });
    a.join();
    b.join();
    ASSERT_TRUE(done.wait());
    EXPECT_EQ(done.failures(), 0);
    const auto stored = read_value(db(), [](reader& r) {
        return r.list_messages("c1", message_query{.after_seq = 0, .limit = 5000});
    });
    ASSERT_EQ(stored.size(), 2u * per_node);
    for (std::size_t i = 0; i < stored.size(); ++i) ASSERT_EQ(stored[i].seq, static_cast<std::int64_t>(i) + 1);
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.find_conversation("c1")->last_seq; }), 2 * per_node);

    // The same clientMessageId through both nodes at once.
    std::atomic<int> stored_count{0};
    std::atomic<int> duplicates{0};
    countdown twice(2);
    auto send_same = [&](database& node, std::string id) {
        node.submit(
            [&, id](transaction& tx) {
                auto m = make_message("c1", "u1", "retry", 3000, id);
                m.client_message_id = "same";
                try {
                    append(tx, m);
                    ++stored_count;
                } catch (const duplicate_client_message&) {
                    ++duplicates;
                }
            },
            twice.expect());
    };
    std::thread x([&] { send_same(db(), "dup-a"); });
    std::thread y([&] { send_same(*node_b, "dup-b"); });
    x.join();
    y.join();
    ASSERT_TRUE(twice.wait());
    EXPECT_EQ(stored_count.load(), 1);
    EXPECT_EQ(duplicates.load(), 1);
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.find_conversation("c1")->last_seq; }), 2 * per_node + 1);
    node_b->close();
}

// The race append_new_message cannot see coming: node B has stored the clientMessageId but not
// committed when node A's statement starts, so A's look-up finds nothing; A waits for B's lock on
// the conversation's counters, its insert is refused, and it gives back the seq and change seq
// it took, leaving updated_at as B committed it.
TEST_F(pg_writer, a_retry_stored_by_another_node_meanwhile_gives_back_its_seqs) {
    write_and_wait(db(), [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"u1"})); });
    const auto before = read_value(db(), [](reader& r) { return *r.find_conversation("c1"); });
    auto node_b = open_store(postgres_config(pg_.url()));
    std::promise<void> b_stored;
    std::promise<void> release_b;
    auto released = release_b.get_future().share();
    countdown done(2);
    node_b->submit(
        [&, released](transaction& tx) {
            auto m = make_message("c1", "u1", "first", 3000, "b1");
            m.client_message_id = "same";
            tx.append_new_message(m);
            b_stored.set_value();
            released.wait();  // holds the counters row, uncommitted
        },
        done.expect());
    b_stored.get_future().wait();
    bool refused = false;
    message next;
    db().submit(
        [&](transaction& tx) {
            auto retry = make_message("c1", "u1", "again", 9000, "a1");
            retry.client_message_id = "same";
            try {
                tx.append_new_message(retry);
            } catch (const duplicate_client_message&) {
                refused = true;
            }
            next = make_message("c1", "u1", "next", 2000, "a2");
            tx.append_new_message(next);
        },
        done.expect());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // A is waiting for B's lock
    release_b.set_value();
    ASSERT_TRUE(done.wait());
    EXPECT_EQ(done.failures(), 0);
    EXPECT_TRUE(refused);
    EXPECT_EQ(next.seq, 2) << "the refused retry gave its seq back";
    EXPECT_EQ(next.change_seq, before.last_change_seq + 2) << "and its change seq";
    const auto after = read_value(db(), [](reader& r) { return *r.find_conversation("c1"); });
    EXPECT_EQ(after.last_seq, 2);
    EXPECT_EQ(after.last_change_seq, before.last_change_seq + 2);
    EXPECT_EQ(after.updated_at, 3000) << "B's message dates the conversation, not the retry at 9000";
    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.find_message("a1"); }).has_value());
    node_b->close();
}

// Two nodes lock two conversations in opposite orders: PostgreSQL picks one batch as the
// deadlock's victim, and its writer runs the work again instead of failing it.
TEST_F(pg_writer, a_deadlock_between_nodes_is_retried_and_both_writes_succeed) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("cx", {"u1"}));
        tx.insert_conversation(make_conversation("cy", {"u1"}));
    });
    auto node_b = open_store(postgres_config(pg_.url()));
    std::atomic<int> runs{0};
    auto cross = [&](const std::string& first, const std::string& second) {
        return [&runs, first, second](transaction& tx) {
            ++runs;
            tx.next_change_seq(first);
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            tx.next_change_seq(second);
        };
    };
    countdown done(2);
    std::exception_ptr a_error;
    std::exception_ptr b_error;
    db().submit(cross("cx", "cy"), done.expect(&a_error));
    node_b->submit(cross("cy", "cx"), done.expect(&b_error));
    ASSERT_TRUE(done.wait());
    EXPECT_EQ(a_error, nullptr);
    EXPECT_EQ(b_error, nullptr);
    // The victim runs again: 3 runs. A CI rehearsal on a heavily loaded machine once counted 4
    // (a second conflict; which batch met it was not recorded), and each writer may re-run a
    // conflicting work up to 8 times. What counts is that no write failed and that each
    // conversation moved exactly once per write (below).
    EXPECT_GE(runs.load(), 3) << "the victim ran again";
    EXPECT_LE(runs.load(), 5) << "without re-running for ever";
    const auto x = read_value(db(), [](reader& r) { return r.find_conversation("cx")->last_change_seq; });
    const auto y = read_value(db(), [](reader& r) { return r.find_conversation("cy")->last_change_seq; });
    EXPECT_EQ(x, 2);
    EXPECT_EQ(y, 2);
    node_b->close();
}

}  // namespace
}  // namespace writeen::store::testing
