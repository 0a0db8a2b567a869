#include "app/dev_seed.hpp"

#include <future>

#include "model/clock.hpp"

namespace writeen::app {
namespace {

auth::principal principal_of(const http::demo_user& u) {
    return auth::principal{u.id, u.name, "", u.role, now_ms() + 3'600'000};
}

template <class T, class Start>
T wait_for(Start start) {
    std::promise<T> promise;
    auto future = promise.get_future();
    start([&promise](std::exception_ptr e, T value) {
        if (e) promise.set_exception(e);
        else promise.set_value(std::move(value));
    });
    return future.get();
}

}  // namespace

std::vector<http::demo_user> demo_users() {
    return {{"student-ayu", "Ayu Lestari", role::student},
            {"tutor-budi", "Dr. Budi Santoso", role::tutor},
            {"student-rina", "Rina Wijaya", role::student}};
}

void seed_demo(chat::service& chat, const std::vector<http::demo_user>& users) {
    for (const auto& u : users) chat.seen(principal_of(u));
    const auto student = principal_of(users[0]);
    const auto tutor = principal_of(users[1]);

    auto existing = chat.conversations().list_conversations(tutor, {.type = conversation_type::consultation}, 1, 100);
    const bool has_room = std::any_of(existing.items.begin(), existing.items.end(),
                                      [](const conversation_view& v) { return v.conv.consultation_id == "demo-consultation"; });
    if (!has_room) {
        const auth::principal service{"writeen-consultation", "Writeen Consultation", "", role::service, now_ms() + 3'600'000};
        wait_for<std::pair<conversation_view, bool>>([&](auto done) {
            chat.conversations().create_conversation(service,
                                     {.type = conversation_type::consultation,
                                      .participant_ids = {users[0].id, users[1].id},
                                      .title = "Konsultasi Skripsi: Bab 2 Tinjauan Pustaka",
                                      .consultation_id = "demo-consultation"},
                                     std::move(done));
        });
    }
    wait_for<std::pair<conversation_view, bool>>([&](auto done) {
        chat.conversations().create_conversation(student, {.type = conversation_type::direct, .participant_ids = {tutor.user_id}},
                                 std::move(done));
    });
}

}  // namespace writeen::app
