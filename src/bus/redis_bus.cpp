#include "bus/redis_bus.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <charconv>
#include <spdlog/spdlog.h>

#include "bus/envelope.hpp"

namespace writeen::bus {
namespace {

namespace asio = boost::asio;

// Every script reads the time from Redis (TIME), so that the nodes' clocks never meet: an
// entry's score is an expiry in Redis's milliseconds. Keys are built inside the scripts, which
// suits one Redis server (not Redis Cluster, whose scripts must name their keys).
constexpr const char* now_lua = "local t = redis.call('TIME'); local now = t[1] * 1000 + math.floor(t[2] / 1000)\n";

// ARGV: node, ttl_ms, user. 1 when this is the user's first live node (the user came online).
constexpr const char* arrive_lua = R"lua(
local key = 'writeen:user:' .. ARGV[3]
local ttl = tonumber(ARGV[2])
local live = redis.call('ZCOUNT', key, now, '+inf')
local mine = redis.call('ZSCORE', key, ARGV[1])
local was_mine = mine and tonumber(mine) >= now
redis.call('ZADD', key, now + ttl, ARGV[1])
redis.call('PEXPIRE', key, ttl * 3)
redis.call('SADD', 'writeen:nodeusers:' .. ARGV[1], ARGV[3])
redis.call('PEXPIRE', 'writeen:nodeusers:' .. ARGV[1], ttl * 3)
redis.call('ZADD', 'writeen:nodes', now + ttl, ARGV[1])
if was_mine or live > 0 then return 0 end
return 1
)lua";

// ARGV: node, user. 1 when no live node is left (the user went offline).
constexpr const char* depart_lua = R"lua(
local key = 'writeen:user:' .. ARGV[2]
local removed = redis.call('ZREM', key, ARGV[1])
redis.call('SREM', 'writeen:nodeusers:' .. ARGV[1], ARGV[2])
if removed == 1 and redis.call('ZCOUNT', key, now, '+inf') == 0 then return 1 end
return 0
)lua";

// ARGV: node, ttl_ms, conversation, 1 (joined) | 0 (left).
constexpr const char* route_conversation_lua = R"lua(
local key = 'writeen:conv:' .. ARGV[3]
if ARGV[4] == '1' then
  redis.call('ZADD', key, now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2]) * 3)
else
  redis.call('ZREM', key, ARGV[1])
end
return 0
)lua";

// ARGV: node, envelope, then 'u' user ids or 'c' a conversation. Publishes once to each other
// live node that has any of them; returns how many nodes.
constexpr const char* route_lua = R"lua(
local prefix = ARGV[3] == 'c' and 'writeen:conv:' or 'writeen:user:'
local seen, n = {}, 0
for i = 4, #ARGV do
  for _, node in ipairs(redis.call('ZRANGEBYSCORE', prefix .. ARGV[i], now, '+inf')) do
    if node ~= ARGV[1] and not seen[node] then
      seen[node] = true
      redis.call('PUBLISH', 'writeen:node:' .. node, ARGV[2])
      n = n + 1
    end
  end
end
return n
)lua";

// ARGV: node, ttl_ms, user count, users..., conversations... Refreshes this node's entries,
// then sweeps nodes whose heartbeat ran out: returns the users who went offline with them.
// ZREM claims each entry once, so only one sweeping node reports a user.
constexpr const char* heartbeat_lua = R"lua(
local ttl = tonumber(ARGV[2])
local users = tonumber(ARGV[3])
redis.call('ZADD', 'writeen:nodes', now + ttl, ARGV[1])
for i = 4, 3 + users do
  local key = 'writeen:user:' .. ARGV[i]
  redis.call('ZADD', key, now + ttl, ARGV[1])
  redis.call('PEXPIRE', key, ttl * 3)
end
if users > 0 then redis.call('PEXPIRE', 'writeen:nodeusers:' .. ARGV[1], ttl * 3) end
for i = 4 + users, #ARGV do
  local key = 'writeen:conv:' .. ARGV[i]
  redis.call('ZADD', key, now + ttl, ARGV[1])
  redis.call('PEXPIRE', key, ttl * 3)
