#include "store/sqlite/column_codec.hpp"

#include <gtest/gtest.h>

#include "store/store.hpp"

namespace writeen::store::sqlite {
namespace {

TEST(column_codec, enumerations_are_stored_with_their_api_spelling) {
    EXPECT_EQ(to_text(role::service), "service");
    EXPECT_EQ(to_text(conversation_type::consultation), "consultation");
    EXPECT_EQ(to_text(message_type::sticker), "sticker");
    for (const auto r : {role::student, role::tutor, role::admin, role::service})
        EXPECT_EQ(role_from_text(to_text(r)), r);
    for (const auto t :
         {conversation_type::direct, conversation_type::consultation, conversation_type::group})
        EXPECT_EQ(conversation_type_from_text(to_text(t)), t);
    for (const auto t : {message_type::text, message_type::file, message_type::image, message_type::system,
                         message_type::sticker})
        EXPECT_EQ(message_type_from_text(to_text(t)), t);
    EXPECT_THROW(role_from_text("emperor"), unavailable);
}

TEST(column_codec, string_lists_round_trip_with_escapes) {
    const std::vector<std::string> values{".pdf", "a\"b", "back\\slash", "line\nbreak", "\x01", "ünï"};
    EXPECT_EQ(encode_strings({".pdf", ".docx"}), R"([".pdf",".docx"])");
    EXPECT_EQ(decode_strings(encode_strings(values)), values);
    EXPECT_TRUE(decode_strings("[]").empty());
    EXPECT_EQ(decode_strings(" [ \"a\" , \"b\" ] "), (std::vector<std::string>{"a", "b"}));
}

TEST(column_codec, unicode_escapes_written_by_other_tools_are_read) {
    EXPECT_EQ(decode_strings(R"(["\u00e9\ud83d\ude00\/"])"), std::vector<std::string>{"é😀/"});
}

TEST(column_codec, reactions_and_edit_history_round_trip) {
    const std::vector<reaction> reactions{{"u1", "👍", 1700000000000}, {"u\"2", "❤️", -1}};
    const auto decoded = decode_reactions(encode_reactions(reactions));
    ASSERT_EQ(decoded.size(), 2u);
    EXPECT_EQ(decoded[0].user_id, "u1");
    EXPECT_EQ(decoded[0].emoji, "👍");
    EXPECT_EQ(decoded[0].added_at, 1700000000000);
    EXPECT_EQ(decoded[1].user_id, "u\"2");
    EXPECT_EQ(decoded[1].added_at, -1);

    const std::vector<edit_record> history{{5, "teks lama\twith tab", "u1"}};
    const auto edits = decode_edit_history(encode_edit_history(history));
    ASSERT_EQ(edits.size(), 1u);
    EXPECT_EQ(edits[0].edited_at, 5);
    EXPECT_EQ(edits[0].previous_text, "teks lama\twith tab");
    EXPECT_EQ(edits[0].edited_by, "u1");
}

TEST(column_codec, unknown_members_are_skipped) {
    const auto decoded = decode_reactions(
        R"([{"userId":"u","extra":{"a":[1,2,{"b":null}]},"emoji":"x","flag":true,"addedAt":3}])");
    ASSERT_EQ(decoded.size(), 1u);
    EXPECT_EQ(decoded[0].emoji, "x");
    EXPECT_EQ(decoded[0].added_at, 3);
}

TEST(column_codec, a_damaged_column_is_reported_as_unavailable) {
    EXPECT_THROW(decode_strings("[\"a\""), unavailable);
    EXPECT_THROW(decode_strings("{}"), unavailable);
    EXPECT_THROW(decode_strings("[\"a\"] x"), unavailable);
    EXPECT_THROW(decode_reactions(R"([{"addedAt":"soon"}])"), unavailable);
    EXPECT_THROW(decode_strings(R"(["\q"])"), unavailable);
}

}  // namespace
}  // namespace writeen::store::sqlite
