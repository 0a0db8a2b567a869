// Storing messages through the store alone, no server: the writer's throughput and the latency
// from submit to acknowledgement, on SQLite or on PostgreSQL, so the two engines can be compared
// on the same load (docs/BENCHMARKS.md, "PostgreSQL store").
//
// Each work is what posting a message costs the store, one of three shapes (`work`):
//   fused  (default) what chat/posting.cpp costs now: append_new_message with a clientMessageId
//          (one statement on PostgreSQL; a retry is looked up only when the insert refuses it);
//   split  next_change_seq, then append_message (the first measurement's work);
//   lookup find_message_by_client_id, next_change_seq, append_message: what posting cost before
//          append_new_message (the retry looked up before every message).
// `window` works are kept in flight at once (as many clients waiting for their acknowledgements),
// spread over `conversations` direct conversations.
//
// Usage: store_append_bench sqlite DIR [messages] [window] [conversations] [work]
//        store_append_bench postgres URL [messages] [window] [conversations] [work]
// The database must be new (a fresh directory, or an empty PostgreSQL database).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "store/store_factory.hpp"

namespace {

using namespace writeen;
using namespace writeen::store;
using clock_type = std::chrono::steady_clock;

void write_and_wait(database& db, write_work work) {
    std::promise<void> committed;
    auto result = committed.get_future();
    db.submit(std::move(work), [&committed](std::exception_ptr error) {
        if (error)
            committed.set_exception(error);
        else
            committed.set_value();
    });
    result.get();
}

conversation direct(const std::string& id, unix_ms at) {
    conversation c;
    c.id = id;
    c.type = conversation_type::direct;
    c.created_at = c.updated_at = at;
    for (const char* u : {"a", "b"}) {
        participant p;
        p.user_id = std::string{u} + id;
        p.joined_at = at;
        c.participants.push_back(p);
    }
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s sqlite DIR | postgres URL [messages] [window] [conversations]\n", argv[0]);
        return 2;
    }
    const std::string engine = argv[1];
    const int messages = argc > 3 ? std::atoi(argv[3]) : 20000;
    const int window = argc > 4 ? std::atoi(argv[4]) : 64;
    const int conversations = argc > 5 ? std::atoi(argv[5]) : 100;
    const std::string shape = argc > 6 ? argv[6] : "fused";
    if (shape != "fused" && shape != "split" && shape != "lookup") {
        std::fprintf(stderr, "work must be fused, split or lookup\n");
        return 2;
    }
    store_config config;
    config.engine = engine;
    if (engine == "sqlite") {
        config.path = std::string{argv[2]} + "/bench.db";
        // The server's default: at most one commit per 5 ms under load.
        config.commit_interval = std::chrono::microseconds(5000);
    } else {
        config.postgres_url = argv[2];
    }
    auto db = open_store(config);
    write_and_wait(*db, [&](transaction& tx) {
        for (int i = 0; i < conversations; ++i) tx.insert_conversation(direct("c" + std::to_string(i), 1000));
    });

    std::mutex mutex;
    std::condition_variable slot_free;
    int in_flight = 0;
    int failures = 0;
    std::vector<double> latencies_us;
    latencies_us.reserve(static_cast<std::size_t>(messages));
    const auto start = clock_type::now();
    for (int i = 0; i < messages; ++i) {
        {
            std::unique_lock lock(mutex);
            slot_free.wait(lock, [&] { return in_flight < window; });
            ++in_flight;
        }
        const std::string conv = "c" + std::to_string(i % conversations);
        const auto submitted = clock_type::now();
        db->submit(
            [conv, i, &shape](transaction& tx) {
                message m;
                m.id = "m" + std::to_string(i);
                m.conversation_id = conv;
                m.sender_id = "a" + conv;
                m.type = message_type::text;
                m.content_json = R"({"text":"halo, sudah revisi bab dua?"})";
                m.search_text = "halo, sudah revisi bab dua?";
                m.client_message_id = "cm" + std::to_string(i);
                m.created_at = m.updated_at = 2000 + i;
                if (shape == "fused") {
                    tx.append_new_message(m);
                    return;
                }
                if (shape == "lookup" && tx.find_message_by_client_id(m.sender_id, m.client_message_id))
                    throw std::logic_error("a new clientMessageId was found stored");
                m.change_seq = m.created_change_seq = tx.next_change_seq(conv);
                tx.append_message(m);
            },
            [&, submitted](std::exception_ptr error) {
                const double us =
                    std::chrono::duration<double, std::micro>(clock_type::now() - submitted).count();
                std::lock_guard lock(mutex);
                if (error) ++failures;
                latencies_us.push_back(us);
                --in_flight;
                slot_free.notify_one();
            });
    }
    {
        std::unique_lock lock(mutex);
        slot_free.wait(lock, [&] { return in_flight == 0; });
    }
    const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    const auto stats = db->stats();
    db->close();
    std::sort(latencies_us.begin(), latencies_us.end());
    auto pct = [&](double p) { return latencies_us[static_cast<std::size_t>(p * (latencies_us.size() - 1))]; };
    std::printf("%s %s: %d messages, window %d, %d conversations: %.0f msg/s, ack p50 %.1f ms, p99 %.1f ms, "
                "%.1f works/batch, %d failed\n",
                engine.c_str(), shape.c_str(), messages, window, conversations, messages / seconds, pct(0.5) / 1000,
                pct(0.99) / 1000, stats.batches ? static_cast<double>(stats.writes) / stats.batches : 0.0,
                failures);
    return failures == 0 ? 0 : 1;
}
