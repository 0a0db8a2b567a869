#include "files/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>

namespace writeen::files {
namespace {

TEST(worker_pool, runs_every_posted_task_before_stopping) {
    std::atomic<int> done{0};
    {
        worker_pool pool(2, 100);
        for (int i = 0; i < 100; ++i) ASSERT_TRUE(pool.post([&] { done.fetch_add(1); }));
    }
    EXPECT_EQ(done.load(), 100);
}

TEST(worker_pool, try_post_refuses_when_the_queue_is_full) {
    worker_pool pool(1, 2);
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    std::latch started(1);
    ASSERT_TRUE(pool.try_post([&] {
        started.count_down();
        gate.wait();
    }));
    started.wait();  // the single worker is busy; the queue now fills
    EXPECT_TRUE(pool.try_post([] {}));
    EXPECT_TRUE(pool.try_post([] {}));
    EXPECT_FALSE(pool.try_post([] {}));
    EXPECT_EQ(pool.queued(), 2u);
    release.set_value();
}

TEST(worker_pool, a_throwing_task_is_reported_and_the_worker_continues) {
    std::atomic<int> errors{0};
    std::atomic<int> done{0};
    {
        worker_pool pool(1, 10, [&](std::exception_ptr) { errors.fetch_add(1); });
        pool.post([] { throw std::runtime_error("boom"); });
        pool.post([&] { done.fetch_add(1); });
    }
    EXPECT_EQ(errors.load(), 1);
    EXPECT_EQ(done.load(), 1);
}

TEST(worker_pool, refuses_tasks_after_stop) {
    worker_pool pool(1, 10);
    pool.stop();
    EXPECT_FALSE(pool.try_post([] {}));
    EXPECT_FALSE(pool.post([] {}));
}

}  // namespace
}  // namespace writeen::files
