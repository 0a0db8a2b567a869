#include <algorithm>

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_queries.hpp"
#include "store_test_support.hpp"

namespace writeen::store::testing {
namespace {

class sqlite_search : public sqlite_store_test {
  protected:
    void SetUp() override {
        sqlite_store_test::SetUp();
        write_and_wait(db(), [](transaction& tx) {
            tx.insert_conversation(make_conversation("thesis", {"student", "tutor"}));
            tx.insert_conversation(make_conversation("other", {"student", "friend"}));
            tx.insert_conversation(make_conversation("private", {"tutor", "friend"}));
        });
    }

    void say(const std::string& conversation_id, const std::string& id, const std::string& text) {
        write_and_wait(db(), [&](transaction& tx) {
            auto m = make_message(conversation_id, "tutor", text, 5000, id);
            append(tx, m);
        });
    }

    std::vector<search_hit> search(const std::string& user, const std::string& text,
                                   std::optional<std::string> conversation = std::nullopt, int offset = 0,
                                   int limit = 20) {
        return read_value(db(), [&](reader& r) { return r.search(user, conversation, text, offset, limit); });
    }

    static std::vector<std::string> ids_of(const std::vector<search_hit>& hits) {
        std::vector<std::string> out;
        for (const auto& h : hits) out.push_back(h.msg.id);
        return out;
    }
};

TEST_F(sqlite_search, finds_words_regardless_of_case_and_accents) {
    say("thesis", "m1", "Tolong kirim SKRIPSÍ kamu");
    say("thesis", "m2", "Revisi bab dua sudah saya baca");
    say("thesis", "m3", "Jadwal bimbingan besok");
    EXPECT_EQ(ids_of(search("student", "skripsi")), std::vector<std::string>{"m1"});
    EXPECT_EQ(ids_of(search("student", "revisi")), std::vector<std::string>{"m2"});
    EXPECT_EQ(ids_of(search("student", "RÉVISI")), std::vector<std::string>{"m2"});
    EXPECT_EQ(ids_of(search("student", "revisi bab")), std::vector<std::string>{"m2"})
        << "all words must match";
    EXPECT_TRUE(search("student", "revisi jadwal").empty());
}

TEST_F(sqlite_search, matches_word_beginnings_so_suffixed_forms_are_found) {
    say("thesis", "m1", "skripsinya sudah dikumpulkan");
    EXPECT_EQ(ids_of(search("student", "skripsi")), std::vector<std::string>{"m1"});
}

TEST_F(sqlite_search, returns_the_message_with_a_highlighted_fragment) {
    say("thesis", "m1", "Revisi bab 2 dan revisi bab 3");
    const auto hits = search("student", "revisi");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].msg.conversation_id, "thesis");
    EXPECT_EQ(hits[0].msg.seq, 1);
    EXPECT_EQ(hits[0].fragment, "Revisi bab 2 dan revisi bab 3");
    EXPECT_EQ(hits[0].matches, (std::vector<std::pair<int, int>>{{0, 6}, {17, 6}}));
}

TEST_F(sqlite_search, highlight_offsets_count_utf16_code_units) {
    say("thesis", "m1", "😀 revisi bab 2");
    say("thesis", "m2", "é revisi");
    auto hits = search("student", "revisi", std::nullopt);
    ASSERT_EQ(hits.size(), 2u);
    for (const auto& hit : hits) {
        ASSERT_EQ(hit.matches.size(), 1u) << hit.fragment;
        const std::pair<int, int> expected = hit.msg.id == "m1" ? std::pair{3, 6} : std::pair{2, 6};
        EXPECT_EQ(hit.matches[0], expected) << hit.msg.id << ": an emoji is two units, é is one";
    }
    hits = search("student", "bab");
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].fragment, "😀 revisi bab 2");
    EXPECT_EQ(hits[0].matches, (std::vector<std::pair<int, int>>{{10, 3}}));
}

