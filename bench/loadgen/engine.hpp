#pragma once
// The load generator's engine: WebSocket client connections and the worker threads that own them.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ack_log.hpp"
#include "histogram.hpp"
#include "plan.hpp"

namespace loadgen {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

/// What happened to the messages of one step, as seen by one worker (or merged over all).
struct step_counters {
    std::uint64_t sent = 0;       ///< frames written for the step's schedule
    std::uint64_t skipped = 0;    ///< due on a connection that was not (or no longer) ready
    std::uint64_t acked = 0;      ///< message_sent (or the protocol's ack) received
    std::uint64_t errors = 0;     ///< error events answering a send
    std::uint64_t expected = 0;   ///< deliveries owed: recipients of every send not refused
    std::uint64_t delivered = 0;  ///< distinct deliveries received
    std::uint64_t dup_client_id = 0;  ///< deliveries of a clientMessageId already received
    std::uint64_t dup_seq = 0;        ///< deliveries of a (conversation, seq) already received
    histogram deliver_us;  ///< scheduled send -> delivery, microseconds
    histogram ack_us;      ///< scheduled send -> ack, microseconds

    void merge(const step_counters& other);
};

/// Counters that do not belong to a step.
struct connection_counters {
    std::uint64_t connected = 0;
    std::uint64_t failed = 0;
    std::uint64_t dropped = 0;     ///< closed by the server or the network while in use
    std::uint64_t frames_in = 0;
    std::uint64_t bytes_in = 0;    ///< payload bytes of frames_in
    std::uint64_t frames_out = 0;
    std::uint64_t other_events = 0;
    histogram connect_us;          ///< TCP connect + WebSocket handshake (+ protocol hello)

    void merge(const connection_counters& other);
};

/// Where a WebSocket connects: the address and the Host header of one node (or proxy).
struct node_endpoint {
    tcp::endpoint endpoint;
    std::string host_header;
};

/// Read-only facts shared by every worker for the whole run.
struct run_context {
    const options* opts = nullptr;
    const scenario_plan* plan = nullptr;
    tcp::endpoint server;                                 ///< REST setup (--url)
    std::vector<node_endpoint> nodes;                     ///< WebSockets: user u to nodes[u % size]
    std::vector<std::string> tokens;                      ///< per user (writeen only)
    std::vector<std::vector<std::uint32_t>> joins;        ///< per user: conversations to join (peers)
    std::vector<std::optional<std::uint32_t>> sends_to;   ///< per user: its sender conversation
    std::string padding;                                  ///< text filler to reach text_bytes
    ack_log* acks = nullptr;                              ///< --ack-log: every acknowledgement
};

class worker;

/// One WebSocket client of one user.
class connection : public std::enable_shared_from_this<connection> {
public:
    connection(worker& owner, std::uint32_t user);

    /// Connects, says hello in the protocol, joins, then reads until closed.
    void start();
    /// Writes the message due at `scheduled` for `step` (on the owner's thread).
    void send_message(std::uint32_t step, steady::time_point scheduled);
    /// Closes the socket; pending operations end.
    void close();
    [[nodiscard]] bool ready() const { return ready_; }
    [[nodiscard]] std::uint32_t user() const { return user_; }

private:
    net::awaitable<void> run();
    net::awaitable<void> write_loop();
    void enqueue(std::string frame);
    void became_ready();
    void on_frame(std::string_view frame);
    void on_socketio_packet(std::string_view packet);
    void on_xmpp_stanza(std::string_view stanza);
    void on_event(std::string_view event, const boost::json::object& data);
    void on_ack(const boost::json::object& data);
    void on_delivery(const boost::json::object& message);
    void on_error(const boost::json::object& data);
    void send_join(const std::string& conversation_id);

    worker& owner_;
    const std::uint32_t user_;
    std::optional<websocket::stream<beast::tcp_stream>> ws_;
    beast::flat_buffer in_;
    std::deque<std::string> out_;
    bool writing_ = false;
    bool ready_ = false;
    bool closing_ = false;
    bool xmpp_authenticated_ = false;
    std::size_t joins_pending_ = 0;
    std::uint64_t counter_ = 0;
    std::uint64_t socketio_ack_id_ = 0;
    steady::time_point connect_started_;
    // Deliveries already seen, to count duplicates: by sender then counter, and by conversation
    // then seq. Touched only on the owner's thread.
    std::unordered_map<std::uint32_t, std::vector<bool>> seen_client_ids_;
    std::unordered_map<std::string, std::vector<bool>> seen_seqs_;
};

/// A thread with its own io_context and the connections given to it.
class worker {
public:
    worker(unsigned id, const run_context& ctx);
    ~worker();
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;

    /// Runs `fn` on this worker's thread and returns its result (blocks the caller).
    template <class Fn>
    auto call(Fn fn) -> decltype(fn()) {
        std::promise<decltype(fn())> done;
        net::post(ioc_, [&] {
            if constexpr (std::is_void_v<decltype(fn())>) {
                fn();
                done.set_value();
            } else {
                done.set_value(fn());
            }
        });
        return done.get_future().get();
    }

    /// Creates connections for `users` (those of this worker) not created yet and starts them,
    /// at most connect_concurrency handshakes at a time. Call on any thread.
    void connect_users(std::size_t users);
    /// Starts sending for `step` at this worker's share of the rate, from `start` to `end`,
    /// from the senders among the first `users` users.
    void begin_step(std::uint32_t step, double rate, steady::time_point start,
                    steady::time_point end, std::size_t users);
    /// Copies of the counters (blocks the caller).
    step_counters step_snapshot(std::uint32_t step);
    connection_counters connection_snapshot();
    /// Closes every connection and stops the thread.
    void shutdown();

    // Used by connections, on this worker's thread.
    [[nodiscard]] const run_context& context() const { return ctx_; }
    [[nodiscard]] net::io_context& ioc() { return ioc_; }
    step_counters& step(std::uint32_t index);
    connection_counters& counters() { return counters_; }
    void handshake_finished();
    /// A per-thread arena for parsing frames.
    boost::json::value parse(std::string_view text, boost::system::error_code& ec);

private:
    net::awaitable<void> launch(std::vector<std::shared_ptr<connection>> batch);
    net::awaitable<void> send_loop(std::uint32_t step, double rate, steady::time_point start,
                                   steady::time_point end,
                                   std::vector<std::shared_ptr<connection>> senders);

    const unsigned id_;
    const run_context& ctx_;
    net::io_context ioc_{1};
    net::executor_work_guard<net::io_context::executor_type> work_;
    std::thread thread_;
    std::vector<std::shared_ptr<connection>> connections_;  // guarded by this thread
    std::size_t created_up_to_ = 0;                          // users considered so far
    std::size_t in_flight_ = 0;
    net::steady_timer slot_freed_;
    std::vector<step_counters> steps_;
    connection_counters counters_;
    std::unique_ptr<unsigned char[]> parse_arena_;
};

/// Splits "user-step-counter".
struct client_id {
    std::uint32_t user = 0;
    std::uint32_t step = 0;
    std::uint64_t counter = 0;
};
std::optional<client_id> parse_client_id(std::string_view text);

}  // namespace loadgen
