#include "chat/service.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <future>
#include <mutex>
#include <random>
#include <thread>

#include "bus/bus.hpp"
#include "chat/posting.hpp"
#include "hub/hub.hpp"
#include "model/clock.hpp"
#include "proto/error.hpp"
#include "store/store_factory.hpp"

namespace writeen::chat {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using auth::principal;

/// A socket that records what the hub sends it.
class recording_connection final : public hub::connection {
public:
    recording_connection(std::uint64_t id, std::string user) : id_(id), user_(std::move(user)) {}
    std::uint64_t id() const override { return id_; }
    const std::string& user_id() const override { return user_; }
    void deliver(std::shared_ptr<const std::string> frame) override {
        std::lock_guard lock(mutex_);
        frames_.push_back(json::parse(*frame).as_object());
    }
    void close(std::uint16_t, std::string) override {}

    std::vector<json::object> events(std::string_view name) {
        std::lock_guard lock(mutex_);
        std::vector<json::object> out;
        for (const auto& f : frames_)
            if (f.at("event").as_string() == name) out.push_back(f);
        return out;
    }

private:
    std::uint64_t id_;
    std::string user_;
    std::mutex mutex_;
    std::vector<json::object> frames_;
};

template <class T, class Start>
T wait(Start start) {
    std::promise<T> promise;
    auto future = promise.get_future();
    start([&promise](std::exception_ptr e, T value) {
        if (e) promise.set_exception(e);
        else promise.set_value(std::move(value));
    });
    return future.get();
}

error_code code_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const api_error& e) {
        return e.code();
    }
    ADD_FAILURE() << "expected an api_error";
    return error_code::internal;
}

class chat_service_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("writeen-chat-test-" + std::to_string(std::random_device{}()));
        fs::create_directories(dir_);
        db_ = store::open_store({.path = (dir_ / "chat.db").string()});
        hub_ = std::make_unique<hub::hub>(bus_);
        service_ = std::make_unique<service>(*db_, *hub_, options{.rate_limit_per_second = 1000});
        for (const auto* who : {&student_, &tutor_, &stranger_}) service_->seen(*who);
        conversation_id_ = create(student_, conversation_type::direct, {tutor_.user_id}).first.conv.id;
    }

    void TearDown() override {
        db_->close();
        fs::remove_all(dir_);
    }

    std::pair<conversation_view, bool> create(const principal& who, conversation_type type,
                                              std::vector<std::string> participants) {
        return wait<std::pair<conversation_view, bool>>([&](auto done) {
            service_->conversations().create_conversation(who, {.type = type, .participant_ids = std::move(participants)}, done);
        });
    }

    send_result send(const principal& who, const std::string& text, const std::string& client_id = "",
                     std::uint64_t origin = 0) {
        send_request request{.conversation_id = conversation_id_, .client_message_id = client_id};
        service_->messages().validate_content(request, json::object{{"text", text}});
        return wait<send_result>([&](auto done) { service_->messages().send_message(who, request, origin, done); });
    }

    std::shared_ptr<recording_connection> connect(std::uint64_t id, const principal& who) {
        auto c = std::make_shared<recording_connection>(id, who.user_id);
        service_->presence().connect(c, who);
        return c;
    }

    fs::path dir_;
    std::unique_ptr<store::database> db_;
    bus::local_bus bus_;
    std::unique_ptr<hub::hub> hub_;
    std::unique_ptr<service> service_;
    principal student_{"student-1", "Ayu", "", role::student, now_ms() + 3'600'000};
    principal tutor_{"tutor-1", "Budi", "", role::tutor, now_ms() + 3'600'000};
    principal stranger_{"student-2", "Rina", "", role::student, now_ms() + 3'600'000};
    std::string conversation_id_;
};

TEST_F(chat_service_test, direct_conversation_of_the_same_pair_is_returned_not_duplicated) {
    auto [again, created] = create(tutor_, conversation_type::direct, {student_.user_id});
    EXPECT_FALSE(created);
    EXPECT_EQ(again.conv.id, conversation_id_);
}

TEST_F(chat_service_test, messages_get_gap_free_seq_in_send_order) {
    for (int i = 1; i <= 20; ++i) EXPECT_EQ(send(student_, "pesan " + std::to_string(i)).view.msg.seq, i);
}

