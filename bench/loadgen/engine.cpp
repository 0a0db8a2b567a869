#include "engine.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <iostream>

namespace loadgen {
namespace json = boost::json;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t parse_arena_bytes = 64 * 1024;

std::string_view string_at(const json::object& obj, std::string_view key) {
    const auto* v = obj.if_contains(key);
    if (v == nullptr || !v->is_string()) return {};
    return v->get_string();
}

std::optional<std::uint64_t> uint_at(const json::object& obj, std::string_view key) {
    const auto* v = obj.if_contains(key);
    if (v == nullptr) return std::nullopt;
    if (v->is_uint64()) return v->get_uint64();
    if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
    return std::nullopt;
}

const json::object* object_at(const json::object& obj, std::string_view key) {
    const auto* v = obj.if_contains(key);
    return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

// The text of a benchmark message starts with "lg <scheduled steady-clock nanoseconds> ".
std::optional<steady::time_point> parse_stamp(std::string_view text) {
    if (text.size() < 4 || text.substr(0, 3) != "lg ") return std::nullopt;
    std::int64_t ns = 0;
    const auto* first = text.data() + 3;
    const auto [end, ec] = std::from_chars(first, text.data() + text.size(), ns);
    if (ec != std::errc{} || end == first) return std::nullopt;
    return steady::time_point{std::chrono::nanoseconds{ns}};
}

std::string_view message_text(const json::object& message) {
    const auto* content = object_at(message, "content");
    return content == nullptr ? std::string_view{} : string_at(*content, "text");
}

std::uint64_t micros_since(steady::time_point t) {
    const auto d = steady::now() - t;
    return d.count() < 0 ? 0
                         : static_cast<std::uint64_t>(
                               std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

// Marks bit `index`; returns whether it was already set.
bool test_and_set(std::vector<bool>& bits, std::uint64_t index) {
    if (index >= bits.size()) bits.resize(std::max<std::size_t>(index + 1, bits.size() * 2));
    const bool was = bits[index];
    bits[index] = true;
    return was;
}

// The value of attribute `name` in the start tag that opens `stanza` (XMPP servers quote with ' or ").
std::string_view start_tag_attribute(std::string_view stanza, std::string_view name) {
    const auto tag_end = stanza.find('>');
    const auto tag = stanza.substr(0, tag_end);
    for (std::size_t at = tag.find(name); at != std::string_view::npos; at = tag.find(name, at + 1)) {
        const auto after = at + name.size();
        if (at == 0 || tag[at - 1] != ' ' || after + 1 >= tag.size() || tag[after] != '=') continue;
        const char quote = tag[after + 1];
        const auto close = tag.find(quote, after + 2);
        if (close == std::string_view::npos) return {};
        return tag.substr(after + 2, close - after - 2);
    }
    return {};
}

constexpr std::string_view xmpp_open =
    "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='localhost' version='1.0'/>";
constexpr std::string_view muc_domain = "@conference.localhost";

}  // namespace

std::optional<client_id> parse_client_id(std::string_view text) {
    client_id id;
    const char* p = text.data();
    const char* end = text.data() + text.size();
    auto r = std::from_chars(p, end, id.user);
    if (r.ec != std::errc{} || r.ptr == end || *r.ptr != '-') return std::nullopt;
    r = std::from_chars(r.ptr + 1, end, id.step);
    if (r.ec != std::errc{} || r.ptr == end || *r.ptr != '-') return std::nullopt;
    r = std::from_chars(r.ptr + 1, end, id.counter);
    if (r.ec != std::errc{} || r.ptr != end) return std::nullopt;
    return id;
}

void step_counters::merge(const step_counters& o) {
    sent += o.sent;
    skipped += o.skipped;
    acked += o.acked;
    errors += o.errors;
    expected += o.expected;
    delivered += o.delivered;
    dup_client_id += o.dup_client_id;
    dup_seq += o.dup_seq;
    deliver_us.merge(o.deliver_us);
    ack_us.merge(o.ack_us);
}

void connection_counters::merge(const connection_counters& o) {
    connected += o.connected;
    failed += o.failed;
    dropped += o.dropped;
    frames_in += o.frames_in;
    bytes_in += o.bytes_in;
    frames_out += o.frames_out;
    other_events += o.other_events;
    connect_us.merge(o.connect_us);
}

// ---------------------------------------------------------------------------------------------
// connection

connection::connection(worker& owner, std::uint32_t user) : owner_(owner), user_(user) {}

void connection::start() {
    net::co_spawn(owner_.ioc(), [self = shared_from_this()] { return self->run(); },
                  net::detached);
}

void connection::close() {
    closing_ = true;
    if (ws_) {
        beast::error_code ec;
        beast::get_lowest_layer(*ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
        beast::get_lowest_layer(*ws_).close();
    }
}

net::awaitable<void> connection::run() {
    const auto& ctx = owner_.context();
    const auto& opts = *ctx.opts;
    const auto& node = ctx.nodes[user_ % ctx.nodes.size()];
    connect_started_ = steady::now();
    ws_.emplace(co_await net::this_coro::executor);
    auto& stream = beast::get_lowest_layer(*ws_);
    auto fail = [&](std::string_view what, const beast::error_code& ec) {
        if (!closing_) {
            ++owner_.counters().failed;
            if (owner_.counters().failed <= 5)
                std::cerr << "loadgen: user " << user_ << ": " << what << ": " << ec.message()
                          << '\n';
        }
        owner_.handshake_finished();
    };

    // Spread the client side over 127.0.0.1..127.0.0.K so that K x 28,000 ephemeral ports are
    // available; IP_BIND_ADDRESS_NO_PORT lets connect() pick the port per destination.
    beast::error_code ec;
    stream.socket().open(tcp::v4(), ec);
    if (!ec && node.endpoint.address().is_loopback() && opts.source_addresses > 1) {
        const int one = 1;
        ::setsockopt(stream.socket().native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
                     sizeof one);
        const auto source = net::ip::address_v4(0x7f000001u + user_ % opts.source_addresses);
        stream.socket().bind(tcp::endpoint(source, 0), ec);
    }
    if (ec) {
        fail("socket", ec);
        co_return;
    }
    stream.expires_after(std::chrono::seconds(30));
    std::tie(ec) = co_await stream.async_connect(node.endpoint, use_tuple);
    if (ec) {
        fail("connect", ec);
        co_return;
    }
    stream.socket().set_option(tcp::no_delay(true), ec);

    std::string target;
    switch (opts.proto) {
        case protocol::writeen: target = "/ws?token=" + ctx.tokens[user_]; break;
        case protocol::socketio: target = "/socket.io/?EIO=4&transport=websocket"; break;
        case protocol::ws: target = "/"; break;
        case protocol::xmpp:
            target = "/ws";
            ws_->set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
                req.set(beast::http::field::sec_websocket_protocol, "xmpp");
            }));
            break;
    }
    std::tie(ec) = co_await ws_->async_handshake(node.host_header, target, use_tuple);
    if (ec) {
        fail("websocket handshake", ec);
        co_return;
    }
    stream.expires_never();
    ws_->text(true);
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(30);
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_->set_option(timeouts);

    if (opts.proto == protocol::xmpp) enqueue(std::string(xmpp_open));
    // The plain ws peer needs joins to route; our clients join only to view (--join).
    if (opts.proto == protocol::ws || (opts.proto == protocol::writeen && opts.join)) {
        joins_pending_ = ctx.joins[user_].size();
        for (const auto conv : ctx.joins[user_]) send_join(ctx.plan->conversations[conv].id);
    }
    if (joins_pending_ == 0 && (opts.proto == protocol::writeen || opts.proto == protocol::ws)) became_ready();

    for (;;) {
        auto [read_ec, bytes] = co_await ws_->async_read(in_, use_tuple);
        if (read_ec) {
            if (!closing_) {
                auto& lost_count = ready_ ? owner_.counters().dropped : owner_.counters().failed;
                if (++lost_count <= 5)
                    std::cerr << "loadgen: user " << user_ << " closed by peer: "
                              << read_ec.message() << '\n';
                if (!ready_) owner_.handshake_finished();
            }
            ready_ = false;
            co_return;
        }
        ++owner_.counters().frames_in;
        owner_.counters().bytes_in += bytes;
        const auto data = in_.cdata();
        on_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
        in_.consume(bytes);
    }
}

void connection::became_ready() {
    if (ready_) return;
    ready_ = true;
    ++owner_.counters().connected;
    owner_.counters().connect_us.record(micros_since(connect_started_));
    owner_.handshake_finished();
}

void connection::enqueue(std::string frame) {
    if (!ws_ || closing_) return;
    out_.push_back(std::move(frame));
    if (!writing_) {
        writing_ = true;
        net::co_spawn(owner_.ioc(), [self = shared_from_this()] { return self->write_loop(); },
                      net::detached);
    }
}

net::awaitable<void> connection::write_loop() {
    while (!out_.empty()) {
        auto [ec, bytes] = co_await ws_->async_write(net::buffer(out_.front()), use_tuple);
        if (ec) {
            out_.clear();
            break;
        }
        ++owner_.counters().frames_out;
        out_.pop_front();
    }
    writing_ = false;
}

void connection::send_join(const std::string& conversation_id) {
    const json::object data{{"conversationId", conversation_id}};
    if (owner_.context().opts->proto == protocol::xmpp) {
        // Joining without the MUC <x/> element makes ejabberd create an unlocked (instant) room.
        enqueue("<presence to='" + conversation_id + std::string(muc_domain) + "/u" +
                std::to_string(user_) + "' xmlns='jabber:client'/>");
        return;
    }
    if (owner_.context().opts->proto == protocol::socketio) {
        // Acknowledged join: 42<id>["join_conversation",{...}] -> 43<id>[{...}].
        enqueue("42" + std::to_string(++socketio_ack_id_) +
                json::serialize(json::array{"join_conversation", data}));
    } else {
        enqueue(json::serialize(json::object{{"event", "join_conversation"}, {"data", data}}));
    }
}

void connection::send_message(std::uint32_t step, steady::time_point scheduled) {
    const auto& ctx = owner_.context();
    const auto conv_index = ctx.sends_to[user_];
    if (!conv_index) return;
    if (!ready_) {
        ++owner_.step(step).skipped;
        return;
    }
    const auto& conv = ctx.plan->conversations[*conv_index];
    const std::string client_id =
        std::to_string(user_) + '-' + std::to_string(step) + '-' + std::to_string(counter_++);
    std::string text = "lg " + std::to_string(scheduled.time_since_epoch().count()) + ' ';
    text += ctx.padding;
    json::object data{{"conversationId", conv.id},
                      {"type", "text"},
                      {"content", json::object{{"text", std::move(text)}}},
                      {"clientMessageId", client_id}};
    auto& counters = owner_.step(step);
    ++counters.sent;
    counters.expected += conv.members.size() - 1;
    if (ctx.opts->proto == protocol::xmpp) {
        // A MUC room reflects the message to every occupant, the sender included (its ack).
        enqueue("<message to='" + conv.id + std::string(muc_domain) + "' type='groupchat' id='" +
                client_id + "' xmlns='jabber:client'><body>" +
                std::string(data.at("content").at("text").as_string()) + "</body></message>");
        return;
    }
    if (ctx.opts->proto == protocol::socketio) {
        enqueue("42" + std::to_string(++socketio_ack_id_) +
                json::serialize(json::array{"send_message", std::move(data)}));
    } else {
        enqueue(json::serialize(json::object{
            {"event", "send_message"}, {"requestId", client_id}, {"data", std::move(data)}}));
    }
}

void connection::on_frame(std::string_view frame) {
    if (owner_.context().opts->proto == protocol::socketio) {
        on_socketio_packet(frame);
        return;
    }
    if (owner_.context().opts->proto == protocol::xmpp) {
        on_xmpp_stanza(frame);
        return;
    }
    boost::system::error_code ec;
    const auto value = owner_.parse(frame, ec);
    if (ec || !value.is_object()) {
        ++owner_.counters().other_events;
        return;
    }
    const auto& obj = value.get_object();
    const auto* data = object_at(obj, "data");
    static const json::object empty;
    on_event(string_at(obj, "event"), data != nullptr ? *data : empty);
}

// Engine.IO v4 packets over WebSocket: 0 open, 2 ping, 3 pong, 4 message; Socket.IO packets in a
// message: 0 connect, 2 event, 3 ack, 4 connect error.
void connection::on_socketio_packet(std::string_view packet) {
    if (packet.empty()) return;
    switch (packet[0]) {
        case '0': enqueue("40"); return;
        case '2': enqueue("3"); return;
        case '4': break;
        default: ++owner_.counters().other_events; return;
    }
    if (packet.size() < 2) return;
    const char type = packet[1];
    if (type == '0') {
        const auto& joins = owner_.context().joins[user_];
        joins_pending_ = joins.size();
        for (const auto conv : joins) send_join(owner_.context().plan->conversations[conv].id);
        if (joins_pending_ == 0) became_ready();
        return;
    }
    if (type != '2' && type != '3') {
        ++owner_.counters().other_events;
        return;
    }
    auto body = packet.substr(2);
    while (!body.empty() && body.front() >= '0' && body.front() <= '9') body.remove_prefix(1);
    boost::system::error_code ec;
    const auto value = owner_.parse(body, ec);
    if (ec || !value.is_array() || value.get_array().empty()) {
        ++owner_.counters().other_events;
        return;
    }
    const auto& args = value.get_array();
    static const json::object empty;
    if (type == '3') {
        const auto& payload = args[0].is_object() ? args[0].get_object() : empty;
        if (payload.contains("clientMessageId"))
            on_ack(payload);
        else
            on_event("joined", payload);
        return;
    }
    if (!args[0].is_string()) return;
    const auto& data = args.size() > 1 && args[1].is_object() ? args[1].get_object() : empty;
    on_event(args[0].get_string(), data);
}

// XMPP over WebSocket (RFC 7395): one stanza per frame. Anonymous SASL, resource binding, then a
// presence per room; the self-presence (status 110) confirms each join.
void connection::on_xmpp_stanza(std::string_view stanza) {
    if (stanza.starts_with("<message")) {
        const auto body_start = stanza.find("<body>");
        const auto body_end = stanza.find("</body>");
        if (body_start == std::string_view::npos || body_end == std::string_view::npos) {
            ++owner_.counters().other_events;  // the room subject, say
            return;
        }
        const auto text = stanza.substr(body_start + 6, body_end - body_start - 6);
        const auto id_text = start_tag_attribute(stanza, "id");
        const auto from = start_tag_attribute(stanza, "from");
        const json::object message{{"clientMessageId", id_text},
                                   {"conversationId", from.substr(0, from.find('@'))},
                                   {"content", json::object{{"text", text}}}};
        const auto id = parse_client_id(id_text);
        if (id && id->user == user_)
            on_ack(message);
        else
            on_delivery(message);
    } else if (stanza.starts_with("<presence")) {
        if (stanza.find("code='110'") != std::string_view::npos ||
            stanza.find("code=\"110\"") != std::string_view::npos)
            on_event("joined", json::object{});
        else if (start_tag_attribute(stanza, "type") == "error")
            std::cerr << "loadgen: user " << user_ << " join refused: " << stanza << '\n';
    } else if (stanza.find("features") != std::string_view::npos) {
        if (!xmpp_authenticated_)
            enqueue("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'/>");
        else
            enqueue("<iq type='set' id='bind' xmlns='jabber:client'><bind "
                    "xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
    } else if (stanza.starts_with("<success")) {
        xmpp_authenticated_ = true;
        enqueue(std::string(xmpp_open));
    } else if (stanza.starts_with("<iq") && start_tag_attribute(stanza, "id") == "bind") {
        const auto& joins = owner_.context().joins[user_];
        joins_pending_ = joins.size();
        for (const auto conv : joins) send_join(owner_.context().plan->conversations[conv].id);
        if (joins_pending_ == 0) became_ready();
    } else if (stanza.starts_with("<failure") || stanza.starts_with("<close")) {
        std::cerr << "loadgen: user " << user_ << ": " << stanza << '\n';
    }
}

void connection::on_event(std::string_view event, const json::object& data) {
    if (event == "message_received") {
        if (const auto* message = object_at(data, "message")) on_delivery(*message);
    } else if (event == "message_sent") {
        on_ack(data);
    } else if (event == "send_message") {
        // The plain ws peer broadcasts the sender's frame to the whole room, the sender included.
        const auto id = parse_client_id(string_at(data, "clientMessageId"));
        if (id && id->user == user_)
            on_ack(data);
        else
            on_delivery(data);
    } else if (event == "joined") {
        if (joins_pending_ > 0 && --joins_pending_ == 0) became_ready();
    } else if (event == "error") {
        on_error(data);
    } else {
        ++owner_.counters().other_events;
    }
}

void connection::on_ack(const json::object& data) {
    const auto id = parse_client_id(string_at(data, "clientMessageId"));
    if (!id || id->user != user_) {
        ++owner_.counters().other_events;
        return;
    }
    const auto* message = object_at(data, "message");
    const auto stamp = parse_stamp(message_text(message != nullptr ? *message : data));
    auto& counters = owner_.step(id->step);
    ++counters.acked;
    if (stamp) counters.ack_us.record(micros_since(*stamp));
    if (auto* acks = owner_.context().acks; acks != nullptr && message != nullptr)
        acks->record(string_at(*message, "conversationId"), uint_at(*message, "seq").value_or(0),
                     string_at(*message, "id"), string_at(data, "clientMessageId"));
}

void connection::on_delivery(const json::object& message) {
    const auto id = parse_client_id(string_at(message, "clientMessageId"));
    const auto stamp = parse_stamp(message_text(message));
    if (!id || !stamp) {
        ++owner_.counters().other_events;
        return;
    }
    auto& counters = owner_.step(id->step);
    if (test_and_set(seen_client_ids_[id->user], id->counter)) {
        ++counters.dup_client_id;
        return;
    }
    if (const auto seq = uint_at(message, "seq")) {
        if (test_and_set(seen_seqs_[std::string(string_at(message, "conversationId"))], *seq)) {
            ++counters.dup_seq;
            return;
        }
    }
    ++counters.delivered;
    counters.deliver_us.record(micros_since(*stamp));
}

void connection::on_error(const json::object& data) {
    static std::uint64_t printed = 0;  // only this thread prints; a few lines are enough
    if (printed++ < 5)
        std::cerr << "loadgen: user " << user_ << " error event: " << json::serialize(data) << '\n';
    const auto id = parse_client_id(string_at(data, "requestId"));
    if (!id) {
        ++owner_.counters().other_events;
        return;
    }
    auto& counters = owner_.step(id->step);
    ++counters.errors;
    const auto conv = owner_.context().sends_to[user_];
    if (conv) counters.expected -= owner_.context().plan->conversations[*conv].members.size() - 1;
}

// ---------------------------------------------------------------------------------------------
// worker

worker::worker(unsigned id, const run_context& ctx)
    : id_(id),
      ctx_(ctx),
      work_(net::make_work_guard(ioc_)),
      slot_freed_(ioc_),
      steps_(1),
      parse_arena_(new unsigned char[parse_arena_bytes]) {
    thread_ = std::thread([this] { ioc_.run(); });
}

worker::~worker() { shutdown(); }

step_counters& worker::step(std::uint32_t index) {
    if (index >= steps_.size()) steps_.resize(index + 1);
    return steps_[index];
}

json::value worker::parse(std::string_view text, boost::system::error_code& ec) {
    // A monotonic arena reused for every frame: no allocation per parse in the common case.
    // The value must not outlive the next call, which the callers respect.
    static thread_local std::optional<json::monotonic_resource> arena;
    arena.emplace(parse_arena_.get(), parse_arena_bytes);
    return json::parse(text, ec, json::storage_ptr(&*arena));
}

void worker::handshake_finished() {
    if (in_flight_ > 0) --in_flight_;
    slot_freed_.cancel();
}

void worker::connect_users(std::size_t users) {
    net::post(ioc_, [this, users] {
        std::vector<std::shared_ptr<connection>> batch;
        for (std::size_t u = created_up_to_; u < users; ++u) {
            if (u % ctx_.opts->threads != id_) continue;
            connections_.push_back(std::make_shared<connection>(*this, static_cast<std::uint32_t>(u)));
            batch.push_back(connections_.back());
        }
        created_up_to_ = std::max(created_up_to_, users);
        net::co_spawn(ioc_, launch(std::move(batch)), net::detached);
    });
}

net::awaitable<void> worker::launch(std::vector<std::shared_ptr<connection>> batch) {
    const std::size_t limit = std::max<std::size_t>(1, ctx_.opts->connect_concurrency);
    for (auto& conn : batch) {
        while (in_flight_ >= limit) {
            slot_freed_.expires_after(std::chrono::milliseconds(50));
            co_await slot_freed_.async_wait(use_tuple);
        }
        ++in_flight_;
        conn->start();
    }
}

void worker::begin_step(std::uint32_t step_index, double rate, steady::time_point start,
                        steady::time_point end, std::size_t users) {
    net::post(ioc_, [=, this] {
        step(step_index);
        std::vector<std::shared_ptr<connection>> senders;
        for (const auto& conn : connections_)
            if (conn->user() < users && ctx_.sends_to[conn->user()]) senders.push_back(conn);
        if (rate <= 0 || senders.empty()) return;
        net::co_spawn(ioc_, send_loop(step_index, rate, start, end, std::move(senders)),
                      net::detached);
    });
}

// Open loop: message k is due at start + k/rate whatever the server answered, and it carries
// that due time, so a slow server shows as latency instead of slowing the schedule down.
net::awaitable<void> worker::send_loop(std::uint32_t step_index, double rate,
                                       steady::time_point start, steady::time_point end,
                                       std::vector<std::shared_ptr<connection>> senders) {
    net::steady_timer timer(ioc_);
    const double interval_ns = 1e9 / rate;
    const auto due = [&](std::uint64_t k) {
        return start + std::chrono::nanoseconds(
                           static_cast<std::int64_t>(static_cast<double>(k) * interval_ns));
    };
    std::uint64_t k = 0;
    for (;;) {
        const auto now = steady::now();
        while (due(k) <= now && due(k) < end) {
            senders[k % senders.size()]->send_message(step_index, due(k));
            ++k;
        }
        if (due(k) >= end) break;
        timer.expires_at(due(k));
        co_await timer.async_wait(use_tuple);
    }
}

step_counters worker::step_snapshot(std::uint32_t index) {
    return call([&] { return step(index); });
}

connection_counters worker::connection_snapshot() {
    return call([&] { return counters_; });
}

void worker::shutdown() {
    if (!thread_.joinable()) return;
    net::post(ioc_, [this] {
        for (auto& conn : connections_) conn->close();
        work_.reset();
    });
    // Give the closes a moment to flush, then stop whatever is still pending.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ioc_.stop();
    thread_.join();
    connections_.clear();
}

}  // namespace loadgen
