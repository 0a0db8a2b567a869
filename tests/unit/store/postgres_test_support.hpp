#pragma once
// Helpers for the PostgreSQL store tests: a fresh database per test on the test server named by
// WRITEEN_TEST_POSTGRES_URL (scripts/test-servers/postgres.sh; scripts/test.sh exports it), and
// dropped afterwards. Without that variable the tests fail: a test that skips when its server is
// missing would pass unnoticed under make test.

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "store/store_factory.hpp"

namespace writeen::store::testing {

/// The test server's URL; fails the test when it is not set.
inline std::string test_postgres_url() {
    const char* url = std::getenv("WRITEEN_TEST_POSTGRES_URL");
    if (!url || !*url) {
        ADD_FAILURE() << "WRITEEN_TEST_POSTGRES_URL is not set: start scripts/test-servers/postgres.sh "
                         "(scripts/test.sh does) and export what it prints";
        return {};
    }
    return url;
}

/// url with its database name replaced (postgresql://user@host:port/NAME[?...]).
inline std::string with_database(const std::string& url, const std::string& name) {
    const auto scheme = url.find("://");
    const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    const auto query = url.find('?');
    const std::string base = slash == std::string::npos ? url.substr(0, query) : url.substr(0, slash);
    const std::string rest = query == std::string::npos ? std::string{} : url.substr(query);
    return base + "/" + name + rest;
}

/// Runs one statement on the server's maintenance database (CREATE/DROP DATABASE).
inline void run_admin(const std::string& url, const std::string& sql) {
    PGconn* conn = PQconnectdb(url.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string why = PQerrorMessage(conn);
        PQfinish(conn);
        throw std::runtime_error("cannot connect to the test PostgreSQL: " + why);
    }
    PGresult* r = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    std::string why = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(conn);
    if (!ok) throw std::runtime_error(sql + ": " + why);
}

/// A database of its own on the test server, dropped with this object.
class postgres_test_database {
  public:
    postgres_test_database() : admin_url_(test_postgres_url()) {
        if (admin_url_.empty()) return;
        std::random_device rd;
        name_ = "writeen_unit_" + std::to_string(rd()) + "_" + std::to_string(rd());
        run_admin(admin_url_, "CREATE DATABASE " + name_);
        url_ = with_database(admin_url_, name_);
    }
    ~postgres_test_database() {
        if (name_.empty()) return;
        try {
            run_admin(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
        } catch (const std::exception&) {
            // A leftover database on a throw-away test server harms nothing.
        }
    }
    postgres_test_database(const postgres_test_database&) = delete;
    postgres_test_database& operator=(const postgres_test_database&) = delete;

    const std::string& url() const { return url_; }
    bool ready() const { return !url_.empty(); }

  private:
    std::string admin_url_;
    std::string name_;
    std::string url_;
};

inline store_config postgres_config(const std::string& url, int read_connections = 2) {
    store_config c;
    c.engine = "postgres";
    c.postgres_url = url;
    c.read_connections = read_connections;
    return c;
}

/// A PostgreSQL store in a fresh database, for tests that need one.
class postgres_store_test : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(pg_.ready());
        db_ = open_store(postgres_config(pg_.url()));
    }
    void TearDown() override {
        if (db_) db_->close();
        db_.reset();
    }
    database& db() { return *db_; }

    postgres_test_database pg_;
    std::unique_ptr<database> db_;
};

}  // namespace writeen::store::testing
