#include "files/file_name.hpp"

#include <gtest/gtest.h>

namespace writeen::files {
namespace {

std::string sanitized(std::string_view s) {
    const auto n = file_name::sanitize(s);
    return n ? n->value() : "<rejected>";
}

TEST(file_name, keeps_only_the_last_path_component) {
    EXPECT_EQ(sanitized("/home/ani/skripsi.pdf"), "skripsi.pdf");
    EXPECT_EQ(sanitized("C:\\Users\\ani\\Bab 1.docx"), "Bab 1.docx");
    EXPECT_EQ(sanitized("a/b\\c.txt"), "c.txt");
}

TEST(file_name, reduces_names_with_dot_dot_segments_to_their_last_component) {
    EXPECT_EQ(sanitized("../../etc/passwd.txt"), "passwd.txt");
    EXPECT_EQ(sanitized("../etc/passwd"), "passwd");
    EXPECT_EQ(sanitized("..\\..\\boot.ini"), "boot.ini");
    EXPECT_EQ(sanitized("a/../b.pdf"), "b.pdf");
    EXPECT_EQ(sanitized("..\\x/../y\\z.txt"), "z.txt");
}

TEST(file_name, removes_nul_like_any_control_character) {
    EXPECT_EQ(sanitized(std::string_view("a\0.pdf", 6)), "a.pdf");
    EXPECT_EQ(sanitized(std::string_view("evil.exe\0.txt", 13)), "evil.exe.txt");
}

TEST(file_name, rejects_names_with_nothing_usable_left) {
    EXPECT_EQ(sanitized(".."), "<rejected>");
    EXPECT_EQ(sanitized("a/.."), "<rejected>");
    EXPECT_EQ(sanitized("."), "<rejected>");
    EXPECT_EQ(sanitized(""), "<rejected>");
    EXPECT_EQ(sanitized("dir/"), "<rejected>");
    EXPECT_EQ(sanitized("\x01\x02\x7f"), "<rejected>");
    EXPECT_EQ(sanitized("   "), "<rejected>");
    EXPECT_EQ(sanitized(std::string_view("\0", 1)), "<rejected>");
}

TEST(file_name, rejects_names_of_only_dots) {
    EXPECT_EQ(sanitized("..."), "<rejected>");
    EXPECT_EQ(sanitized("...."), "<rejected>");
    EXPECT_EQ(sanitized("a/..."), "<rejected>");
    EXPECT_EQ(sanitized("x\\ ... "), "<rejected>");
    EXPECT_EQ(sanitized(".\x01.."), "<rejected>");
}

TEST(file_name, dots_inside_a_name_are_fine) {
    EXPECT_EQ(sanitized("..pdf"), "..pdf");
    EXPECT_EQ(sanitized("...pdf"), "...pdf");
    EXPECT_EQ(sanitized("v1..2.pdf"), "v1..2.pdf");
    EXPECT_EQ(sanitized("..hidden.txt"), "..hidden.txt");
}

TEST(file_name, removes_control_and_bidi_override_characters) {
    EXPECT_EQ(sanitized("a\tb\r\nc\x1b.pdf"), "abc.pdf");
    EXPECT_EQ(sanitized("x\xC2\x85y.txt"), "xy.txt");                      // C1 NEL
    EXPECT_EQ(sanitized("invoice\xE2\x80\xAE" "fdp.exe"), "invoicefdp.exe");  // U+202E
}

TEST(file_name, replaces_invalid_utf8) {
    EXPECT_EQ(sanitized("a\xFF.txt"), "a\xEF\xBF\xBD.txt");
    EXPECT_EQ(sanitized("a\xC0\xAF.txt"), "a\xEF\xBF\xBD\xEF\xBF\xBD.txt");  // overlong '/'
}

TEST(file_name, caps_length_at_255_bytes_without_splitting_utf8_and_keeps_the_extension) {
    std::string name;
    for (int i = 0; i < 200; ++i) name += "\xC3\xA9";  // é, 2 bytes each
    name += ".pdf";
    const auto n = file_name::sanitize(name);
    ASSERT_TRUE(n);
    EXPECT_LE(n->value().size(), 255u);
    EXPECT_EQ(n->extension(), ".pdf");
    EXPECT_EQ(n->value().size(), 250u + 4u);  // 127 é would be 254 + 4 > 255
    const auto plain = file_name::sanitize(std::string(300, 'a'));
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->value().size(), 255u);
}

TEST(file_name, extension_is_the_last_one_lowercased) {
    EXPECT_EQ(extension_of("Thesis.v2.PDF"), ".pdf");
    EXPECT_EQ(extension_of("a.pdf.exe"), ".exe");
    EXPECT_EQ(extension_of("README"), "");
    EXPECT_EQ(extension_of(".bashrc"), "");
    EXPECT_EQ(extension_of("name."), "");
    EXPECT_EQ(extension_of("dir.d/file"), "");
}

TEST(file_name, content_disposition_has_ascii_fallback_and_utf8_form) {
    const auto n = file_name::sanitize("Bab \"2\" révisi;1.pdf");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->content_disposition(),
              "attachment; filename=\"Bab _2_ r_visi;1.pdf\"; "
              "filename*=UTF-8''Bab%20%222%22%20r%C3%A9visi%3B1.pdf");
    const auto plain = file_name::sanitize("notes.txt");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->content_disposition(), "attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt");
}

}  // namespace
}  // namespace writeen::files
