#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/sqlite/sqlite_database.hpp"
#include "store_test_support.hpp"

namespace writeen::store::testing {
namespace {

// Holds the writer inside a work so that what is submitted meanwhile queues up; when released,
// the queued works join the gate's batch (up to max_batch), exactly.
class writer_gate {
  public:
    void hold(database& db) {
        db.submit(
            [this](transaction&) {
                started_.set_value();
                release_future_.wait();
            },
            nullptr);
        started_.get_future().wait();
    }
    void release() { released_.set_value(); }

  private:
    std::promise<void> started_;
    std::promise<void> released_;
    std::shared_future<void> release_future_ = released_.get_future().share();
};

// Collects the completions of works submitted without waiting, in the order they are called.
class completions {
  public:
    write_done expect(std::string label) {
        std::lock_guard lock(mutex_);
        ++pending_;
        return [this, label = std::move(label)](std::exception_ptr error) {
            std::lock_guard inner(mutex_);
            order_.push_back(label);
            errors_[label] = error;
            if (--pending_ == 0) all_.notify_all();
        };
    }
    void wait() {
        std::unique_lock lock(mutex_);
        ASSERT_TRUE(all_.wait_for(lock, std::chrono::seconds(30), [this] { return pending_ == 0; }));
    }
    std::exception_ptr error_of(const std::string& label) {
        std::lock_guard lock(mutex_);
        return errors_.at(label);
    }
    std::vector<std::string> order() {
        std::lock_guard lock(mutex_);
        return order_;
    }

  private:
    std::mutex mutex_;
    std::condition_variable all_;
    int pending_ = 0;                                   // guarded by mutex_
    std::vector<std::string> order_;                    // guarded by mutex_
    std::map<std::string, std::exception_ptr> errors_;  // guarded by mutex_
};

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

using sqlite_writer = sqlite_store_test;

TEST_F(sqlite_writer, seq_is_gap_free_and_increasing_under_concurrent_submits_from_four_threads) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });

    constexpr int thread_count = 4;
    constexpr int per_thread = 500;
    std::vector<std::vector<std::int64_t>> seqs(thread_count);  // each written by the writer thread only
    std::atomic<int> remaining{thread_count * per_thread};
    std::promise<void> all_done;

    std::vector<std::thread> senders;
    for (int t = 0; t < thread_count; ++t) {
        senders.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                auto seq = std::make_shared<std::int64_t>(0);
                db().submit(
                    [seq, t, i](transaction& tx) {
                        auto m = make_message("c1", "a", "pesan", 2000,
                                              "t" + std::to_string(t) + "-" + std::to_string(i));
                        m.client_message_id = m.id;
                        *seq = append(tx, m);
                    },
                    [&, seq, t](const std::exception_ptr& error) {
                        EXPECT_FALSE(error);
                        seqs[t].push_back(*seq);
                        if (--remaining == 0) all_done.set_value();
                    });
            }
        });
    }
    for (auto& s : senders) s.join();
    all_done.get_future().wait();

    std::set<std::int64_t> all;
    for (const auto& per : seqs) {
        EXPECT_TRUE(std::is_sorted(per.begin(), per.end())) << "a thread's works commit in submission order";
        all.insert(per.begin(), per.end());
    }
    ASSERT_EQ(all.size(), static_cast<std::size_t>(thread_count * per_thread));
    EXPECT_EQ(*all.begin(), 1);
    EXPECT_EQ(*all.rbegin(), thread_count * per_thread);

    const auto c = read_value(db(), [](reader& r) { return r.find_conversation("c1"); });
    EXPECT_EQ(c->last_seq, thread_count * per_thread);
    const auto stats = db().stats();
    EXPECT_EQ(stats.writes, static_cast<std::uint64_t>(thread_count * per_thread + 1));
    EXPECT_LT(stats.batches, stats.writes) << "concurrent works share commits";
}

TEST_F(sqlite_writer,
       retried_client_message_id_is_rejected_as_duplicate_while_the_rest_of_the_batch_commits) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });
    const auto batches_before = db().stats().batches;

    writer_gate gate;
    gate.hold(db());
    completions done;
    auto send = [](std::string id, std::string client_id) {
        return [id = std::move(id), client_id = std::move(client_id)](transaction& tx) {
            auto m = make_message("c1", "a", "halo", 2000, id);
            m.client_message_id = client_id;
            append(tx, m);
        };
    };
    db().submit(send("m1", "client-1"), done.expect("first"));
    db().submit(send("m2", "client-1"), done.expect("retry"));
    db().submit(send("m3", "client-2"), done.expect("other"));
    gate.release();
    done.wait();

    EXPECT_FALSE(done.error_of("first"));
    EXPECT_TRUE(holds<duplicate_client_message>(done.error_of("retry")));
    EXPECT_FALSE(done.error_of("other"));
    EXPECT_EQ(db().stats().batches, batches_before + 1) << "queued behind the gate, the three join its batch";

    const auto stored =
        read_value(db(), [](reader& r) { return r.find_message_by_client_id("a", "client-1"); });
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->id, "m1");
    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.find_message("m2"); }).has_value());
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.find_message("m3"); })->seq, 2) << "no gap";
}

