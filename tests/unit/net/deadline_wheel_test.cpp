#include "net/deadline_wheel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

namespace writeen::server {
namespace {

using namespace std::chrono_literals;
using clock = deadline_wheel::clock;

/// An owner as a WebSocket session is one: shared, with the entry embedded.
class owner final : public std::enable_shared_from_this<owner>, private deadline_wheel::entry {
public:
    explicit owner(deadline_wheel& wheel) : wheel_(wheel) {}
    ~owner() { wheel_.cancel(*this); }
    void schedule(clock::time_point at) { wheel_.schedule(*this, at); }
    void cancel() { wheel_.cancel(*this); }
    int fired() const { return fired_; }

private:
    std::shared_ptr<void> hold() override { return weak_from_this().lock(); }
    void expired() override { ++fired_; }
    deadline_wheel& wheel_;
    std::atomic<int> fired_{0};
};

TEST(deadline_wheel, fires_a_deadline_once_it_has_passed_and_not_before) {
    deadline_wheel wheel(100ms, 16);
    auto a = std::make_shared<owner>(wheel);
    const auto start = clock::now();
    a->schedule(start + 350ms);
    wheel.advance(start + 200ms);
    EXPECT_EQ(a->fired(), 0);
    wheel.advance(start + 500ms);
    EXPECT_EQ(a->fired(), 1);
    wheel.advance(start + 900ms);
    EXPECT_EQ(a->fired(), 1) << "a fired deadline leaves the wheel";
    EXPECT_EQ(wheel.size(), 0u);
}

TEST(deadline_wheel, a_moved_deadline_fires_at_its_new_time_only) {
    deadline_wheel wheel(100ms, 16);
    auto a = std::make_shared<owner>(wheel);
    const auto start = clock::now();
    a->schedule(start + 200ms);
    a->schedule(start + 1s);
    EXPECT_EQ(wheel.size(), 1u);
    wheel.advance(start + 500ms);
    EXPECT_EQ(a->fired(), 0);
    wheel.advance(start + 1200ms);
    EXPECT_EQ(a->fired(), 1);
}

TEST(deadline_wheel, deadlines_beyond_one_lap_wait_for_their_own_lap) {
    deadline_wheel wheel(100ms, 8);  // one lap: 0.8 s
    auto far = std::make_shared<owner>(wheel);
    auto near = std::make_shared<owner>(wheel);
    const auto start = clock::now();
    far->schedule(start + 2050ms);
    near->schedule(start + 250ms);
    for (auto t = 100ms; t <= 2000ms; t += 100ms) wheel.advance(start + t);
    EXPECT_EQ(near->fired(), 1);
    EXPECT_EQ(far->fired(), 0);
    wheel.advance(start + 2300ms);
    EXPECT_EQ(far->fired(), 1);
}

TEST(deadline_wheel, a_late_tick_fires_every_deadline_it_skipped) {
    deadline_wheel wheel(100ms, 8);
    std::vector<std::shared_ptr<owner>> owners;
    const auto start = clock::now();
    for (int i = 1; i <= 30; ++i) {
        owners.push_back(std::make_shared<owner>(wheel));
        owners.back()->schedule(start + i * 100ms);
    }
    wheel.advance(start + 5s);  // several laps late
    for (const auto& o : owners) EXPECT_EQ(o->fired(), 1);
}

TEST(deadline_wheel, a_cancelled_or_destroyed_owner_is_never_called) {
    deadline_wheel wheel(100ms, 16);
    auto kept = std::make_shared<owner>(wheel);
    auto cancelled = std::make_shared<owner>(wheel);
    auto destroyed = std::make_shared<owner>(wheel);
    const auto start = clock::now();
    for (auto* o : {kept.get(), cancelled.get(), destroyed.get()}) o->schedule(start + 100ms);
    cancelled->cancel();
    destroyed.reset();
    EXPECT_EQ(wheel.size(), 1u);
    wheel.advance(start + 1s);
    EXPECT_EQ(kept->fired(), 1);
    EXPECT_EQ(cancelled->fired(), 0);
}

TEST(deadline_wheel, a_deadline_in_the_past_fires_at_the_next_tick) {
    deadline_wheel wheel(100ms, 16);
    auto a = std::make_shared<owner>(wheel);
    const auto start = clock::now();
    wheel.advance(start + 1s);
    a->schedule(start);
    wheel.advance(start + 1s);
    EXPECT_EQ(a->fired(), 0) << "the tick of now has been walked already";
    wheel.advance(start + 1100ms);
    EXPECT_EQ(a->fired(), 1);
}

TEST(deadline_wheel, its_timer_fires_deadlines_on_the_executor_and_stop_forgets_them) {
    boost::asio::io_context ioc;
    auto work = boost::asio::make_work_guard(ioc);
    std::thread loop([&] { ioc.run(); });
    deadline_wheel wheel(10ms, 64);
    wheel.start(ioc.get_executor());
    auto a = std::make_shared<owner>(wheel);
    auto b = std::make_shared<owner>(wheel);
    a->schedule(clock::now() + 30ms);
    b->schedule(clock::now() + 1h);
    for (int i = 0; i < 200 && a->fired() == 0; ++i) std::this_thread::sleep_for(5ms);
    EXPECT_EQ(a->fired(), 1);
    wheel.stop();
    EXPECT_EQ(wheel.size(), 0u);
    b.reset();  // out of the wheel already: touches nothing
    work.reset();
    ioc.stop();
    loop.join();
}

}  // namespace
}  // namespace writeen::server
