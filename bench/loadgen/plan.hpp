#pragma once
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace loadgen {

/// The wire protocol of the server under test.
enum class protocol { writeen, socketio, ws, xmpp };

/// Everything the command line sets.
struct options {
    std::string scenario = "smoke";
    protocol proto = protocol::writeen;
    std::string url = "http://127.0.0.1:8080";
    std::string host = "127.0.0.1";  ///< from url
    std::uint16_t port = 8080;       ///< from url
    /// --urls: the WebSocket of user u goes to urls[u % size] (one node each, several nodes);
    /// empty: every connection goes to url. REST setup always uses url.
    std::vector<std::string> urls;
    std::string secret;
    std::string issuer;
    std::string audience;
    std::string user_prefix;         ///< user ids are <prefix><index>
    std::size_t connections = 0;     ///< 0: the scenario's default
    std::size_t source_addresses = 16;
    unsigned threads = 1;
    std::vector<double> rates;       ///< empty: the scenario's default steps
    double step_seconds = 10;
    double drain_seconds = 5;
    double hold_seconds = 5;         ///< idle: how long connections stay open before measuring
    double time_scale = 0.25;        ///< seed-k6: fraction of the k6 stage durations
    double p99_limit_ms = 50;
    std::size_t text_bytes = 64;
    std::size_t connect_concurrency = 256;
    std::size_t rest_concurrency = 16;
    std::vector<pid_t> server_pids;  ///< CPU and RSS are summed over these processes
    bool keep_going = false;         ///< run every step even after one failed
    bool join = false;               ///< writeen: each client joins its conversations (viewing them)
    std::string json_path;
    std::string ack_log_path;        ///< append every acknowledgement here
};

/// A conversation of the scenario; members are user (= connection) indices, the first creates it.
struct conversation_plan {
    std::string type;                   ///< direct | group
    std::vector<std::uint32_t> members;
    std::string id;                     ///< filled by the setup (REST) or made up for peers
};

/// A user that sends, and where to.
struct sender_plan {
    std::uint32_t user = 0;
    std::uint32_t conversation = 0;
};

/// One measured step: a connection count, then an open-loop rate for a duration.
struct step_plan {
    std::string name;
    std::size_t connections = 0;
    double rate = 0;      ///< messages per second over all senders; 0: no sending (idle)
    double seconds = 0;
};

/// The whole scenario.
struct scenario_plan {
    std::size_t users = 0;
    std::vector<conversation_plan> conversations;
    std::vector<sender_plan> senders;
    std::vector<step_plan> steps;
    bool stop_at_first_failure = false;  ///< rising-rate scenarios
    bool idle = false;                   ///< report memory per connection
    bool needs_delivery = false;         ///< smoke: fail when nothing was delivered
};

/// Builds the plan of `options.scenario`; throws std::invalid_argument for an unknown name.
scenario_plan make_plan(const options& opts, std::uint64_t open_file_limit);

}  // namespace loadgen