TEST_F(sqlite_search, skips_deleted_messages_and_follows_edits) {
    say("thesis", "m1", "revisi pertama");
    say("thesis", "m2", "revisi kedua");
    write_and_wait(db(), [](transaction& tx) {
        auto gone = *tx.find_message("m1");
        gone.deleted_at = 6000;
        tx.update_message(gone);  // text kept on purpose: deletion alone must hide it
        auto edited = *tx.find_message("m2");
        edited.search_text = "catatan kedua";
        tx.update_message(edited);
    });
    EXPECT_TRUE(search("student", "revisi").empty());
    EXPECT_EQ(ids_of(search("student", "catatan")), std::vector<std::string>{"m2"});
    EXPECT_EQ(ids_of(search("student", "kedua")), std::vector<std::string>{"m2"});
}

TEST_F(sqlite_search, messages_changed_in_the_batch_that_stored_them_are_indexed_as_they_end_up) {
    write_and_wait(db(), [](transaction& tx) {
        auto edited = make_message("thesis", "tutor", "draf pertama", 5000, "edited");
        append(tx, edited);
        edited.search_text = "versi final";
        tx.update_message(edited);
        auto deleted = make_message("thesis", "tutor", "rahasia", 5000, "deleted");
        append(tx, deleted);
        deleted.deleted_at = 5001;
        tx.update_message(deleted);
    });
    EXPECT_TRUE(search("student", "draf").empty());
    EXPECT_EQ(ids_of(search("student", "final")), std::vector<std::string>{"edited"});
    EXPECT_TRUE(search("student", "rahasia").empty());

    // And later changes to them reach the index through the triggers.
    write_and_wait(db(), [](transaction& tx) {
        auto m = *tx.find_message("edited");
        m.search_text = "versi kedua";
        tx.update_message(m);
    });
    EXPECT_TRUE(search("student", "final").empty());
    EXPECT_EQ(ids_of(search("student", "kedua")), std::vector<std::string>{"edited"});
}

TEST_F(sqlite_search, the_index_survives_a_reopen) {
    say("thesis", "m1", "daftar pustaka");
    db_->close();
    db_ = open_store(options_in(dir_));
    EXPECT_EQ(ids_of(search("student", "pustaka")), std::vector<std::string>{"m1"});
    say("thesis", "m2", "pustaka baru");
    EXPECT_EQ(search("student", "pustaka").size(), 2u);
}

TEST_F(sqlite_search, only_searches_conversations_the_user_is_or_was_in) {
    say("thesis", "m1", "metodologi penelitian");
    say("private", "m2", "metodologi rahasia");
    say("other", "m3", "metodologi lain");
    EXPECT_EQ(ids_of(search("student", "metodologi")).size(), 2u);
    for (const auto& id : ids_of(search("student", "metodologi"))) EXPECT_NE(id, "m2");
    EXPECT_EQ(ids_of(search("student", "metodologi", std::string{"thesis"})), std::vector<std::string>{"m1"});
    EXPECT_TRUE(search("student", "metodologi", std::string{"private"}).empty());
    EXPECT_TRUE(search("stranger", "metodologi").empty());

    write_and_wait(db(), [](transaction& tx) { tx.set_participant_left("thesis", "student", 7000); });
    EXPECT_EQ(ids_of(search("student", "metodologi", std::string{"thesis"})), std::vector<std::string>{"m1"})
        << "a user who left keeps their history searchable";
}

TEST_F(sqlite_search, ranks_the_best_match_first_and_pages) {
    say("thesis", "weak",
        "revisi dan banyak kata lain yang tidak ada hubungannya dengan topik ini sama sekali");
    say("thesis", "strong", "revisi revisi revisi");
    say("thesis", "middle", "revisi bab satu dan bab dua");
    EXPECT_EQ(ids_of(search("student", "revisi")), (std::vector<std::string>{"strong", "middle", "weak"}));
    EXPECT_EQ(ids_of(search("student", "revisi", std::nullopt, 1, 1)), std::vector<std::string>{"middle"});
    EXPECT_TRUE(search("student", "revisi", std::nullopt, 0, 0).empty());
}

