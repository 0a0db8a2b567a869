// The notifier's cursor over the message log on PostgreSQL (docs/NOTIFICATIONS.md, "The cursor on
// PostgreSQL"): row ids come from a sequence and commit out of order, so the cursor must never
// pass a message whose transaction is still running. And the once-per-cluster lease the notifier
// and retention ask for.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <string>
#include <string_view>
#include <vector>

#include "postgres_test_support.hpp"
#include "store/postgres/cluster_lease.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_migrations.hpp"
#include "store/postgres/postgres_queries.hpp"
#include "store/postgres/postgres_rows.hpp"

namespace writeen::store::postgres {
namespace {

using testing::postgres_test_database;

constexpr const char* sql_insert_message =
    "INSERT INTO messages (id, conversation_id, seq, sender_id, type, search_text, created_at, updated_at) "
    "VALUES ($1, 'c1', $2, 'alice', 'text', $1, 1000, 1000) RETURNING row_id";

class postgres_notify_cursor : public ::testing::Test {
  protected:
    void SetUp() override {
        database_ = std::make_unique<postgres_test_database>();
        ASSERT_TRUE(database_->ready());
        connection setup{database_->url()};
        apply_migrations(setup, 1000);
        setup.exec("INSERT INTO conversations (id, type, created_at) VALUES ('c1', 'group', 1000);"
                   "INSERT INTO conversation_counters (conversation_id, updated_at) VALUES ('c1', 1000)",
                   "a conversation");
    }

    /// Opens a connection to the test database.
    std::unique_ptr<connection> connect() const { return std::make_unique<connection>(database_->url()); }

    /// What the planner does in one round: read the log after the stored cursor on a read-only
    /// snapshot (as the read pool does), then store the new cursor in a write transaction.
    std::vector<std::string> plan_round(connection& db) {
        postgres_queries q{db};
        db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "read");
        const auto logged = q.logged_messages_after(q.notify_cursor(), no_bound, 100);
        db.exec("COMMIT", "read");
        std::vector<std::string> ids;
        for (const auto& row : logged) ids.push_back(row.m.id);
        if (!logged.empty()) {
            db.exec("BEGIN", "write");
            q.set_notify_cursor(logged.back().row_id);
            db.exec("COMMIT", "write");
        }
        return ids;
    }