TEST_F(chat_service_test, retried_send_with_same_client_id_is_stored_once) {
    auto first = send(student_, "halo", "client-1");
    auto retry = send(student_, "halo", "client-1");
    EXPECT_FALSE(first.duplicate);
    EXPECT_TRUE(retry.duplicate);
    EXPECT_EQ(first.view.msg.id, retry.view.msg.id);
    auto page = service_->messages().list_messages(student_, conversation_id_, {});
    EXPECT_EQ(page.messages.size(), 1u);
}

TEST_F(chat_service_test, sending_socket_gets_no_echo_but_the_senders_other_device_does) {
    auto phone = connect(1, student_);
    auto laptop = connect(2, student_);
    auto tutor_socket = connect(3, tutor_);
    auto result = send(student_, "bab dua sudah saya kirim", "c-1", phone->id());
    (void)result;
    EXPECT_TRUE(phone->events("message_received").empty());
    EXPECT_EQ(laptop->events("message_received").size(), 1u);
    EXPECT_EQ(tutor_socket->events("message_received").size(), 1u);
}

TEST_F(chat_service_test, a_stranger_cannot_read_or_write_the_conversation) {
    EXPECT_EQ(code_of([&] { send(stranger_, "hai"); }), error_code::not_found);
    EXPECT_EQ(code_of([&] { service_->messages().list_messages(stranger_, conversation_id_, {}); }), error_code::not_found);
}

TEST_F(chat_service_test, archived_conversation_is_read_only_until_unarchived) {
    wait<conversation_view>([&](auto done) {
        service_->conversations().update_conversation(tutor_, conversation_id_, {.archived = true}, done);
    });
    EXPECT_EQ(code_of([&] { send(student_, "masih bisa?"); }), error_code::forbidden);
    wait<conversation_view>([&](auto done) {
        service_->conversations().update_conversation(tutor_, conversation_id_, {.archived = false}, done);
    });
    EXPECT_EQ(send(student_, "bisa lagi").view.msg.seq, 1);
}

TEST_F(chat_service_test, students_cannot_archive) {
    EXPECT_EQ(code_of([&] {
                  wait<conversation_view>([&](auto done) {
                      service_->conversations().update_conversation(student_, conversation_id_, {.archived = true}, done);
                  });
              }),
              error_code::forbidden);
}

TEST_F(chat_service_test, edit_keeps_the_previous_text_and_a_deleted_message_cannot_be_edited) {
    auto sent = send(student_, "draf pertama");
    auto edited = wait<message_view>(
        [&](auto done) { service_->messages().edit_message(student_, sent.view.msg.id, "draf kedua", done); });
    EXPECT_TRUE(edited.msg.edited);
    ASSERT_EQ(edited.msg.edit_history.size(), 1u);
    EXPECT_EQ(edited.msg.edit_history[0].previous_text, "draf pertama");
    EXPECT_EQ(code_of([&] {
                  wait<message_view>([&](auto done) { service_->messages().edit_message(tutor_, sent.view.msg.id, "x", done); });
              }),
              error_code::forbidden);
    wait<message_view>([&](auto done) { service_->messages().delete_message(student_, sent.view.msg.id, done); });
    EXPECT_EQ(code_of([&] {
                  wait<message_view>([&](auto done) { service_->messages().edit_message(student_, sent.view.msg.id, "y", done); });
              }),
              error_code::conflict);
}

TEST_F(chat_service_test, reading_tells_the_sender_their_message_was_read) {
    auto student_socket = connect(1, student_);
    send(student_, "satu");
    auto second = send(student_, "dua");
    auto cursor = wait<std::int64_t>(
        [&](auto done) { service_->cursors().mark(tutor_, conversation_id_, 99, std::nullopt, true, done); });
    EXPECT_EQ(cursor, 2);  // clamped to the newest seq
    auto statuses = student_socket->events("message_status");
    ASSERT_EQ(statuses.size(), 1u);
    const auto& data = statuses[0].at("data").as_object();
    EXPECT_EQ(data.at("status").as_string(), "read");
    EXPECT_EQ(data.at("messageId").as_string(), second.view.msg.id);
    EXPECT_EQ(data.at("readBy").as_array().size(), 1u);
}

