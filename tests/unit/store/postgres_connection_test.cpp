// The libpq wrapper against a real PostgreSQL: parameters and rows round-trip, and each kind of
// failure becomes the exception the store's callers expect.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "postgres_test_support.hpp"
#include "store/postgres/pg_connection.hpp"

namespace writeen::store::testing {
namespace {

using postgres::connection;
using postgres::constraint_violation;
using postgres::params;
using postgres::transaction_conflict;

class pg_connection : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(pg_.ready()); }
    postgres_test_database pg_;
};

constexpr const char* sql_echo = "SELECT $1::bigint, $2::text, $3::boolean, $4::bigint, $5::text";

TEST_F(pg_connection, parameters_and_columns_round_trip_with_nulls_and_utf8) {
    connection db(pg_.url());
    const auto r = db.query(sql_echo, params{}
                                          .add(std::int64_t{-9007199254740993})
                                          .add(std::string{"révisi 📚 'quoted' \\ back"})
                                          .add(true)
                                          .add(std::optional<std::int64_t>{})
                                          .add_null());
    ASSERT_EQ(r.rows(), 1);
    EXPECT_EQ(r.int_at(0, 0), -9007199254740993);
    EXPECT_EQ(r.text_at(0, 1), "révisi 📚 'quoted' \\ back");
    EXPECT_TRUE(r.bool_at(0, 2));
    EXPECT_TRUE(r.is_null(0, 3));
    EXPECT_EQ(r.optional_int_at(0, 3), std::nullopt);
    EXPECT_EQ(r.text_at(0, 4), "");
    // The statement was prepared on first use; running it again reuses it.
    EXPECT_EQ(db.query(sql_echo, params{}.add(1).add("a").add(false).add(2).add("b")).int_at(0, 3), 2);
}

constexpr const char* sql_create = "CREATE TABLE t (id bigint PRIMARY KEY, v bigint CHECK (v >= 0))";
constexpr const char* sql_insert = "INSERT INTO t (id, v) VALUES ($1, $2)";
constexpr const char* sql_count = "SELECT count(*) FROM t";

TEST_F(pg_connection, a_unique_violation_names_its_constraint_and_a_check_is_a_constraint_too) {
    connection db(pg_.url());
    db.exec(sql_create, "create");
    db.query(sql_insert, params{}.add(1).add(1));
    try {
        db.query(sql_insert, params{}.add(1).add(2));
        FAIL() << "duplicate key accepted";
    } catch (const constraint_violation& e) {
        EXPECT_TRUE(e.unique());
        EXPECT_EQ(e.constraint(), "t_pkey");
    }
    try {
        db.query(sql_insert, params{}.add(2).add(-1));
        FAIL() << "check not enforced";
    } catch (const constraint_violation& e) {
        EXPECT_FALSE(e.unique());
        EXPECT_EQ(e.sqlstate(), "23514");
    }
    EXPECT_EQ(db.query(sql_count).affected(), 1);  // SELECT reports its row count
    EXPECT_EQ(db.query(sql_count).int_at(0, 0), 1);
}

TEST_F(pg_connection, bad_input_is_invalid_argument_and_a_dead_server_is_unavailable) {
    connection db(pg_.url());
    EXPECT_THROW(db.query(sql_echo, params{}.add("not a number").add("").add(true).add(1).add("")),
                 std::invalid_argument);
    EXPECT_THROW(connection{"postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"}, unavailable);
}

