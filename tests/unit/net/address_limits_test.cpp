#include "net/address_limits.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace writeen::server {
namespace {

const auto home = boost::asio::ip::make_address("127.0.0.1");
const auto other = boost::asio::ip::make_address("2001:db8::1");

TEST(address_limits, refuses_an_address_over_its_limit_and_counts_addresses_apart) {
    address_limits limits(2);
    auto a = limits.try_acquire(home);
    auto b = limits.try_acquire(home);
    ASSERT_TRUE(a && b);
    EXPECT_FALSE(limits.try_acquire(home));
    EXPECT_TRUE(limits.try_acquire(other));
    EXPECT_EQ(limits.held(home), 2u);
}

TEST(address_limits, a_destroyed_lease_gives_its_unit_back) {
    address_limits limits(1);
    {
        auto a = limits.try_acquire(home);
        ASSERT_TRUE(a);
        EXPECT_FALSE(limits.try_acquire(home));
    }
    EXPECT_EQ(limits.held(home), 0u);
    EXPECT_TRUE(limits.try_acquire(home));
}

TEST(address_limits, a_moved_lease_gives_back_once) {
    address_limits limits(3);
    auto a = limits.try_acquire(home);
    ASSERT_TRUE(a);
    {
        address_limits::lease moved = std::move(*a);
        EXPECT_EQ(limits.held(home), 1u);
    }
    EXPECT_EQ(limits.held(home), 0u);
    a.reset();
    EXPECT_EQ(limits.held(home), 0u);
    auto b = limits.try_acquire(home);
    auto c = limits.try_acquire(other);
    *b = std::move(*c);  // b's unit for home goes back; it now holds other's
    EXPECT_EQ(limits.held(home), 0u);
    EXPECT_EQ(limits.held(other), 1u);
}

TEST(address_limits, zero_means_no_limit) {
    address_limits limits(0);
    std::vector<address_limits::lease> held;
    for (int i = 0; i < 1000; ++i) {
        auto l = limits.try_acquire(home);
        ASSERT_TRUE(l);
        held.push_back(std::move(*l));
    }
    EXPECT_EQ(limits.held(home), 1000u);
}

TEST(address_limits, counts_stay_exact_across_threads) {
    address_limits limits(1000000);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) {
                auto l = limits.try_acquire(home);
                ASSERT_TRUE(l);
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(limits.held(home), 0u);
}

}  // namespace
}  // namespace writeen::server