TEST_F(sqlite_search, ranks_the_newest_matches_and_pages_reach_older_ones) {
    // The best match is older than the newest 200 matches: a first page does not show it (see
    // docs/API-NOTES.md, "Search"); the older matches follow the ranked 200, newest first.
    write_and_wait(db(), [](transaction& tx) {
        auto best = make_message("thesis", "tutor", "revisi revisi revisi", 5000, "oldest-best");
        append(tx, best);
        for (int i = 0; i < 250; ++i) {
            auto m = make_message("thesis", "tutor", "revisi bab " + std::to_string(i) + " dengan catatan panjang", 5001 + i,
                                  "m" + std::to_string(i));
            append(tx, m);
        }
    });
    const auto first = ids_of(search("student", "revisi", std::string{"thesis"}, 0, 20));
    ASSERT_EQ(first.size(), 20u);
    EXPECT_EQ(std::count(first.begin(), first.end(), "oldest-best"), 0);
    EXPECT_EQ(ids_of(search("student", "revisi", std::nullopt, 0, 20)), first) << "across conversations alike";
    // Equally good matches come newest first.
    EXPECT_EQ(first.front(), "m249");
    EXPECT_EQ(ids_of(search("student", "revisi", std::string{"thesis"}, 200, 1)), std::vector<std::string>{"m49"})
        << "the 201st result is the newest match older than the ranked ones";
    const auto deep = ids_of(search("student", "revisi", std::string{"thesis"}, 240, 20));
    ASSERT_EQ(deep.size(), 11u);
    EXPECT_EQ(deep.back(), "oldest-best") << "every match is reachable by paging";
}

TEST_F(sqlite_search, finds_words_in_any_of_many_conversations_and_only_there) {
    // More conversations than one MATCH expression names: the user's are checked row by row.
    write_and_wait(db(), [](transaction& tx) {
        for (int i = 0; i < 60; ++i)
            tx.insert_conversation(make_conversation("many" + std::to_string(i), {"busy", "peer"}));
        tx.insert_conversation(make_conversation("elsewhere", {"peer", "friend"}));
        for (int i = 0; i < 60; i += 7) {
            auto m = make_message("many" + std::to_string(i), "peer", "jadwal sidang skripsi", 6000 + i,
                                  "s" + std::to_string(i));
            append(tx, m);
        }
        auto hidden = make_message("elsewhere", "peer", "jadwal sidang rahasia", 7000, "not-theirs");
        append(tx, hidden);
    });
    const auto hits = ids_of(search("busy", "sidang"));
    EXPECT_EQ(hits.size(), 9u);
    EXPECT_EQ(std::count(hits.begin(), hits.end(), "not-theirs"), 0);
    EXPECT_EQ(ids_of(search("busy", "sidang", std::string{"many56"})), std::vector<std::string>{"s56"});
    EXPECT_TRUE(search("busy", "sidang", std::string{"elsewhere"}).empty());
    EXPECT_EQ(ids_of(search("friend", "sidang")), std::vector<std::string>{"not-theirs"});
}

TEST_F(sqlite_search, conversation_ids_in_the_text_are_not_matched_as_conversations) {
    say("thesis", "m1", "bab satu");
    say("other", "m2", "thesis bab dua");
    EXPECT_EQ(ids_of(search("student", "thesis")), std::vector<std::string>{"m2"})
        << "only message text is searched, not the conversation column";
}

TEST_F(sqlite_search, hostile_query_text_never_throws) {
    say("thesis", "m1", "bab 2 \"kutipan\" (catatan) AND OR NOT * ^ - + : NEAR");
    const std::vector<std::string> queries = {
        "\"(",
        "(",
        ")",
        "\"",
        "*",
        "AND",
        "OR",
        "NOT",
        "NEAR(",
        "a OR b",
        "\"\"\"",
        "col:bab",
        "search_text:bab",
        "^bab",
        "-bab",
        "+",
        "''",
        "' OR 1=1 --",
        "",
        "   ",
        "…",
        "“kutipan”",
        "\x01\x02",
        "bab*",
        "{bab}",
        "[x]",
        "NEAR(bab 2, 1)",
        std::string(5000, 'x'),
        std::string("bab\0bab", 7),
    };
    for (const auto& q : queries) EXPECT_NO_THROW(search("student", q)) << q;
    EXPECT_EQ(ids_of(search("student", "\"kutipan\"")), std::vector<std::string>{"m1"});
    EXPECT_EQ(ids_of(search("student", "(catatan)")), std::vector<std::string>{"m1"});
    EXPECT_EQ(ids_of(search("student", "AND")), std::vector<std::string>{"m1"}) << "a word, not an operator";
    EXPECT_EQ(ids_of(search("student", "NEAR")), std::vector<std::string>{"m1"});
}

}  // namespace
}  // namespace writeen::store::testing