    /// Rounds until `count` messages were planned in all, or two seconds passed. The horizon is
    /// server-wide: a transaction of another database on the test server (another test's
    /// server) holds it back for a moment, which delays a round but never reorders one.
    std::vector<std::string> plan_until(connection& db, std::size_t count) {
        std::vector<std::string> planned;
        for (int i = 0; i < 200 && planned.size() < count; ++i) {
            for (auto& id : plan_round(db)) planned.push_back(std::move(id));
            if (planned.size() < count) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return planned;
    }

    std::int64_t insert(connection& db, const std::string& id, std::int64_t seq) {
        return db.query(sql_insert_message, params{}.add(id).add(seq)).int_at(0, 0);
    }

    std::unique_ptr<postgres_test_database> database_;
};

TEST_F(postgres_notify_cursor, a_lower_row_id_committed_after_a_higher_one_is_still_planned) {
    auto planner = connect();
    auto early = connect();
    auto late = connect();

    auto first = connect();
    insert(*first, "m0", 1);  // autocommit: planned by the first round
    EXPECT_EQ(plan_until(*planner, 1), std::vector<std::string>{"m0"});

    // `early` takes the lower row id and stays open; `late` takes the higher one and commits.
    early->exec("BEGIN", "early");
    const std::int64_t low = insert(*early, "m1", 2);
    late->exec("BEGIN", "late");
    const std::int64_t high = insert(*late, "m2", 3);
    late->exec("COMMIT", "late");
    ASSERT_LT(low, high);

    // A cursor by row_id would plan m2 now and pass m1 for ever. This one waits: m2's
    // transaction is not below the horizon while m1's is still running.
    EXPECT_EQ(plan_round(*planner), std::vector<std::string>{});

    early->exec("COMMIT", "early");
    EXPECT_EQ(plan_until(*planner, 2), (std::vector<std::string>{"m1", "m2"}));
    EXPECT_EQ(plan_round(*planner), std::vector<std::string>{}) << "nothing is planned twice";
}

TEST_F(postgres_notify_cursor, a_transaction_that_started_first_but_committed_last_is_planned_after_the_others) {
    auto planner = connect();
    auto slow = connect();
    auto fast = connect();

    // `slow` gets its transaction id first (it writes something else) and its row id last.
    slow->exec("BEGIN", "slow");
    slow->exec("INSERT INTO users (id) VALUES ('alice')", "slow");
    fast->exec("BEGIN", "fast");
    insert(*fast, "f1", 1);
    fast->exec("COMMIT", "fast");
    insert(*slow, "s1", 2);

    EXPECT_EQ(plan_round(*planner), std::vector<std::string>{}) << "the older transaction is still running";
    slow->exec("COMMIT", "slow");
    // Log order is transaction order: s1 (older transaction) before f1.
    EXPECT_EQ(plan_until(*planner, 2), (std::vector<std::string>{"s1", "f1"}));
    EXPECT_EQ(plan_round(*planner), std::vector<std::string>{});
}

TEST_F(postgres_notify_cursor, a_rolled_back_row_id_leaves_a_gap_that_does_not_stop_the_cursor) {
    auto planner = connect();
    auto writer = connect();
    writer->exec("BEGIN", "writer");
    insert(*writer, "gone", 1);
    writer->exec("ROLLBACK", "writer");
    insert(*writer, "kept", 1);
    EXPECT_EQ(plan_until(*planner, 1), std::vector<std::string>{"kept"});
}

TEST_F(postgres_notify_cursor, the_round_stops_before_the_first_message_not_yet_due) {
    auto writer = connect();
    writer->query(
        "INSERT INTO messages (id, conversation_id, seq, sender_id, type, created_at, updated_at) VALUES "
        "('due', 'c1', 1, 'alice', 'text', 1000, 1000), ('later', 'c1', 2, 'alice', 'text', 5000, 5000)");
    auto reader = connect();
    postgres_queries q{*reader};
    std::vector<logged_message> logged;
    for (int i = 0; i < 200 && logged.empty(); ++i) {  // see plan_until
        logged = q.logged_messages_after(q.notify_cursor(), 2000, 100);
        if (logged.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_EQ(logged[0].m.id, "due");
}

class postgres_cluster_lease : public postgres_notify_cursor {
  protected:
    /// A session that ended releases its locks a moment later (the server sees it go): asks
    /// again for up to two seconds.
    static bool eventually_holds(cluster_lease& node, std::string_view job) {
        for (int i = 0; i < 200; ++i) {
            if (node.holds(job)) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }
};

TEST_F(postgres_cluster_lease, one_node_holds_a_job_and_another_takes_it_over_when_it_goes) {
    auto node_a = std::make_unique<cluster_lease>(database_->url());
    cluster_lease node_b{database_->url()};
    EXPECT_TRUE(node_a->holds("notifier"));
    EXPECT_TRUE(node_a->holds("notifier")) << "held until the node goes";
    EXPECT_FALSE(node_b.holds("notifier"));
    EXPECT_TRUE(node_b.holds("retention")) << "each job is held on its own";
    EXPECT_FALSE(node_a->holds("retention"));

    node_a.reset();  // the node stops: its connection, and the lock, go with it
    EXPECT_TRUE(eventually_holds(node_b, "notifier"));
}

TEST_F(postgres_cluster_lease, a_node_whose_connection_was_killed_no_longer_holds_the_job) {
    cluster_lease node_a{database_->url()};
    cluster_lease node_b{database_->url()};
    ASSERT_TRUE(node_a.holds("notifier"));
    auto admin = connect();
    admin->query_dynamic(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
    EXPECT_TRUE(eventually_holds(node_b, "notifier")) << "the lock went with the killed session";
    EXPECT_FALSE(node_a.holds("notifier")) << "node A notices and stops running the job";
}

}  // namespace
}  // namespace writeen::store::postgres