TEST_F(sqlite_writer, a_throwing_work_is_rolled_back_alone_and_its_seq_is_reused) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });

    writer_gate gate;
    gate.hold(db());
    completions done;
    db().submit(
        [](transaction& tx) {
            auto m = make_message("c1", "a", "satu", 2000, "m1");
            append(tx, m);
        },
        done.expect("before"));
    db().submit(
        [](transaction& tx) {
            auto m = make_message("c1", "a", "dua", 2000, "m2");
            append(tx, m);
            throw std::runtime_error("boom");
        },
        done.expect("throws"));
    db().submit(
        [](transaction& tx) {
            auto m = make_message("c1", "a", "tiga", 2000, "m3");
            append(tx, m);
        },
        done.expect("after"));
    gate.release();
    done.wait();

    EXPECT_FALSE(done.error_of("before"));
    EXPECT_TRUE(holds<std::runtime_error>(done.error_of("throws")));
    EXPECT_FALSE(done.error_of("after"));
    EXPECT_EQ(done.order(), (std::vector<std::string>{"before", "throws", "after"}));

    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.find_message("m2"); }).has_value());
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.find_message("m1"); })->seq, 1);
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.find_message("m3"); })->seq, 2);
    const auto c = read_value(db(), [](reader& r) { return r.find_conversation("c1"); });
    EXPECT_EQ(c->last_seq, 2);
    EXPECT_EQ(c->last_change_seq, 2) << "the thrown work's change seq is rolled back too";
}

// Stores a message and reports whether its completion, reading at once, already finds it.
bool completion_sees_its_row(database& db) {
    write_and_wait(db, [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"a", "b"})); });
    std::promise<bool> visible;
    db.submit(
        [](transaction& tx) {
            auto m = make_message("c1", "a", "halo", 2000, "m1");
            append(tx, m);
        },
        [&](const std::exception_ptr& error) {
            EXPECT_FALSE(error);
            bool found = false;
            db.read([&](reader& r) { found = r.find_message("m1").has_value(); });
            visible.set_value(found);
        });
    return visible.get_future().get();
}

TEST_F(sqlite_writer, done_is_called_after_the_commit_so_a_reader_already_sees_the_row) {
    EXPECT_TRUE(completion_sees_its_row(db()));
}

TEST_F(sqlite_writer, readers_do_not_see_a_batch_before_it_commits) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });

    writer_gate gate;
    gate.hold(db());
    completions done;
    bool seen_by_reader = true;
    bool seen_by_writer = false;
    db().submit(
        [](transaction& tx) {
            auto m = make_message("c1", "a", "halo", 2000, "m1");
            append(tx, m);
        },
        done.expect("append"));
    db().submit(
        [&](transaction& tx) {
            seen_by_writer = tx.find_message("m1").has_value();
            db().read([&](reader& r) { seen_by_reader = r.find_message("m1").has_value(); });
        },
        done.expect("look"));
    gate.release();
    done.wait();

    EXPECT_TRUE(seen_by_writer) << "later works of a batch see the earlier ones";
    EXPECT_FALSE(seen_by_reader) << "nothing is visible outside before the commit";
}

TEST_F(sqlite_writer, batches_hold_at_most_max_batch_works) {
    db_->close();
    auto options = options_in(dir_);
    options.max_batch = 3;
    db_ = open_store(options);
    const auto before = db().stats().batches;

    writer_gate gate;
    gate.hold(db());
    completions done;
    for (int i = 0; i < 10; ++i) db().submit([](transaction&) {}, done.expect(std::to_string(i)));
    gate.release();
    done.wait();
    EXPECT_EQ(db().stats().batches, before + 4) << "the gate and two works, then 3 + 3 + 2";
}