end
local offline = {}
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', 'writeen:nodes', '-inf', '(' .. now)) do
  redis.call('ZREM', 'writeen:nodes', dead)
  for _, user in ipairs(redis.call('SMEMBERS', 'writeen:nodeusers:' .. dead)) do
    local key = 'writeen:user:' .. user
    if redis.call('ZREM', key, dead) == 1 and redis.call('ZCOUNT', key, now, '+inf') == 0 then
      offline[#offline + 1] = user
    end
  end
  redis.call('DEL', 'writeen:nodeusers:' .. dead)
end
return offline
)lua";

// ARGV: node. Who the other live nodes have sockets of: node id, user count, users, for each.
constexpr const char* remote_users_lua = R"lua(
local out = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', 'writeen:nodes', now, '+inf')) do
  if node ~= ARGV[1] then
    local users = redis.call('SMEMBERS', 'writeen:nodeusers:' .. node)
    out[#out + 1] = node
    out[#out + 1] = #users
    for _, user in ipairs(users) do out[#out + 1] = user end
  end
end
return out
)lua";

// ARGV: user, limit. A counter per user and one-second window (INCR + PEXPIRE): 0 while within
// the limit, else the milliseconds left in the window.
constexpr const char* count_lua = R"lua(
local window = math.floor(now / 1000)
local key = 'writeen:rate:' .. ARGV[1] .. ':' .. window
local n = redis.call('INCR', key)
if n == 1 then redis.call('PEXPIRE', key, 2000) end
if n > tonumber(ARGV[2]) then return (window + 1) * 1000 - now end
return 0
)lua";

std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()); }

}  // namespace

std::optional<redis_address> parse_redis_url(const std::string& url) {
    constexpr std::string_view scheme = "redis://";
    if (url.rfind(scheme, 0) != 0) return std::nullopt;
    std::string_view rest = std::string_view(url).substr(scheme.size());
    redis_address a;
    std::string_view hostport = rest.substr(0, rest.find('/'));
    if (rest.size() > hostport.size()) {
        const std::string_view db = rest.substr(hostport.size() + 1);
        if (!db.empty()) {
            auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), a.db);
            if (ec != std::errc() || p != db.data() + db.size() || a.db < 0 || a.db > 15) return std::nullopt;
        }
    }
    const auto colon = hostport.rfind(':');
    a.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) {
        const std::string_view port = hostport.substr(colon + 1);
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
        if (ec != std::errc() || p != port.data() + port.size() || a.port < 1 || a.port > 65535) return std::nullopt;
    }
    if (a.host == "localhost") a.host = "127.0.0.1";
    if (a.host.empty() || a.host.find('@') != std::string::npos) return std::nullopt;
    return a;
}

redis_bus::redis_bus(redis_options options) : options_(std::move(options)), remote_(options_.presence_ttl) {}

redis_bus::~redis_bus() { stop(); }

void redis_bus::on_delivery(delivery_handler handler, const local_view& view) {
    handler_ = std::move(handler);
    view_ = &view;
}

void redis_bus::start(asio::io_context& ioc) {
    strand_.emplace(asio::make_strand(ioc.get_executor()));
    retry_timer_.emplace(*strand_);
    heartbeat_timer_.emplace(*strand_);
    asio::post(*strand_, [this] { connect(); });
}

void redis_bus::stop() {
    stopping_ = true;
    healthy_ = false;
    if (commands_) std::exchange(commands_, nullptr)->close();
    if (subscriber_) std::exchange(subscriber_, nullptr)->close();
    heartbeat_timer_.reset();
    retry_timer_.reset();
    strand_.reset();
}

bus_counters redis_bus::counters() const {
    return {published_.load(), received_.load(), dropped_.load(), reconnects_.load(), lag_ms_.load()};
}

void redis_bus::connect() {
    if (stopping_) return;
    const std::uint64_t attempt = ++attempt_;
    links_up_ = 0;
    auto up = [this, attempt] { link_up(attempt); };
    auto down = [this, attempt](const std::string& why) { link_down(attempt, why); };
    commands_ = std::make_shared<redis_link>(*strand_, up, down);
    subscriber_ = std::make_shared<redis_link>(*strand_, up, down);
    commands_->open(options_.address.host, options_.address.port);
    subscriber_->open(options_.address.host, options_.address.port);
}

