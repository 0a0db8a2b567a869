#include "chat/emoji.hpp"

#include <gtest/gtest.h>

#include <string>

namespace writeen::chat {
namespace {

TEST(emoji, single_emoji_and_their_sequences_are_one_reaction) {
    EXPECT_TRUE(valid_emoji("👍"));
    EXPECT_TRUE(valid_emoji("🎉"));
    EXPECT_TRUE(valid_emoji("❤"));          // text-presentation emoji without VS16
    EXPECT_TRUE(valid_emoji("❤️"));         // with VS16
    EXPECT_TRUE(valid_emoji("©️"));
}

TEST(emoji, skin_tones_follow_modifier_bases) {
    EXPECT_TRUE(valid_emoji("👍🏽"));
    EXPECT_TRUE(valid_emoji("👋🏿"));
    EXPECT_TRUE(valid_emoji("🏽"));  // a swatch alone is an emoji too
    EXPECT_FALSE(valid_emoji("🎉🏽"));  // a party popper takes no skin tone
    EXPECT_FALSE(valid_emoji("a🏽"));
    EXPECT_FALSE(valid_emoji("🏽🏽"));
}

TEST(emoji, zwj_sequences_of_emoji_are_one_reaction) {
    EXPECT_TRUE(valid_emoji("👩‍🎓"));
    EXPECT_TRUE(valid_emoji("👨‍👩‍👧‍👦"));
    EXPECT_TRUE(valid_emoji("🏳️‍🌈"));
    EXPECT_TRUE(valid_emoji("👩🏽‍💻"));
    EXPECT_TRUE(valid_emoji("🧑‍🤝‍🧑"));
}

TEST(emoji, flags_are_pairs_of_regional_indicators) {
    EXPECT_TRUE(valid_emoji("🇮🇩"));
    EXPECT_FALSE(valid_emoji("🇮"));
    EXPECT_FALSE(valid_emoji("🇮🇩🇮"));
    EXPECT_FALSE(valid_emoji("🇮🇩🇲🇾"));
}

TEST(emoji, tag_sequences_are_flags_of_subdivisions) {
    EXPECT_TRUE(valid_emoji("🏴󠁧󠁢󠁥󠁮󠁧󠁿"));  // England
    EXPECT_FALSE(valid_emoji("🏴\U000E0067\U000E0062"));  // no cancel tag
    EXPECT_FALSE(valid_emoji("👍\U000E0067\U000E007F"));  // tags after another emoji
}

TEST(emoji, keycaps_need_the_keycap_mark) {
    EXPECT_TRUE(valid_emoji("1️⃣"));
    EXPECT_TRUE(valid_emoji("#\u20E3"));
    EXPECT_FALSE(valid_emoji("1"));
    EXPECT_FALSE(valid_emoji("#"));
    EXPECT_FALSE(valid_emoji("1\uFE0F"));
    EXPECT_FALSE(valid_emoji("a\u20E3"));
}

TEST(emoji, text_and_invisible_characters_are_not_a_reaction) {
    EXPECT_FALSE(valid_emoji(""));
    EXPECT_FALSE(valid_emoji("a"));
    EXPECT_FALSE(valid_emoji("ok"));
    EXPECT_FALSE(valid_emoji("é"));
    EXPECT_FALSE(valid_emoji("\u202E"));          // right-to-left override
    EXPECT_FALSE(valid_emoji("\u202E👍"));
    EXPECT_FALSE(valid_emoji("👍\u202E"));
    EXPECT_FALSE(valid_emoji("\u200B"));          // zero-width space
    EXPECT_FALSE(valid_emoji("\u00A0"));
    EXPECT_FALSE(valid_emoji("\uFE0F"));          // a lone variation selector
    EXPECT_FALSE(valid_emoji("漢"));
}

TEST(emoji, two_emoji_or_broken_joins_are_not_one_reaction) {
    EXPECT_FALSE(valid_emoji("👍👍"));
    EXPECT_FALSE(valid_emoji("👍 "));
    EXPECT_FALSE(valid_emoji("\u200D"));          // a lone zero-width joiner
    EXPECT_FALSE(valid_emoji("👍\u200D"));        // a joiner with nothing after it
    EXPECT_FALSE(valid_emoji("\u200D👍"));
    EXPECT_FALSE(valid_emoji("👍\u200D\u200D👍"));
    EXPECT_FALSE(valid_emoji("a\u200Db"));        // joined letters
    EXPECT_FALSE(valid_emoji("👩\u200Da"));
    EXPECT_FALSE(valid_emoji("👍\uFE0E"));        // text presentation is not an emoji reaction
}

TEST(emoji, oversized_or_invalid_utf8_is_refused) {
    EXPECT_FALSE(valid_emoji(std::string(40, 'x')));
    EXPECT_FALSE(valid_emoji("👨‍👩‍👧‍👦👨‍👩‍👧‍👦"));  // two families: over 32 bytes anyway
    EXPECT_FALSE(valid_emoji("\xF0\x9F\x91"));        // truncated 👍
    EXPECT_FALSE(valid_emoji("\xED\xA0\xBD"));        // a surrogate
    EXPECT_FALSE(valid_emoji("\xC0\xBF"));            // overlong
}

}  // namespace
}  // namespace writeen::chat