TEST_F(sqlite_writer, close_commits_everything_queued_then_rejects_new_work) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });

    writer_gate gate;
    gate.hold(db());
    completions done;
    for (int i = 0; i < 100; ++i) {
        db().submit(
            [i](transaction& tx) {
                auto m = make_message("c1", "a", "pesan", 2000, "m" + std::to_string(i));
                append(tx, m);
            },
            done.expect(std::to_string(i)));
    }
    std::thread closer([&] { db().close(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // close() is waiting now, or soon
    gate.release();
    closer.join();
    done.wait();
    for (int i = 0; i < 100; ++i) EXPECT_FALSE(done.error_of(std::to_string(i)));

    std::exception_ptr late;
    bool called = false;
    db().submit([](transaction&) {},
                [&](const std::exception_ptr& error) {
                    called = true;
                    late = error;
                });
    EXPECT_TRUE(called) << "a rejected work completes at once";
    EXPECT_TRUE(holds<unavailable>(late));
    EXPECT_FALSE(db().healthy());
    db().close();  // idempotent

    db_ = open_store(options_in(dir_));
    const auto c = read_value(db(), [](reader& r) { return r.find_conversation("c1"); });
    EXPECT_EQ(c->last_seq, 100);
}

TEST_F(sqlite_writer, healthy_answers_true_while_open) { EXPECT_TRUE(db().healthy()); }

TEST_F(sqlite_writer, without_synchronous_full_completions_still_follow_the_commit) {
    db_->close();
    auto options = options_in(dir_);
    options.synchronous_full = false;
    db_ = open_store(options);
    EXPECT_TRUE(completion_sees_its_row(db()));
}

TEST_F(sqlite_writer, close_called_from_a_completion_returns_and_the_rest_still_completes) {
    completions done;
    std::promise<void> closed;
    db().submit([](transaction&) {},
                [&](const std::exception_ptr&) {
                    db().close();
                    closed.set_value();
                });
    db().submit([](transaction&) {}, done.expect("queued before close"));
    closed.get_future().wait();
    done.wait();
    EXPECT_FALSE(done.error_of("queued before close"));
    // TearDown's close() joins the threads.
}

TEST_F(sqlite_writer, the_wal_is_copied_back_into_the_database_file_in_the_background) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });
    const auto db_file = dir_.path() / "chat.db";
    const auto size_before = std::filesystem::file_size(db_file);

    // About 24 MiB of text: several thousand WAL frames, past the checkpoint threshold.
    const std::string text(3000, 'x');
    for (int batch = 0; batch < 8; ++batch) {
        write_and_wait(db(), [&](transaction& tx) {
            for (int i = 0; i < 1000; ++i) {
                auto m = make_message("c1", "a", text);
                m.search_text.clear();
                append(tx, m);
            }
        });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::filesystem::file_size(db_file) < size_before + 8 * 1024 * 1024 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_GE(std::filesystem::file_size(db_file), size_before + 8 * 1024 * 1024)
        << "no commit checkpoints by itself, so only the background checkpointer can grow the file";
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.find_conversation("c1"); })->last_seq, 8000);
}

TEST_F(sqlite_writer, an_exception_inside_read_propagates_and_the_connection_is_reusable) {
    db_->close();
    auto options = options_in(dir_);
    options.read_connections = 1;
    db_ = open_store(options);
    EXPECT_THROW(db().read([](reader&) { throw std::logic_error("reader failed"); }), std::logic_error);
    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.find_conversation("none"); }).has_value());
}

TEST_F(sqlite_writer, a_write_that_breaks_the_schema_fails_with_invalid_argument_alone) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });
    EXPECT_THROW(
        write_and_wait(db(), [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"a"})); }),
        std::invalid_argument);
    EXPECT_THROW(write_and_wait(db(),
                                [](transaction& tx) {
                                    auto m = make_message("missing", "a", "x");
                                    append(tx, m);
                                }),
                 std::invalid_argument);
    EXPECT_NO_THROW(write_and_wait(db(), [](transaction& tx) {
        auto m = make_message("c1", "a", "x");
        append(tx, m);
    }));
}

TEST_F(sqlite_writer, an_idle_database_commits_at_once_and_a_busy_one_leaves_the_commit_interval_between_commits) {
    db_->close();
    auto options = options_in(dir_);
    options.commit_interval = std::chrono::milliseconds(1000);
    db_ = open_store(options);
    using clock = std::chrono::steady_clock;

    // Nothing was committed for a while: the first write does not wait for the interval.
    const auto first_start = clock::now();
    write_and_wait(db(), [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"a", "b"})); });
    const auto first_done = clock::now();
    EXPECT_LT(first_done - first_start, std::chrono::milliseconds(900));

    // Right after a commit the next one waits for the rest of the interval; works queued meanwhile
    // share it.
    const auto batches_before = db().stats().batches;
    completions done;
    for (int i = 0; i < 5; ++i) db().submit([](transaction&) {}, done.expect(std::to_string(i)));
    done.wait();
    EXPECT_GE(clock::now() - first_done, std::chrono::milliseconds(900));
    EXPECT_EQ(db().stats().batches, batches_before + 1) << "the five works shared one commit";
}

TEST_F(sqlite_writer, a_completion_runner_gets_each_batch_once_and_runs_its_completions_in_order) {
    std::mutex mutex;
    std::vector<std::function<void()>> handed;
    db().run_completions_on([&](std::function<void()> batch) {
        std::lock_guard lock(mutex);
        handed.push_back(std::move(batch));
    });
    writer_gate gate;
    gate.hold(db());
    std::vector<int> order;
    for (int i = 0; i < 4; ++i)
        db().submit([](transaction&) {}, [&order, i](const std::exception_ptr& error) {
            EXPECT_FALSE(error);
            order.push_back(i);
        });
    gate.release();
    // The gate and the four works queued behind it share one batch: one call of the runner.
    for (int tries = 0; tries < 3000; ++tries) {
        {
            std::lock_guard lock(mutex);
            if (!handed.empty()) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // room for a wrong second call
    std::vector<std::function<void()>> batches;
    {
        std::lock_guard lock(mutex);
        batches = handed;
    }
    ASSERT_EQ(batches.size(), 1u);
    EXPECT_TRUE(order.empty()) << "completions wait for the runner";
    for (auto& batch : batches) batch();
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
    db().run_completions_on(nullptr);
}

}  // namespace
}  // namespace writeen::store::testing
