// The PostgreSQL engine when its server goes away and comes back: a server of its own
// (scripts/test-servers/postgres.sh), stopped and started again under the open database.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "postgres_test_support.hpp"
#include "store_test_support.hpp"

namespace writeen::store::testing {
namespace {

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

class own_postgres {
  public:
    own_postgres() : port_(free_port()) { start(); }
    ~own_postgres() {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_.path(), ignored);
    }
    void start() { run("start " + dir_.path().string() + " " + std::to_string(port_)); }
    void stop() { run("stop " + dir_.path().string()); }
    std::string url() const { return "postgresql://writeen@127.0.0.1:" + std::to_string(port_) + "/postgres"; }

  private:
    static void run(const std::string& args) {
        const std::string command =
            std::string{WRITEEN_SOURCE_DIR} + "/scripts/test-servers/postgres.sh " + args + " >/dev/null";
        ASSERT_EQ(std::system(command.c_str()), 0) << command;
    }
    temp_dir dir_;
    int port_;
};

template <typename Exception>
bool fails_with(database& db, write_work work) {
    try {
        write_and_wait(db, std::move(work));
    } catch (const Exception&) {
        return true;
    } catch (...) {
    }
    return false;
}

TEST(pg_outage, a_stopped_server_fails_writes_with_unavailable_and_the_store_recovers_by_itself) {
    own_postgres server;
    auto db = open_store(postgres_config(server.url()));
    write_and_wait(*db, [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"u1"})); });
    EXPECT_TRUE(db->healthy());

    server.stop();
    EXPECT_FALSE(db->healthy());
    EXPECT_TRUE(fails_with<unavailable>(*db, [](transaction& tx) {
        auto m = make_message("c1", "u1", "while down", 2000, "m-down");
        append(tx, m);
    }));
    EXPECT_THROW(db->read([](reader& r) { r.find_conversation("c1"); }), unavailable);

    server.start();
    // No restart of the store: the writer and the readers reconnect on their next use.
    EXPECT_TRUE(db->healthy());
    write_and_wait(*db, [](transaction& tx) {
        auto m = make_message("c1", "u1", "after", 2000, "m-after");
        EXPECT_EQ(append(tx, m), 1) << "the failed write left no seq behind";
    });
    EXPECT_FALSE(read_value(*db, [](reader& r) { return r.find_message("m-down").has_value(); }));
    EXPECT_TRUE(read_value(*db, [](reader& r) { return r.find_message("m-after").has_value(); }));
    db->close();
}

TEST(pg_outage, connections_killed_while_idle_are_replaced_without_failing_the_next_write_or_read) {
    postgres_test_database pg;
    ASSERT_TRUE(pg.ready());
    auto db = open_store(postgres_config(pg.url()));
    write_and_wait(*db, [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"u1"})); });
    run_admin(pg.url(),
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
              "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    write_and_wait(*db, [](transaction& tx) {
        auto m = make_message("c1", "u1", "after the kill", 2000, "m1");
        append(tx, m);
    });
    EXPECT_TRUE(read_value(*db, [](reader& r) { return r.find_message("m1").has_value(); }));
    EXPECT_TRUE(db->healthy());
    db->close();
}

}  // namespace
}  // namespace writeen::store::testing