void redis_bus::link_up(std::uint64_t attempt) {
    if (attempt != attempt_ || ++links_up_ < 2) return;
    if (options_.address.db != 0) commands_->command({"SELECT", std::to_string(options_.address.db)}, [](redisReply*) {});
    subscriber_->subscribe({"SUBSCRIBE", "writeen:node:" + options_.node_id, "writeen:all"}, on_message, this);
    // The subscription is in place once a PING on the command link answers after it: Redis
    // handles each connection in order, but the two links are apart, so wait for the
    // subscription's own confirmation instead (on_message sees it) and only then call ready().
}

void redis_bus::link_down(std::uint64_t attempt, const std::string& why) {
    if (attempt != attempt_ || stopping_) return;
    ++attempt_;  // whatever the other link says now is old news
    if (healthy_.exchange(false)) spdlog::warn("bus: Redis connection lost ({}); deliveries to other nodes pause", why);
    else if (!had_outage_) spdlog::warn("bus: cannot reach Redis at {}:{} ({}); retrying", options_.address.host,
                                        options_.address.port, why);
    had_outage_ = true;
    heartbeat_pending_ = false;
    heartbeat_timer_->cancel();
    // Not from inside the link's callback chain: close() frees the hiredis contexts.
    auto c = std::exchange(commands_, nullptr);
    auto s = std::exchange(subscriber_, nullptr);
    if (c) c->close();
    if (s) s->close();
    // Sockets waiting for their registration go ahead: they resync once the bus is back.
    release_registrations();
    // Redis may have restarted empty: what we announced must be announced again.
    announced_users_.clear();
    announced_conversations_.clear();
    retry_timer_->expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(5000));
    retry_timer_->async_wait([this](boost::system::error_code ec) {
        if (!ec) connect();
    });
}

