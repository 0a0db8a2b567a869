#include "files/content_sniffer.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace writeen::files {
namespace {

std::string content_types_xml() {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
           "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
           "<Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>";
}

std::string docx() {
    return test::make_zip({{"[Content_Types].xml", content_types_xml(), true},
                           {"_rels/.rels", "<Relationships/>", true},
                           {"word/document.xml", "<w:document/>", true}});
}

std::string pptx() {
    return test::make_zip({{"[Content_Types].xml", content_types_xml(), true},
                           {"_rels/.rels", "<Relationships/>", true},
                           {"ppt/presentation.xml", "<p:presentation/>", true}});
}

class content_sniffer_test : public ::testing::Test {
protected:
    // Sniffs like the upload handler: the first sniff_bytes of the file.
    bool accepted(std::string_view ext, std::string_view data) {
        const std::string_view head = data.substr(0, content_sniffer::sniff_bytes);
        return content_sniffer::matches_extension(ext, sniffer_.sniff(head), head);
    }
    content_sniffer sniffer_;
};

// libmagic returns no answer at all for these ten bytes (found by content_sniffer_fuzz); they
// must be of no known type, refused for every extension, not an exception (a 500 on upload).
TEST_F(content_sniffer_test, bytes_libmagic_cannot_name_are_of_no_allowed_type) {
    const std::string bytes("\x00\x00\xFE\xFF\xFF\xF7\x00\x21\x41\xD8", 10);
    ASSERT_NO_THROW(sniffer_.sniff(bytes));
    EXPECT_EQ(sniffer_.sniff(bytes), "application/octet-stream");
    for (const char* ext : {".txt", ".pdf", ".docx", ".pptx", ".png", ".jpg", ".gif"})
        EXPECT_FALSE(accepted(ext, bytes)) << ext;
}

TEST_F(content_sniffer_test, sniffs_the_allowed_types) {
    EXPECT_EQ(sniffer_.sniff("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), "application/pdf");
    EXPECT_EQ(sniffer_.sniff(test::png_bytes()), "image/png");
    EXPECT_EQ(sniffer_.sniff(std::string("GIF89a\x10\x00\x10\x00\x80\x00\x00", 13) + std::string(32, '\0')), "image/gif");
    EXPECT_EQ(sniffer_.sniff(std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20) +
                             std::string(64, '\0')),
              "image/jpeg");
    EXPECT_EQ(sniffer_.sniff("Catatan bimbingan: revisi bab 2 sebelum Jumat.\n"), "text/plain");
}

TEST_F(content_sniffer_test, a_png_renamed_to_pdf_is_refused) {
    EXPECT_TRUE(accepted(".png", test::png_bytes()));
    EXPECT_FALSE(accepted(".pdf", test::png_bytes()));
    EXPECT_FALSE(accepted(".jpg", test::png_bytes()));
}

TEST_F(content_sniffer_test, text_accepts_any_text_but_not_binaries) {
    EXPECT_TRUE(accepted(".txt", "hello\n"));
    EXPECT_TRUE(accepted(".txt", "#include <stdio.h>\nint main(void) { return 0; }\n"));
    EXPECT_TRUE(accepted(".txt", ""));
    EXPECT_TRUE(accepted(".txt", "Skripsi tentang \xC3\xA9tude\n"));
    EXPECT_FALSE(accepted(".txt", std::string("\x7f" "ELF\x02\x01\x01", 7) + std::string(100, '\0')));
    EXPECT_FALSE(accepted(".txt", test::random_bytes(4096)));
}

TEST_F(content_sniffer_test, office_documents_must_hold_their_document_folder) {
    EXPECT_TRUE(accepted(".docx", docx()));
    EXPECT_TRUE(accepted(".pptx", pptx()));
    EXPECT_FALSE(accepted(".docx", pptx()));
    EXPECT_FALSE(accepted(".pptx", docx()));
    const std::string plain_zip = test::make_zip({{"payload.exe", "MZ", false}});
    EXPECT_FALSE(accepted(".docx", plain_zip));
    EXPECT_FALSE(accepted(".pdf", docx()));
}

TEST_F(content_sniffer_test, a_generic_zip_with_the_document_folder_is_a_document) {
    // No [Content_Types].xml first, so libmagic only sees a zip; the entry names decide.
    const std::string zip = test::make_zip({{"docProps/app.xml", "<Properties/>", true},
                                            {"word/document.xml", "<w:document/>", true}});
    EXPECT_EQ(sniffer_.sniff(zip), "application/zip");
    EXPECT_TRUE(accepted(".docx", zip));
    EXPECT_FALSE(accepted(".pptx", zip));
}

TEST_F(content_sniffer_test, unknown_extensions_never_match) {
    EXPECT_FALSE(accepted(".exe", std::string("MZ\x90\x00", 4) + std::string(200, '\0')));
    EXPECT_FALSE(accepted("", "hello"));
    EXPECT_FALSE(accepted(".PDF", "%PDF-1.4\n"));  // callers lowercase first
}

}  // namespace
}  // namespace writeen::files
