#include "bus/remote_presence.hpp"

#include <gtest/gtest.h>

namespace writeen::bus {
namespace {

using namespace std::chrono_literals;
const auto t0 = remote_presence::clock::time_point{} + 1h;

TEST(RemotePresence, AUserAnnouncedByAnotherNodeIsOnlineUntilWithdrawn) {
    remote_presence r(20s);
    EXPECT_FALSE(r.online("u", t0));
    r.announced("b", {"u", 100}, true, t0);
    EXPECT_TRUE(r.online("u", t0));
    EXPECT_EQ(r.last_activity("u", t0), 100);
    r.announced("c", {"u", 300}, true, t0);
    r.announced("b", {"u", 0}, false, t0);
    EXPECT_TRUE(r.online("u", t0));  // still on node c
    EXPECT_EQ(r.last_activity("u", t0), 300);
    r.announced("c", {"u", 0}, false, t0);
    EXPECT_FALSE(r.online("u", t0));
    EXPECT_EQ(r.last_activity("u", t0), 0);
    EXPECT_EQ(r.user_count(), 0u);  // nothing kept for a user who left
}

TEST(RemotePresence, ASnapshotReplacesWhatTheNodeSaidAndCarriesActivity) {
    remote_presence r(20s);
    r.announced("b", {"gone", 1}, true, t0);
    r.snapshot("b", {{"u", 500}, {"v", 0}}, t0 + 1s);
    EXPECT_FALSE(r.online("gone", t0 + 1s));
    EXPECT_TRUE(r.online("v", t0 + 1s));
    EXPECT_EQ(r.last_activity("u", t0 + 1s), 500);
    r.snapshot("b", {}, t0 + 2s);
    EXPECT_FALSE(r.online("u", t0 + 2s));
    EXPECT_EQ(r.user_count(), 0u);
}

TEST(RemotePresence, ANodeNotHeardForTheTtlCountsForNothing) {
    remote_presence r(20s);
    r.snapshot("b", {{"u", 500}}, t0);
    EXPECT_TRUE(r.online("u", t0 + 20s));
    EXPECT_FALSE(r.online("u", t0 + 21s));
    EXPECT_EQ(r.last_activity("u", t0 + 21s), 0);
    r.snapshot("b", {{"u", 600}}, t0 + 22s);  // it is back
    EXPECT_TRUE(r.online("u", t0 + 22s));
}

TEST(RemotePresence, ResetFromRedisReplacesEverythingAndKeepsKnownActivity) {
    remote_presence r(20s);
    r.snapshot("b", {{"u", 500}, {"x", 9}}, t0);
    r.snapshot("dead", {{"y", 9}}, t0);
    r.reset({{"b", {"u", "w"}}}, t0 + 1s);
    EXPECT_TRUE(r.online("u", t0 + 1s));
    EXPECT_TRUE(r.online("w", t0 + 1s));
    EXPECT_FALSE(r.online("x", t0 + 1s));
    EXPECT_FALSE(r.online("y", t0 + 1s));
    EXPECT_EQ(r.last_activity("u", t0 + 1s), 500);
    EXPECT_EQ(r.last_activity("w", t0 + 1s), 0);
}

}  // namespace
}  // namespace writeen::bus
