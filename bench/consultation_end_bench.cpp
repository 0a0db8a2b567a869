// How long `POST /api/consultations/:id/end` takes in the chat domain for a session of 5,000
// messages in a conversation of 100,000: the background term counts (read connection), the
// summary over the session (writer), the summary message and the commit. A timed program rather
// than a Google Benchmark: each measurement consumes its session, so it runs once per session.
//
//   ./build/bench/consultation_end_bench [runs] [normal|full]
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include "bus/bus.hpp"
#include "chat/service.hpp"
#include "hub/hub.hpp"
#include "model/clock.hpp"
#include "model/ids.hpp"
#include "store/store_factory.hpp"

namespace {

using namespace writeen;
constexpr int conversation_size = 100'000;
constexpr int session_size = 5'000;
constexpr int batch = 1'000;

// Thesis-consultation chatter: a vocabulary that repeats, as real history does.
const std::vector<std::string> phrases{
    "latar belakang penelitian perlu diperjelas", "rumusan masalah sudah cukup baik",
    "metode penelitian kualitatif dengan wawancara", "teknik sampling purposive untuk informan",
    "ukuran sampel tergantung kejenuhan data", "tolong revisi bab tiga bagian analisis",
    "kerangka teori dari jurnal internasional", "please check the literature review again",
    "hasil uji validitas dan reliabilitas kuesioner", "jadwal sidang proposal minggu depan"};

template <class T, class Start>
T wait(Start start) {
    std::promise<T> p;
    auto f = p.get_future();
    start([&p](std::exception_ptr e, T v) {
        if (e) p.set_exception(e);
        else p.set_value(std::move(v));
    });
    return f.get();
}

void append(store::database& db, const conversation& c, const std::string& session_id, int count,
            const std::vector<std::string>& senders) {
    for (int done = 0; done < count; done += batch) {
        std::promise<void> committed;
        db.submit(
            [&, done](store::transaction& tx) {
                for (int i = done; i < std::min(count, done + batch); ++i) {
                    message m;
                    m.id = make_object_id();
                    m.conversation_id = c.id;
                    m.sender_id = senders[static_cast<std::size_t>(i) % senders.size()];
                    m.search_text = phrases[static_cast<std::size_t>(i * 7 + done) % phrases.size()] + " " + std::to_string(i % 97);
                    m.content_json = "{\"text\":\"" + m.search_text + "\"}";
                    m.session_id = session_id;
                    m.consultation_id = c.consultation_id;
                    m.created_at = m.updated_at = now_ms();
                    m.change_seq = m.created_change_seq = tx.next_change_seq(c.id);
                    tx.append_message(m);
                }
            },
            [&committed](std::exception_ptr e) {
                if (e) committed.set_exception(e);
                else committed.set_value();
            });
        committed.get_future().get();
    }
}

}  // namespace

int main(int argc, char** argv) {
    const int runs = argc > 1 ? std::atoi(argv[1]) : 5;
    const bool full = argc > 2 && std::string(argv[2]) == "full";
    std::string pattern = (std::filesystem::temp_directory_path() / "writeen-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return 1;
    {
        auto db = store::open_store({.path = pattern + "/bench.db", .synchronous_full = full});
        bus::local_bus bus;
        hub::hub hub(bus);
        chat::service chat(*db, hub, {});
        const auth::principal service{"svc", "Consultation", "", role::service, now_ms() + 3'600'000};
        auto confirmed = wait<chat::confirmed_consultation>([&](auto done) {
            chat.consultations().confirm(service, "bench-1",
                                         {.title = "Bimbingan", .tutor_id = "tutor", .student_ids = {"student"},
                                          .scheduled_start = now_ms(), .scheduled_end = now_ms() + 3'600'000},
                                         std::move(done));
        });
        const conversation c = confirmed.conversation.conv;
        append(*db, c, "", conversation_size - session_size - 2, {"tutor", "student"});
        std::printf("storage %s; session of %d messages; times of `end` in ms\n", full ? "synchronous=FULL" : "NORMAL",
                    session_size);
        for (int run = 0; run < runs; ++run) {
            auto session = wait<chat_session>([&](auto done) { chat.consultations().start(service, "bench-1", std::move(done)); });
            append(*db, c, session.id, session_size, {"tutor", "student", "student"});
            const auto t0 = std::chrono::steady_clock::now();
            auto ended = wait<chat_session>([&](auto done) {
                chat.consultations().end(service, "bench-1", {.action_items = {"Kirim bab 4"}}, std::move(done));
            });
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            std::printf("run %d: conversation of %lld messages: end %.1f ms\n", run + 1,
                        static_cast<long long>(ended.last_seq), ms);
        }
        db->close();
    }
    std::filesystem::remove_all(pattern);
    return 0;
}