TEST_F(pg_connection, a_deadlock_is_a_transaction_conflict) {
    connection a(pg_.url());
    connection b(pg_.url());
    a.exec(sql_create, "create");
    a.exec("INSERT INTO t VALUES (1, 0), (2, 0)", "seed");
    a.exec("SET deadlock_timeout = '100ms'", "fast detection");
    b.exec("SET deadlock_timeout = '100ms'", "fast detection");
    a.exec("BEGIN; UPDATE t SET v = 1 WHERE id = 1", "a locks 1");
    b.exec("BEGIN; UPDATE t SET v = 1 WHERE id = 2", "b locks 2");
    // a waits for 2 on a thread; b then waits for 1: one of them is chosen as the victim.
    std::exception_ptr a_error;
    std::thread waiter([&] {
        try {
            a.exec("UPDATE t SET v = 2 WHERE id = 2", "a wants 2");
        } catch (...) {
            a_error = std::current_exception();
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::exception_ptr b_error;
    try {
        b.exec("UPDATE t SET v = 2 WHERE id = 1", "b wants 1");
    } catch (...) {
        b_error = std::current_exception();
    }
    if (!b_error) b.exec("ROLLBACK", "end b");  // a was the victim; let it finish
    waiter.join();
    ASSERT_NE(a_error == nullptr, b_error == nullptr) << "exactly one victim";
    EXPECT_THROW(std::rethrow_exception(a_error ? a_error : b_error), transaction_conflict);
}

TEST_F(pg_connection, a_lost_connection_is_unavailable_and_reconnect_brings_it_back) {
    connection db(pg_.url());
    connection killer(pg_.url());
    const auto pid = db.query("SELECT pg_backend_pid()").int_at(0, 0);
    killer.query("SELECT pg_terminate_backend($1::int)", params{}.add(pid));
    EXPECT_THROW(db.query("SELECT 1"), unavailable);
    EXPECT_FALSE(db.ok());
    db.reconnect();
    EXPECT_TRUE(db.ok());
    EXPECT_EQ(db.query("SELECT 1").int_at(0, 0), 1);
}

TEST_F(pg_connection, a_deferred_begin_runs_ahead_of_the_next_statement_and_its_failures_are_the_statements) {
    connection db(pg_.url());
    db.exec(sql_create, "create");
    db.defer("BEGIN");
    EXPECT_TRUE(db.in_transaction()) << "begun, though nothing has gone to the server yet";
    db.query(sql_insert, params{}.add(1).add(1));  // first use: BEGIN, PREPARE and EXECUTE at once
    EXPECT_TRUE(db.in_transaction());
    db.query(sql_insert, params{}.add(2).add(2));
    db.exec("ROLLBACK", "roll back");
    EXPECT_EQ(db.query(sql_count).int_at(0, 0), 0) << "both inserts were inside the deferred BEGIN's transaction";

    // The prepared statement is reused inside a pipeline, and a failing statement there throws
    // as it would alone and leaves the transaction failed.
    db.defer("BEGIN");
    db.query(sql_insert, params{}.add(1).add(1));
    db.exec("COMMIT", "commit");
    db.defer("BEGIN");
    EXPECT_THROW(db.query(sql_insert, params{}.add(1).add(5)), constraint_violation);
    EXPECT_TRUE(db.ok());
    EXPECT_TRUE(db.transaction_failed());
    EXPECT_FALSE(db.lost_at_deferred());
    db.exec("ROLLBACK", "roll back");
    EXPECT_EQ(db.query(sql_count).int_at(0, 0), 1);

    // A transaction that never sent a statement is discarded without a round trip.
    db.defer("BEGIN");
    EXPECT_TRUE(db.discard_deferred());
    EXPECT_FALSE(db.in_transaction());
    EXPECT_FALSE(db.discard_deferred());
    // exec and dynamic statements run the deferred BEGIN first.
    db.defer("BEGIN");
    db.query_dynamic("INSERT INTO t (id, v) VALUES (7, 7)");
    EXPECT_TRUE(db.in_transaction());
    db.exec("ROLLBACK", "roll back");
    EXPECT_EQ(db.query(sql_count).int_at(0, 0), 1);
}

TEST_F(pg_connection, a_connection_found_lost_by_a_deferred_begin_says_so_until_the_reconnect) {
    connection db(pg_.url());
    connection killer(pg_.url());
    const auto pid = db.query("SELECT pg_backend_pid()").int_at(0, 0);
    killer.query("SELECT pg_terminate_backend($1::int)", params{}.add(pid));
    db.defer("BEGIN");
    EXPECT_THROW(db.query("SELECT 1"), unavailable);
    EXPECT_FALSE(db.ok());
    EXPECT_TRUE(db.lost_at_deferred()) << "nothing of the transaction ran: it may run again";
    EXPECT_TRUE(db.last_error() != nullptr);
    db.reconnect();
    EXPECT_FALSE(db.lost_at_deferred());
    EXPECT_FALSE(db.in_transaction());
    db.defer("BEGIN");
    EXPECT_EQ(db.query("SELECT 1").int_at(0, 0), 1);
    db.exec("COMMIT", "commit");
}

}  // namespace
}  // namespace writeen::store::testing