void redis_bus::on_message(redisAsyncContext*, void* r, void* data) {
    auto* self = static_cast<redis_bus*>(data);
    auto* reply = static_cast<redisReply*>(r);
    if (!reply || self->stopping_ || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
    const std::string_view kind(reply->element[0]->str, reply->element[0]->len);
    if (kind == "subscribe") {
        // Both channels confirmed: the node hears everything published to it from now on.
        if (reply->element[2]->type == REDIS_REPLY_INTEGER && reply->element[2]->integer == 2) self->ready();
        return;
    }
    if (kind != "message" || reply->element[2]->type != REDIS_REPLY_STRING) return;
    self->receive(std::string_view(reply->element[2]->str, reply->element[2]->len));
}

void redis_bus::ready() {
    backoff_ = std::chrono::milliseconds(100);
    healthy_ = true;
    spdlog::info("bus: connected to Redis at {}:{} as node {}", options_.address.host, options_.address.port,
                 options_.node_id);
    // Announce what this node holds (after an outage Redis may have lost it, or swept us).
    for (const auto& user : view_->users()) reconcile_user(user);
    for (const auto& id : view_->conversations()) reconcile_conversation(id);
    seed_remote_presence();
    heartbeat();
    if (std::exchange(had_outage_, false)) {
        ++reconnects_;
        // Invalidations and deliveries may have been missed meanwhile.
        if (invalidation_) invalidation_("");
        if (resync_) resync_();
    }
}

void redis_bus::run(const std::string& script, std::vector<std::string> args, reply_handler done) {
    args.insert(args.begin(), {"EVAL", now_lua + script, "0"});
    if (!commands_ || !commands_->command(args, std::move(done))) ++dropped_;
}

void redis_bus::publish(const delivery& d) {
    // This node's sockets at once, without a round trip.
    if (handler_) handler_(d);
    if (!healthy_.load()) {
        ++dropped_;
        return;
    }
    envelope e;
    e.origin_node = options_.node_id;
    e.d = d;
    std::vector<std::string> args{options_.node_id, encode(e)};
    if (d.to == delivery::audience::users) {
        args.emplace_back("u");
        args.insert(args.end(), d.user_ids.begin(), d.user_ids.end());
    } else {
        args.emplace_back("c");
        args.push_back(d.conversation_id);
    }
    asio::post(*strand_, [this, args = std::move(args)]() mutable {
        run(route_lua, std::move(args), [this](redisReply* r) {
            if (r && r->type == REDIS_REPLY_INTEGER) published_ += static_cast<std::uint64_t>(r->integer);
        });
    });
}

void redis_bus::publish_invalidation(const std::string& conversation_id) {
    if (!strand_) return;
    envelope e;
    e.what = envelope::kind::invalidation;
    e.origin_node = options_.node_id;
    e.conversation_id = conversation_id;
    asio::post(*strand_, [this, bytes = encode(e)] {
        if (!healthy_.load() || !commands_ || !commands_->command({"PUBLISH", "writeen:all", bytes}, [](redisReply*) {}))
            ++dropped_;  // the other nodes drop their whole cache when the bus is back
        else
            ++published_;
    });
}

void redis_bus::count_message(const std::string& user_id, int limit, std::function<void(std::int64_t)> over) {
    if (!strand_ || !healthy_.load()) return;  // without Redis each node limits on its own
    asio::post(*strand_, [this, user_id, limit, over = std::move(over)]() mutable {
        run(count_lua, {user_id, std::to_string(limit)}, [over = std::move(over)](redisReply* r) {
            if (r && r->type == REDIS_REPLY_INTEGER && r->integer > 0) over(r->integer);
        });
    });
}

void redis_bus::user_changed(const std::string& user_id, registered_handler registered) {
    if (!strand_) {
        if (registered) registered();
        return;
    }
    asio::post(*strand_, [this, user_id, registered = std::move(registered)]() mutable {
        reconcile_user(user_id);
        if (registered) when_registered(user_id, std::move(registered));
    });
}

bool redis_bus::online_elsewhere(const std::string& user_id) const {
    return remote_.online(user_id, std::chrono::steady_clock::now());
}

std::int64_t redis_bus::activity_elsewhere(const std::string& user_id) const {
    return remote_.last_activity(user_id, std::chrono::steady_clock::now());
}

void redis_bus::when_registered(const std::string& user_id, registered_handler registered) {
    // Commands on one link are answered in order, so joining the last arrive's waiters is
    // enough; with none on its way, the entry is in Redis (or Redis is down) already.
    const auto it = arriving_.find(user_id);
    if (it == arriving_.end()) return registered();
    it->second->push_back(std::move(registered));
}

void redis_bus::release_registrations() {
    auto all = std::exchange(arriving_, {});
    for (auto& [user, list] : all)
        for (auto& registered : std::exchange(*list, {})) registered();
}

void redis_bus::broadcast(const std::string& bytes) {
    // Not counted in published_/received_, which count what messages cost (per message and
    // node); these go once per socket change and heartbeat. Lost ones the next heartbeat mends.
    if (healthy_.load() && commands_) commands_->command({"PUBLISH", "writeen:all", bytes}, [](redisReply*) {});
}

void redis_bus::seed_remote_presence() {
    // Replies on the command link and envelopes on the subscriber link are not ordered with
    // each other: an announcement crossing this reply may be undone by it until the node's next
    // heartbeat list (a third of the TTL) sets it right.
    const std::uint64_t attempt = attempt_;
    run(remote_users_lua, {options_.node_id}, [this, attempt](redisReply* r) {
        if (attempt != attempt_ || !r || r->type != REDIS_REPLY_ARRAY) return;
        std::unordered_map<std::string, std::vector<std::string>> users_by_node;
        for (std::size_t i = 0; i + 1 < r->elements;) {
            const redisReply* node = r->element[i];
            const redisReply* count = r->element[i + 1];
            if (node->type != REDIS_REPLY_STRING || count->type != REDIS_REPLY_INTEGER || count->integer < 0 ||
                static_cast<std::size_t>(count->integer) > r->elements - i - 2)
                return;
            auto& users = users_by_node[std::string(node->str, node->len)];
            for (std::size_t k = 0; k < static_cast<std::size_t>(count->integer); ++k) {
                const redisReply* u = r->element[i + 2 + k];
                if (u->type == REDIS_REPLY_STRING) users.emplace_back(u->str, u->len);
            }
            i += 2 + static_cast<std::size_t>(count->integer);
        }
        remote_.reset(users_by_node, std::chrono::steady_clock::now());
    });
}

void redis_bus::conversation_changed(const std::string& conversation_id) {
    if (!strand_) return;
    asio::post(*strand_, [this, conversation_id] { reconcile_conversation(conversation_id); });
}

void redis_bus::reconcile_user(const std::string& user_id) {
    if (!healthy_.load()) return;  // ready() announces everything once Redis is back
    const bool here = view_->has_user(user_id);
    if (here == announced_users_.contains(user_id)) return;
    envelope e;
    e.what = envelope::kind::presence;
    e.origin_node = options_.node_id;
    e.here = here;
    e.users = {{user_id, here ? view_->local_activity_of(user_id) : 0}};
    if (here) {
        announced_users_.insert(user_id);
        auto registered = std::make_shared<std::vector<registered_handler>>();
        arriving_[user_id] = registered;
        run(arrive_lua, {options_.node_id, ms_text(options_.presence_ttl), user_id},
            [this, user_id, registered](redisReply* r) {
                // nullptr: the link went down; the waiters go ahead all the same (they resync).
                if (auto it = arriving_.find(user_id); it != arriving_.end() && it->second == registered)
                    arriving_.erase(it);
                for (auto& done : std::exchange(*registered, {})) done();
                if (r && r->type == REDIS_REPLY_INTEGER && r->integer == 1 && presence_) presence_(user_id, true);
            });
    } else {
        announced_users_.erase(user_id);
        run(depart_lua, {options_.node_id, user_id}, [this, user_id](redisReply* r) {
            if (r && r->type == REDIS_REPLY_INTEGER && r->integer == 1 && presence_) presence_(user_id, false);
        });
    }
    broadcast(encode(e));
}

void redis_bus::reconcile_conversation(const std::string& conversation_id) {
    if (!healthy_.load()) return;
    const bool here = view_->has_conversation(conversation_id);
    if (here == announced_conversations_.contains(conversation_id)) return;
    if (here) announced_conversations_.insert(conversation_id);
    else announced_conversations_.erase(conversation_id);
    run(route_conversation_lua,
        {options_.node_id, ms_text(options_.presence_ttl), conversation_id, here ? "1" : "0"}, [](redisReply*) {});
}

void redis_bus::heartbeat() {
    if (!healthy_.load() || stopping_) return;
    if (heartbeat_pending_) {
        // No answer within a whole interval: a Redis that hangs is as good as gone.
        return link_down(attempt_, "no answer to the heartbeat");
    }
    std::vector<std::string> args{options_.node_id, ms_text(options_.presence_ttl),
                                  std::to_string(announced_users_.size())};
    args.insert(args.end(), announced_users_.begin(), announced_users_.end());
    args.insert(args.end(), announced_conversations_.begin(), announced_conversations_.end());
    heartbeat_pending_ = true;
    heartbeat_sent_ = std::chrono::steady_clock::now();
    const std::uint64_t attempt = attempt_;
    run(heartbeat_lua, std::move(args), [this, attempt](redisReply* r) {
        if (attempt != attempt_) return;
        heartbeat_pending_ = false;
        lag_ms_ = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::steady_clock::now() - heartbeat_sent_)
                                                 .count());
        if (!r || r->type != REDIS_REPLY_ARRAY) return;
        for (std::size_t i = 0; i < r->elements; ++i) {
            const std::string user(r->element[i]->str, r->element[i]->len);
            // A user of a dead node who has a socket here is still online (rare: the sweep
            // raced our own arrive); otherwise tell their peers they went offline.
            if (!view_->has_user(user) && presence_) presence_(user, false);
        }
    });
    // The list with each user's latest activity: the other nodes' notifiers skip a user active
    // here (granularity: this interval), and anything they missed is set right.
    envelope activity;
    activity.what = envelope::kind::activity;
    activity.origin_node = options_.node_id;
    activity.users.reserve(announced_users_.size());
    for (const auto& user : announced_users_) activity.users.push_back({user, view_->local_activity_of(user)});
    broadcast(encode(activity));
    heartbeat_timer_->expires_after(options_.presence_ttl / 3);
    heartbeat_timer_->async_wait([this](boost::system::error_code ec) {
        if (!ec) heartbeat();
    });
}

void redis_bus::receive(std::string_view payload) {
    auto e = decode(payload);
    if (!e) {
        spdlog::warn("bus: an envelope that does not decode ({} bytes) was ignored", payload.size());
        return;
    }
    if (e->origin_node == options_.node_id) return;  // our own echo
    if (e->what == envelope::kind::presence) {
        return remote_.announced(e->origin_node, e->users.front(), e->here, std::chrono::steady_clock::now());
    }
    if (e->what == envelope::kind::activity) {
        return remote_.snapshot(e->origin_node, e->users, std::chrono::steady_clock::now());
    }
    ++received_;
    if (e->what == envelope::kind::invalidation) {
        if (invalidation_) invalidation_(e->conversation_id);
    } else if (handler_) {
        handler_(e->d);
    }
}

}  // namespace writeen::bus