TEST_F(chat_service_test, read_cursor_never_moves_backward) {
    send(student_, "a");
    send(student_, "b");
    wait<std::int64_t>([&](auto done) { service_->cursors().mark(tutor_, conversation_id_, 2, std::nullopt, true, done); });
    auto cursor = wait<std::int64_t>(
        [&](auto done) { service_->cursors().mark(tutor_, conversation_id_, 1, std::nullopt, true, done); });
    EXPECT_EQ(cursor, 2);
}

TEST_F(chat_service_test, sync_returns_new_messages_and_changes_to_older_ones) {
    auto first = send(student_, "lama");
    const auto seen_change = first.view.msg.change_seq;
    wait<message_view>([&](auto done) { service_->messages().add_reaction(tutor_, first.view.msg.id, "👍", done); });
    send(student_, "baru 1");
    send(student_, "baru 2");
    auto result = service_->cursors().sync(tutor_, conversation_id_, 1, seen_change, 100);
    ASSERT_EQ(result.messages.size(), 2u);
    EXPECT_EQ(result.messages[0].msg.seq, 2);
    EXPECT_EQ(result.messages[1].msg.seq, 3);
    ASSERT_EQ(result.changes.size(), 1u);
    EXPECT_EQ(result.changes[0].msg.reactions.size(), 1u);
    EXPECT_EQ(result.last_seq, 3);
    EXPECT_FALSE(result.has_more);
}

TEST_F(chat_service_test, typing_reaches_only_sockets_that_joined) {
    auto joined = connect(1, tutor_);
    auto not_joined = connect(2, tutor_);
    service_->presence().join(tutor_, joined, conversation_id_);
    service_->presence().typing(student_, conversation_id_, true);
    EXPECT_EQ(joined->events("user_typing").size(), 1u);
    EXPECT_TRUE(not_joined->events("user_typing").empty());
}

TEST_F(chat_service_test, reactions_are_one_per_user_and_emoji) {
    auto sent = send(student_, "setuju?");
    wait<message_view>([&](auto done) { service_->messages().add_reaction(tutor_, sent.view.msg.id, "👍", done); });
    auto again = wait<message_view>([&](auto done) { service_->messages().add_reaction(tutor_, sent.view.msg.id, "👍", done); });
    EXPECT_EQ(again.msg.reactions.size(), 1u);
    EXPECT_EQ(code_of([&] {
                  wait<message_view>([&](auto done) { service_->messages().add_reaction(tutor_, sent.view.msg.id, "ok", done); });
              }),
              error_code::unprocessable);
}

TEST_F(chat_service_test, text_limits_give_the_documented_codes) {
    send_request request{.conversation_id = conversation_id_};
    EXPECT_EQ(code_of([&] { service_->messages().validate_content(request, json::object{{"text", "   "}}); }),
              error_code::unprocessable);
    EXPECT_EQ(code_of([&] { service_->messages().validate_content(request, json::object{{"text", std::string(10001, 'a')}}); }),
              error_code::payload_too_large);
    EXPECT_EQ(code_of([&] { service_->messages().validate_content(request, json::object{{"text", 5}}); }),
              error_code::bad_request);
    service_->messages().validate_content(request, json::object{{"text", std::string(10000, 'a')}});
    EXPECT_EQ(request.search_text.size(), 10000u);
}

TEST_F(chat_service_test, group_joins_and_leaves_appear_as_system_messages) {
    auto group = create(tutor_, conversation_type::group, {student_.user_id}).first.conv.id;
    wait<conversation_view>([&](auto done) {
        service_->conversations().add_participant(tutor_, group, stranger_.user_id, std::nullopt, std::nullopt, done);
    });
    wait<conversation_view>([&](auto done) { service_->conversations().remove_participant(stranger_, group, stranger_.user_id, done); });
    auto page = service_->messages().list_messages(tutor_, group, {});
    ASSERT_EQ(page.messages.size(), 2u);
    EXPECT_NE(page.messages[0].msg.content_json.find("user_left"), std::string::npos);
    EXPECT_NE(page.messages[1].msg.content_json.find("user_joined"), std::string::npos);
    EXPECT_EQ(code_of([&] {
                  wait<conversation_view>([&](auto done) {
                      service_->conversations().add_participant(student_, group, "someone", std::nullopt, std::nullopt, done);
                  });
              }),
              error_code::forbidden);
}

