#include "plan.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace loadgen {
namespace {

// Every user sends, each into the one conversation it was given.
void add_pairs(scenario_plan& plan, std::size_t first_user, std::size_t pairs) {
    for (std::size_t p = 0; p < pairs; ++p) {
        const auto a = static_cast<std::uint32_t>(first_user + 2 * p);
        plan.conversations.push_back({"direct", {a, a + 1}, {}});
        const auto c = static_cast<std::uint32_t>(plan.conversations.size() - 1);
        plan.senders.push_back({a, c});
        plan.senders.push_back({a + 1, c});
    }
}

void add_groups(scenario_plan& plan, std::size_t first_user, std::size_t groups, std::size_t size) {
    for (std::size_t g = 0; g < groups; ++g) {
        conversation_plan conv{"group", {}, {}};
        for (std::size_t m = 0; m < size; ++m)
            conv.members.push_back(static_cast<std::uint32_t>(first_user + g * size + m));
        plan.conversations.push_back(std::move(conv));
        const auto c = static_cast<std::uint32_t>(plan.conversations.size() - 1);
        for (const auto member : plan.conversations.back().members) plan.senders.push_back({member, c});
    }
}

void add_rising_steps(scenario_plan& plan, const options& opts, std::vector<double> defaults) {
    const auto& rates = opts.rates.empty() ? defaults : opts.rates;
    for (const double rate : rates)
        plan.steps.push_back({"rate " + std::to_string(static_cast<long long>(rate)), plan.users,
                              rate, opts.step_seconds});
}

}  // namespace

scenario_plan make_plan(const options& opts, std::uint64_t open_file_limit) {
    // Leave room for the REST connections, stdio and the files the loader itself opens.
    const std::size_t max_connections =
        static_cast<std::size_t>(open_file_limit > 200 ? open_file_limit - 200 : open_file_limit);
    scenario_plan plan;
    const auto& s = opts.scenario;
    if (s == "smoke") {
        plan.users = 8;
        add_pairs(plan, 0, 2);
        add_groups(plan, 4, 1, 4);
        plan.steps.push_back({"smoke", plan.users, opts.rates.empty() ? 40.0 : opts.rates.front(),
                              std::min(opts.step_seconds, 6.0)});
        plan.needs_delivery = true;
    } else if (s == "idle") {
        plan.users = std::min(opts.connections ? opts.connections : 19000, max_connections);
        plan.steps.push_back({"idle", plan.users, 0, opts.hold_seconds});
        plan.idle = true;
    } else if (s == "direct") {
        const std::size_t pairs = std::min(opts.connections ? opts.connections : 10000,
                                           max_connections) / 2;
        plan.users = 2 * pairs;
        add_pairs(plan, 0, pairs);
        add_rising_steps(plan, opts, {1000, 2000, 5000, 10000, 15000, 20000, 25000, 30000, 40000,
                                      50000});
        plan.stop_at_first_failure = true;
    } else if (s == "rooms") {
        const std::size_t groups = std::max<std::size_t>(1, (opts.connections ? opts.connections : 1000) / 10);
        plan.users = groups * 10;
        add_groups(plan, 0, groups, 10);
        add_rising_steps(plan, opts, {250, 500, 1000, 2000, 3000, 4000, 5000, 6000, 8000, 10000,
                                      12000, 15000});
        plan.stop_at_first_failure = true;
    } else if (s == "broadcast") {
        plan.users = std::min<std::size_t>(opts.connections ? opts.connections : 2000, max_connections);
        add_groups(plan, 0, 1, plan.users);
        add_rising_steps(plan, opts, {1, 2, 5, 10, 20, 50, 100, 200});
        plan.stop_at_first_failure = true;
    } else if (s == "seed-k6") {
        // The seed's k6 stages (1 m to 50 users, 3 m to 100, 1 m to 200, 2 m at 200), users x100,
        // each sending every 5 s; users talk in pairs (the k6 script's single shared room of
        // 20,000 would measure a fan-out of 20,000, not chat).
        const std::size_t cap = max_connections - max_connections % 2;
        const auto users = [&](std::size_t u) { return std::min<std::size_t>(u, cap); };
        plan.users = users(20000);
        add_pairs(plan, 0, plan.users / 2);
        const double scale = opts.time_scale;
        plan.steps.push_back({"k6 50x100", users(5000), users(5000) / 5.0, 60 * scale});
        plan.steps.push_back({"k6 100x100", users(10000), users(10000) / 5.0, 180 * scale});
        plan.steps.push_back({"k6 200x100", users(20000), users(20000) / 5.0, 180 * scale});
    } else {
        throw std::invalid_argument("unknown scenario: " + s +
                                    " (smoke, idle, direct, rooms, broadcast, seed-k6)");
    }
    return plan;
}

}  // namespace loadgen
