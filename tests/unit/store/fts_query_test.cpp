#include "store/sqlite/fts_query.hpp"

#include <gtest/gtest.h>

namespace writeen::store::sqlite {
namespace {

TEST(fts_query, every_word_becomes_a_quoted_prefix_phrase) {
    EXPECT_EQ(to_match_expression("revisi bab"), R"("revisi"* "bab"*)");
    EXPECT_EQ(to_match_expression("  revisi\t\nbab  "), R"("revisi"* "bab"*)");
}

TEST(fts_query, quotes_inside_a_word_are_doubled_so_they_stay_text) {
    EXPECT_EQ(to_match_expression(R"(a"b)"), R"("a""b"*)");
    EXPECT_EQ(to_match_expression(R"("(")"), "") << "no letters or digits: nothing to search";
}

TEST(fts_query, operators_and_punctuation_only_words_lose_their_meaning) {
    EXPECT_EQ(to_match_expression("AND"), R"("AND"*)");
    EXPECT_EQ(to_match_expression("* ( ) - ^"), "");
    EXPECT_EQ(to_match_expression("NEAR(x"), R"("NEAR(x"*)");
}

TEST(fts_query, single_character_words_match_exactly_not_as_prefixes) {
    EXPECT_EQ(to_match_expression("bab 2"), R"("bab"* "2")");
}

TEST(fts_query, non_ascii_words_are_kept) { EXPECT_EQ(to_match_expression("SKRIPSÍ"), R"("SKRIPSÍ"*)"); }

TEST(fts_query, control_characters_separate_words) {
    EXPECT_EQ(to_match_expression(std::string("bab\0dua", 7)), R"("bab"* "dua"*)");
}

TEST(fts_query, at_most_max_query_terms_words_are_searched) {
    std::string many;
    for (int i = 0; i < 40; ++i) many += "w" + std::to_string(i) + " ";
    const std::string expression = to_match_expression(many);
    std::size_t phrases = 0;
    for (const char c : expression)
        if (c == '"') ++phrases;
    phrases /= 2;
    EXPECT_EQ(phrases, max_query_terms);
}

TEST(fts_query, stripping_markers_records_ranges_in_utf16_units) {
    const auto plain = strip_highlight_markers("\x01Revisi\x02 bab");
    EXPECT_EQ(plain.text, "Revisi bab");
    EXPECT_EQ(plain.matches, (std::vector<std::pair<int, int>>{{0, 6}}));

    const auto emoji = strip_highlight_markers(
        "😀 \x01revisi\x02 bab \x01"
        "2\x02");
    EXPECT_EQ(emoji.text, "😀 revisi bab 2");
    EXPECT_EQ(emoji.matches, (std::vector<std::pair<int, int>>{{3, 6}, {14, 1}}));

    const auto accented = strip_highlight_markers("…é \x01skripsí\x02");
    EXPECT_EQ(accented.matches, (std::vector<std::pair<int, int>>{{3, 7}}));
}

TEST(fts_query, utf16_length_counts_supplementary_characters_twice) {
    EXPECT_EQ(utf16_length(""), 0);
    EXPECT_EQ(utf16_length("abc"), 3);
    EXPECT_EQ(utf16_length("é"), 1);
    EXPECT_EQ(utf16_length("…"), 1);
    EXPECT_EQ(utf16_length("😀"), 2);
    EXPECT_EQ(utf16_length("👍🏽"), 4);
}

}  // namespace
}  // namespace writeen::store::sqlite