TEST_F(chat_service_test, a_removed_participant_can_neither_send_nor_receive_once_the_removal_is_answered) {
    // Readers hammer the conversation cache (typing reads through it) while the removal waits
    // for its COMMIT: a copy loaded in that window must not outlive the removal.
    for (int round = 0; round < 40; ++round) {
        auto group = create(tutor_, conversation_type::group, {student_.user_id, stranger_.user_id}).first.conv.id;
        auto removed_socket = connect(1000 + round, stranger_);
        std::atomic<bool> stop{false};
        std::vector<std::thread> readers;
        for (int i = 0; i < 2; ++i)
            readers.emplace_back([&, i] {
                while (!stop) {
                    try {
                        service_->presence().typing(stranger_, group, i % 2 == 0);
                    } catch (const api_error&) {
                    }
                }
            });
        std::thread racing_sender([&] {
            send_request request{.conversation_id = group};
            service_->messages().validate_content(request, json::object{{"text", "sebelum dikeluarkan"}});
            while (!stop) {
                std::promise<void> answered;
                try {
                    service_->messages().send_message(stranger_, request, 0, [&](std::exception_ptr, send_result) {
                        answered.set_value();
                    });
                    answered.get_future().wait();
                } catch (const api_error&) {
                }
            }
        });
        wait<conversation_view>([&](auto done) {
            service_->conversations().remove_participant(tutor_, group, stranger_.user_id, done);
        });

        send_request request{.conversation_id = group};
        service_->messages().validate_content(request, json::object{{"text", "sesudah dikeluarkan"}});
        EXPECT_EQ(code_of([&] {
                      wait<send_result>([&](auto done) { service_->messages().send_message(stranger_, request, 0, done); });
                  }),
                  error_code::forbidden)
            << "round " << round;
        EXPECT_EQ(code_of([&] { service_->presence().typing(stranger_, group, true); }), error_code::forbidden);
        const auto after = wait<send_result>([&](auto done) { service_->messages().send_message(tutor_, request, 0, done); });
        stop = true;
        for (auto& t : readers) t.join();
        racing_sender.join();

        for (const auto& frame : removed_socket->events("message_received"))
            EXPECT_NE(frame.at("data").at("message").at("id").as_string(), after.view.msg.id) << "round " << round;
        // Nothing the removed user sent is stored after their removal (the user_left message).
        auto page = service_->messages().list_messages(tutor_, group, {.limit = 1000});
        bool removal_seen = false;
        for (auto it = page.messages.rbegin(); it != page.messages.rend(); ++it) {
            if (it->msg.content_json.find("user_left") != std::string::npos) removal_seen = true;
            if (removal_seen && it->msg.type == message_type::text) {
                EXPECT_NE(it->msg.sender_id, stranger_.user_id) << "round " << round << " seq " << it->msg.seq;
            }
        }
        EXPECT_TRUE(removal_seen);
        service_->presence().disconnect(*removed_socket, stranger_);
    }
}

TEST_F(chat_service_test, a_client_message_id_stored_by_a_racing_writer_answers_the_stored_message) {
    // find_retry missed (another node's insert was not visible yet): the store refuses the
    // second insert and posting answers the stored message instead of failing.
    const conversation conv = service_->conversations().get_conversation(student_, conversation_id_).conv;
    const message_draft draft{.content_json = R"({"text":"halo"})", .search_text = "halo", .client_message_id = "race-1"};
    std::promise<std::pair<posted_message, posted_message>> result;
    db_->submit(
        [&](store::transaction& tx) {
            auto first = post_message(tx, conv, student_, draft);
            auto second = post_message(tx, conv, student_, draft);
            result.set_value({std::move(first), std::move(second)});
        },
        [](std::exception_ptr e) { ASSERT_FALSE(e); });
    auto [first, second] = result.get_future().get();
    EXPECT_FALSE(first.duplicate);
    EXPECT_TRUE(second.duplicate);
    EXPECT_EQ(second.view.msg.id, first.view.msg.id);
    EXPECT_EQ(send(student_, "berikutnya").view.msg.seq, first.view.msg.seq + 1) << "no gap in seq";
}

}  // namespace
}  // namespace writeen::chat
