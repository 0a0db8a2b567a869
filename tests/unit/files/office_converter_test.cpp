#include "files/office_converter.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "files/thumbnailer.hpp"

namespace writeen::files {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// A stand-in for soffice (a real process, run the way soffice is run): a shell script that
/// reports what the converter gave it into report_dir, then runs body.
struct fake_soffice {
    fs::path dir;
    fs::path binary;
    explicit fake_soffice(const std::string& body) {
        std::string pattern = (fs::temp_directory_path() / "office-converter-test-XXXXXX").string();
        dir = mkdtemp(pattern.data());
        binary = dir / "soffice";
        std::ofstream script(binary);
        script << "#!/bin/sh\n"
               << "report=" << dir.string() << "\n"
               << "ulimit -v > $report/ulimit\n"
               << "echo \"$HOME\" > $report/home\n"
               << "for a in \"$@\"; do echo \"$a\"; done > $report/args\n"
               << "ls /proc/self/fd > $report/fds\n"
               << body << "\n";
        script.close();
        fs::permissions(binary, fs::perms::owner_all);
    }
    ~fake_soffice() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string report(const char* name) const { return slurp(dir / name); }
};

office_converter converter(const std::string& binary, std::chrono::seconds timeout = std::chrono::seconds(10)) {
    office_converter::limits limits;
    limits.soffice = binary;
    limits.timeout = timeout;
    limits.memory_bytes = 512ULL << 20;
    return office_converter(limits);
}

TEST(office_converter, without_libreoffice_is_a_preview_error) {
    const office_converter none{office_converter::limits{}};
    EXPECT_FALSE(none.enabled());
    EXPECT_THROW(none.first_page_pdf("PK\x03\x04", ".docx"), preview_error);
}

TEST(office_converter, refuses_other_types) {
    fake_soffice fake("exit 0");
    EXPECT_THROW(converter(fake.binary.string()).first_page_pdf("x", ".xlsm"), preview_error);
}

TEST(office_converter, runs_under_the_memory_limit_in_a_fresh_profile_that_is_removed) {
    // Writes the PDF where it is told (the last two arguments: --outdir DIR INPUT).
    fake_soffice fake(R"(eval out=\${$(($# - 1))}; printf '%%PDF-1.4 fake' > "$out/document.pdf"
cp "$HOME/profile/user/registrymodifications.xcu" "$report/settings")");
    const std::string pdf = converter(fake.binary.string()).first_page_pdf("PK\x03\x04", ".docx");
    EXPECT_EQ(pdf, "%PDF-1.4 fake");
    EXPECT_EQ(fake.report("ulimit"), std::to_string(512 * 1024) + "\n");  // KiB
    const std::string home = fake.report("home");
    ASSERT_FALSE(home.empty());
    EXPECT_FALSE(fs::exists(home.substr(0, home.size() - 1))) << "the work directory must be removed";
    const std::string args = fake.report("args");
    EXPECT_NE(args.find("-env:UserInstallation=file://" + home.substr(0, home.size() - 1) + "/profile\n"),
              std::string::npos)
        << args;
    EXPECT_NE(args.find("\"PageRange\""), std::string::npos) << "only the first page is exported";
    // stdin, stdout, stderr and the fd of `ls` itself: nothing of the server is inherited.
    EXPECT_EQ(fake.report("fds"), "0\n1\n2\n3\n");
    const std::string settings = fake.report("settings");
    EXPECT_NE(settings.find("DisableMacrosExecution"), std::string::npos);
    EXPECT_NE(settings.find("Writer/Filter/Import/VBA\"><prop oor:name=\"Executable\" oor:op=\"fuse\"><value>false"),
              std::string::npos);
    EXPECT_NE(settings.find("BlockUntrustedRefererLinks\" oor:op=\"fuse\"><value>true"), std::string::npos);
    EXPECT_NE(settings.find("no-network.invalid"), std::string::npos);
}

TEST(office_converter, a_timeout_kills_the_whole_process_group) {
    // soffice's launcher starts soffice.bin as a child; the stand-in starts a sleeping child
    // and reports its pid, then waits.
    fake_soffice fake("sleep 300 & echo $! > $report/child; wait");
    const auto started = std::chrono::steady_clock::now();
    EXPECT_THROW(converter(fake.binary.string(), std::chrono::seconds(1)).first_page_pdf("PK", ".pptx"), preview_error);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
    const pid_t child = std::atoi(fake.report("child").c_str());
    ASSERT_GT(child, 0);
    // Killed, and reaped by init (it was not our child): gone within a moment.
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
        gone = kill(child, 0) != 0 || slurp("/proc/" + std::to_string(child) + "/stat").find(") Z ") != std::string::npos;
        if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(gone) << "the grandchild " << child << " outlived the timeout";
}

TEST(office_converter, a_failed_conversion_says_what_libreoffice_said) {
    fake_soffice fake("echo 'Error: source file could not be loaded' >&2; exit 1");
    try {
        converter(fake.binary.string()).first_page_pdf("PK", ".docx");
        FAIL() << "no error";
    } catch (const preview_error& e) {
        EXPECT_NE(std::string(e.what()).find("could not be loaded"), std::string::npos) << e.what();
    }
}

TEST(office_converter, no_pdf_is_an_error) {
    fake_soffice fake("exit 0");
    EXPECT_THROW(converter(fake.binary.string()).first_page_pdf("PK", ".docx"), preview_error);
}

}  // namespace
}  // namespace writeen::files
