#include "chat/session_summary.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace writeen::chat {
namespace {

constexpr unix_ms t0 = 1'705'329'000'000;  // 2024-01-15T14:30:00Z

std::vector<participant> tutor_and_student() {
    return {participant{.user_id = "tutor", .role = role::tutor}, participant{.user_id = "student", .role = role::student}};
}

message text(std::string sender, std::string body, unix_ms at, message_type type = message_type::text) {
    message m;
    m.sender_id = std::move(sender);
    m.type = type;
    m.search_text = std::move(body);
    m.created_at = at;
    return m;
}

term_counts counts_of(const std::vector<std::string>& texts) {
    term_counts c;
    for (const auto& t : texts) c.add_text(t);
    return c;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(session_summary, terms_drop_stop_words_numbers_and_short_words_and_pair_adjacent_words) {
    // "tentang" is a stop word: no "tanya metode".
    EXPECT_EQ(terms_of("Saya mau tanya tentang Metode Penelitian, ya 2024"),
              (std::vector<std::string>{"tanya", "metode", "metode penelitian", "penelitian"}));
    // A stop word or a sentence end breaks a phrase.
    auto t = terms_of("bab dan metode. sampel data");
    EXPECT_FALSE(has(t, "bab metode"));
    EXPECT_FALSE(has(t, "metode sampel"));
    EXPECT_TRUE(has(t, "sampel data"));
}

TEST(session_summary, indonesian_session_topics_are_what_it_discussed_unlike_the_history_before) {
    // Earlier sessions were about the background chapter; this one is about sampling.
    const term_counts background = counts_of({
        "Latar belakang skripsi kamu sudah bagus",
        "Tolong perjelas latar belakang dan rumusan masalah",
        "Rumusan masalah sudah saya perbaiki pak",
        "Latar belakang perlu data skripsi terbaru",
        "Skripsi kamu menarik, rumusan masalah oke",
    });
    session_summary_builder b(tutor_and_student(), {});
    const std::vector<std::pair<std::string, std::string>> lines = {
        {"student", "Pak, saya bingung soal teknik sampling untuk skripsi"},
        {"tutor", "Teknik sampling purposive cocok untuk penelitian kualitatif"},
        {"student", "Berapa ukuran sampel yang ideal untuk purposive sampling?"},
        {"tutor", "Ukuran sampel tergantung kejenuhan data wawancara"},
        {"student", "Jadi wawancara mendalam dengan informan kunci ya pak"},
        {"tutor", "Betul, wawancara mendalam sampai kejenuhan data tercapai"},
        {"tutor", "Tolong revisi bagian teknik sampling di bab tiga"},
    };
    unix_ms at = t0;
    for (const auto& [who, body] : lines) b.add(text(who, body, at += 30'000));
    const auto s = b.finish(background, t0, t0 + 10 * 60'000);
    ASSERT_FALSE(s.key_topics.empty());
    EXPECT_EQ(s.key_topics.front(), "teknik sampling");
    EXPECT_TRUE(has(s.key_topics, "ukuran sampel"));
    EXPECT_TRUE(has(s.key_topics, "wawancara mendalam"));
    EXPECT_TRUE(has(s.key_topics, "kejenuhan data"));
    EXPECT_FALSE(has(s.key_topics, "skripsi")) << "the history talked about it more";
    EXPECT_FALSE(has(s.key_topics, "sampling")) << "a phrase replaces its words";
    EXPECT_LE(s.key_topics.size(), 8u);
    EXPECT_EQ(s.action_items, (std::vector<std::string>{"Tolong revisi bagian teknik sampling di bab tiga"}));
}

TEST(session_summary, english_session_topics_come_from_repeated_terms_and_phrases) {
    const term_counts background = counts_of({"We talked about the literature review", "The literature review is fine"});
    session_summary_builder b(tutor_and_student(), {"Send the survey draft"});
    unix_ms at = t0;
    bool tutor = false;
    for (const char* body : {"How should I run the regression analysis?", "Use a linear regression with control variables",
                             "Which control variables matter for the regression analysis?",
                             "Income and age are the control variables; check multicollinearity",
                             "Please rerun the regression analysis with robust errors",
                             "- [ ] send the survey draft", "TODO: clean the dataset"})
        b.add(text((tutor = !tutor) ? "student" : "tutor", body, at += 1000));
    const auto s = b.finish(background, t0, t0 + 60'000);
    ASSERT_GE(s.key_topics.size(), 2u);
    EXPECT_TRUE(has(s.key_topics, "regression analysis"));
    EXPECT_TRUE(has(s.key_topics, "control variables"));
    EXPECT_FALSE(has(s.key_topics, "literature review"));
    // Given first; a found line equal to a given one (in another case) is listed once.
    EXPECT_EQ(s.action_items, (std::vector<std::string>{"Send the survey draft",
                                                        "Please rerun the regression analysis with robust errors",
                                                        "TODO: clean the dataset"}));
}

TEST(session_summary, activity_counts_and_response_time_follow_the_definitions) {
    session_summary_builder b(tutor_and_student(), {});
    b.add(text("student", "satu", t0));
    b.add(text("student", "dua", t0 + 10'000));
    b.add(text("tutor", "jawab", t0 + 30'000));  // answers both: 30 s and 20 s
    b.add(text("tutor", "file", t0 + 40'000, message_type::file));
    b.add(text("student", "oke", t0 + 100'000));  // answers both tutor messages: 70 s and 60 s
    message system = text("service", "started", t0 + 110'000, message_type::system);
    b.add(system);
    const auto s = b.finish(term_counts{}, t0, t0 + 2 * 60'000);
    EXPECT_EQ(s.total_messages, 5);
    EXPECT_EQ(s.files_shared, 1);
    ASSERT_TRUE(s.response_time);
    EXPECT_DOUBLE_EQ(*s.response_time, 45.0);  // (30 + 20 + 70 + 60) / 4
    ASSERT_TRUE(s.engagement);
    EXPECT_DOUBLE_EQ(*s.engagement, 2.5);  // 5 messages in 2 minutes
    ASSERT_EQ(s.participants.size(), 2u);
    const auto& student = s.participants[1];
    EXPECT_EQ(student.user_id, "student");
    EXPECT_EQ(student.message_count, 3);
    EXPECT_EQ(student.joined_at, t0);
    EXPECT_EQ(student.left_at, t0 + 100'000);
    EXPECT_EQ(s.participants[0].files_shared, 1);
}

TEST(session_summary, a_silent_participant_is_listed_without_activity_and_nothing_is_answered) {
    session_summary_builder b(tutor_and_student(), {});
    b.add(text("student", "halo", t0));
    const auto s = b.finish(term_counts{}, t0, t0 + 1000);
    EXPECT_FALSE(s.response_time);
    EXPECT_FALSE(s.participants[0].joined_at);
    EXPECT_EQ(s.participants[0].message_count, 0);
    EXPECT_DOUBLE_EQ(*s.engagement, 1.0) << "a session under a minute counts as one minute";
    EXPECT_TRUE(s.key_topics.empty()) << "no term occurs twice";
}

TEST(session_summary, task_lines_need_a_cue_at_the_start_of_a_line) {
    EXPECT_EQ(task_lines("oke\nSilakan baca jurnal ini\n* harus selesai Jumat\nsaya harus pulang\n- [ ]   \nplease"),
              (std::vector<std::string>{"Silakan baca jurnal ini", "harus selesai Jumat"}));
}

}  // namespace
}  // namespace writeen::chat
