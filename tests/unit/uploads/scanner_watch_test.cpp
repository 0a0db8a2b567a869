#include "uploads/scanner_watch.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace writeen::uploads {
namespace {

using namespace std::chrono_literals;

// Waits up to a few seconds for pred; the watch works on its own thread.
template <class Pred>
bool eventually(Pred pred) {
    for (int i = 0; i < 500; ++i) {
        if (pred()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return pred();
}

struct fixture {
    std::atomic<bool> up{false};
    std::atomic<int> probes{0};
    std::atomic<int> backs{0};
    scanner_watch watch{[this] {
                            ++probes;
                            return up.load();
                        },
                        [this] { ++backs; }, {20ms, 80ms}};
};

TEST(scanner_watch, is_idle_until_something_waits) {
    fixture f;
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(f.probes.load(), 0);
    EXPECT_FALSE(f.watch.down());
}

TEST(scanner_watch, probes_a_lost_scanner_until_it_answers_then_calls_back_once) {
    fixture f;
    f.watch.lost("connection refused");
    EXPECT_TRUE(f.watch.down());
    EXPECT_EQ(f.watch.reason(), "connection refused");
    ASSERT_TRUE(eventually([&] { return f.probes.load() >= 3; }));
    EXPECT_EQ(f.backs.load(), 0) << "nothing is queued while the scanner does not answer";
    EXPECT_TRUE(f.watch.down());
    f.up = true;
    ASSERT_TRUE(eventually([&] { return f.backs.load() == 1; }));
    EXPECT_FALSE(f.watch.down());
    EXPECT_EQ(f.watch.reason(), "");
    const int probes = f.probes.load();
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(f.probes.load(), probes) << "idle again once the waiting files were handed back";
    EXPECT_EQ(f.backs.load(), 1);
}

TEST(scanner_watch, waits_longer_after_each_failed_probe_up_to_the_cap) {
    fixture f;
    f.watch.lost("down");
    // Waits of 20, 40, 80, 80, ... ms: about 9 probes in the first second, not 50.
    std::this_thread::sleep_for(1s);
    EXPECT_GE(f.probes.load(), 5);
    EXPECT_LE(f.probes.load(), 16);
}

TEST(scanner_watch, retry_later_hands_files_back_after_one_wait_when_the_scanner_is_up) {
    fixture f;
    f.up = true;
    f.watch.retry_later();
    EXPECT_FALSE(f.watch.down()) << "a full queue is not an outage";
    ASSERT_TRUE(eventually([&] { return f.backs.load() == 1; }));
}

TEST(scanner_watch, answered_elsewhere_skips_the_rest_of_the_wait) {
    std::atomic<bool> up{false};
    std::atomic<int> backs{0};
    scanner_watch watch([&] { return up.load(); }, [&] { ++backs; }, {2000ms, 2000ms});
    watch.lost("down");
    up = true;
    watch.answered();
    ASSERT_TRUE(eventually([&] { return backs.load() == 1; }));
}

}  // namespace
}  // namespace writeen::uploads
