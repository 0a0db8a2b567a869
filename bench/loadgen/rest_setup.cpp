#include "rest_setup.hpp"

#include <boost/beast/http.hpp>

#include <functional>
#include <iostream>
#include <stdexcept>

namespace loadgen {
namespace http = beast::http;
namespace json = boost::json;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

struct rest_job {
    http::verb method = http::verb::get;
    std::string target;
    const std::string* token = nullptr;
    std::string body;
    std::function<void(const json::value&)> on_success;
};

struct job_queue {
    std::vector<rest_job> jobs;
    std::size_t next = 0;       // only the one thread running the io_context touches these
    std::size_t done = 0;
    std::string failure;
};

net::awaitable<void> rest_client(const options& opts, tcp::endpoint server, job_queue& queue) {
    beast::tcp_stream stream(co_await net::this_coro::executor);
    bool connected = false;
    beast::flat_buffer buffer;
    while (queue.next < queue.jobs.size() && queue.failure.empty()) {
        rest_job& job = queue.jobs[queue.next++];
        for (int attempt = 0;; ++attempt) {
            beast::error_code ec;
            if (!connected) {
                stream.expires_after(std::chrono::seconds(30));
                std::tie(ec) = co_await stream.async_connect(server, use_tuple);
                if (ec) {
                    queue.failure = "connect: " + ec.message();
                    co_return;
                }
                connected = true;
            }
            http::request<http::string_body> req{job.method, job.target, 11};
            req.set(http::field::host, opts.host + ':' + std::to_string(opts.port));
            req.set(http::field::authorization, "Bearer " + *job.token);
            req.keep_alive(true);
            if (!job.body.empty()) {
                req.set(http::field::content_type, "application/json");
                req.body() = job.body;
            }
            req.prepare_payload();
            stream.expires_after(std::chrono::seconds(30));
            std::size_t bytes = 0;
            std::tie(ec, bytes) = co_await http::async_write(stream, req, use_tuple);
            http::response<http::string_body> res;
            if (!ec) std::tie(ec, bytes) = co_await http::async_read(stream, buffer, res, use_tuple);
            if (ec || !res.keep_alive()) {
                beast::error_code ignored;
                stream.socket().close(ignored);
                connected = false;
            }
            if (ec) {
                if (attempt < 3) continue;
                queue.failure = job.target + ": " + ec.message();
                co_return;
            }
            const unsigned status = res.result_int();
            if ((status == 429 || status == 503) && attempt < 20) {
                net::steady_timer wait(co_await net::this_coro::executor, std::chrono::milliseconds(250));
                co_await wait.async_wait(use_tuple);
                continue;
            }
            if (status / 100 != 2) {
                queue.failure = std::string(http::to_string(job.method)) + ' ' + job.target +
                                " -> " + std::to_string(status) + ' ' + res.body();
                co_return;
            }
            boost::system::error_code parse_ec;
            const auto value = json::parse(res.body(), parse_ec);
            if (parse_ec) {
                queue.failure = job.target + ": answer is not JSON";
                co_return;
            }
            try {
                if (job.on_success) job.on_success(value);
            } catch (const std::exception& e) {
                queue.failure = job.target + ": unexpected answer " + res.body().substr(0, 300) +
                                " (" + e.what() + ")";
                co_return;
            }
            ++queue.done;
            break;
        }
    }
}

void run_jobs(const options& opts, const tcp::endpoint& server, job_queue& queue,
              const char* what) {
    const auto started = steady::now();
    net::io_context ioc{1};
    const std::size_t clients = std::min<std::size_t>(std::max<std::size_t>(1, opts.rest_concurrency),
                                                      std::max<std::size_t>(1, queue.jobs.size()));
    for (std::size_t i = 0; i < clients; ++i)
        net::co_spawn(ioc, rest_client(opts, server, queue), net::detached);
    ioc.run();
    if (!queue.failure.empty()) throw std::runtime_error(std::string(what) + ": " + queue.failure);
    const double seconds = std::chrono::duration<double>(steady::now() - started).count();
    std::cerr << "loadgen: " << what << ": " << queue.done << " requests in " << seconds << " s\n";
}

}  // namespace

void rest_setup(const options& opts, const tcp::endpoint& server,
                const std::vector<std::string>& tokens, scenario_plan& plan) {
    // Only users that take part in a conversation need to be known before it is created.
    std::vector<bool> member(plan.users, false);
    for (const auto& conv : plan.conversations)
        for (const auto m : conv.members) member[m] = true;
    job_queue users;
    for (std::size_t u = 0; u < plan.users; ++u)
        if (member[u]) users.jobs.push_back({http::verb::get, "/api/conversations?limit=1", &tokens[u], {}, {}});
    run_jobs(opts, server, users, "users");

    job_queue conversations;
    for (auto& conv : plan.conversations) {
        json::array others;
        for (std::size_t i = 1; i < conv.members.size(); ++i)
            others.emplace_back(opts.user_prefix + std::to_string(conv.members[i]));
        json::object body{{"type", conv.type}, {"participantIds", std::move(others)}};
        if (conv.type == "group") body["title"] = "bench group " + std::to_string(conv.members[0]);
        conversations.jobs.push_back(
            {http::verb::post, "/api/conversations", &tokens[conv.members[0]], json::serialize(body),
             [&conv](const json::value& answer) {
                 conv.id = std::string(answer.at("data").at("conversation").at("id").as_string());
             }});
    }
    run_jobs(opts, server, conversations, "conversations");
}

}  // namespace loadgen
