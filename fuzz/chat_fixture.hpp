#pragma once
// The server's chat side for the fuzz targets that go through real handlers: an SQLite store in
// a temporary folder, the hub, the chat service, a student and a tutor in one conversation.
#include <boost/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>

#include "bus/bus.hpp"
#include "chat/service.hpp"
#include "http/metrics.hpp"
#include "http/ws_api.hpp"
#include "hub/hub.hpp"
#include "model/clock.hpp"
#include "store/store_factory.hpp"

namespace writeen::fuzz {

namespace fs = std::filesystem;

/// A socket that checks every frame the server sends it is a JSON object naming its event.
class checking_client final : public http::ws_client {
public:
    checking_client(std::uint64_t id, auth::principal who) : id_(id), who_(std::move(who)) {}
    std::uint64_t id() const override { return id_; }
    const std::string& user_id() const override { return who_.user_id; }
    const auth::principal& who() const override { return who_; }
    void deliver(std::shared_ptr<const std::string> frame) override {
        boost::system::error_code ec;
        const auto v = boost::json::parse(*frame, ec);
        if (ec || !v.is_object() || !v.as_object().contains("event")) std::abort();
    }
    void close(std::uint16_t, std::string) override {}

private:
    std::uint64_t id_;
    auth::principal who_;
};

/// The server's chat side on a database of its own, made once per fuzzing process.
struct chat_server {
    fs::path dir = fs::temp_directory_path() / ("writeen-fuzz-" + std::to_string(::getpid()));
    std::unique_ptr<store::database> db;
    bus::local_bus bus;
    std::unique_ptr<hub::hub> hub;
    std::unique_ptr<chat::service> service;
    http::metrics metrics;
    const auth::principal student{"student-1", "Ayu", "", role::student, now_ms() + 86'400'000'000};
    const auth::principal tutor{"tutor-1", "Budi", "", role::tutor, now_ms() + 86'400'000'000};
    std::string conversation_id;

    chat_server() {
        fs::create_directories(dir);
        db = store::open_store({.path = (dir / "chat.db").string(), .synchronous_full = false});
        hub = std::make_unique<hub::hub>(bus);
        service = std::make_unique<chat::service>(*db, *hub, chat::options{.rate_limit_per_second = 1e9});
        service->seen(student);
        service->seen(tutor);
        std::promise<std::string> created;
        service->conversations().create_conversation(
            student, {.type = conversation_type::group, .participant_ids = {tutor.user_id}, .title = "Bab 2"},
            [&created](std::exception_ptr e, std::pair<conversation_view, bool> r) {
                if (e) std::abort();
                created.set_value(r.first.conv.id);
            });
        conversation_id = created.get_future().get();
    }
    ~chat_server() {
        db->close();
        fs::remove_all(dir);
    }

    /// Waits until every write queued so far has committed and its completion ran.
    void drain() {
        std::promise<void> done;
        db->submit([](store::transaction&) {}, [&done](std::exception_ptr) { done.set_value(); });
        done.get_future().wait();
    }
};

/// frame with every `$` followed by key replaced by value: ids and tokens cannot be guessed by
/// a fuzzer, so seeds name them by placeholder.
inline std::string substitute(std::string_view frame, char key, const std::string& value) {
    std::string out;
    for (std::size_t i = 0; i < frame.size(); ++i) {
        if (frame[i] == '$' && i + 1 < frame.size() && frame[i + 1] == key) {
            out += value;
            ++i;
        } else {
            out += frame[i];
        }
    }
    return out;
}

}  // namespace writeen::fuzz
