#include "files/office_converter.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "files/thumbnailer.hpp"

extern char** environ;

namespace writeen::files {
namespace {

namespace fs = std::filesystem;

// The profile's settings (LibreOffice's registrymodifications.xcu).
// - Macros: the highest security level and execution disabled outright (LibreOffice's default
//   already refuses unsigned macros; this does not rely on that default), and the VBA code of
//   Word and PowerPoint files neither loaded nor made executable (Writer's default is to load it
//   as executable Basic).
// - Linked content: BlockUntrustedRefererLinks refuses images linked from a URL in a document
//   from an untrusted location (every upload). Behind that, a manual proxy on a host of the
//   reserved .invalid domain (RFC 6761) for HTTP, HTTPS and FTP with no exceptions, so a link
//   cannot make LibreOffice connect anywhere, the server's own loopback services included.
constexpr std::string_view profile_settings = R"(<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Filter/Import/VBA"><prop oor:name="Load" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Filter/Import/VBA"><prop oor:name="Executable" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Impress/Filter/Import/VBA"><prop oor:name="Load" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetProxyType" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPProxyName" oor:op="fuse"><value>no-network.invalid</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPProxyPort" oor:op="fuse"><value>9</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPSProxyName" oor:op="fuse"><value>no-network.invalid</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPSProxyPort" oor:op="fuse"><value>9</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetFTPProxyName" oor:op="fuse"><value>no-network.invalid</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetFTPProxyPort" oor:op="fuse"><value>9</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetNoProxy" oor:op="fuse"><value></value></prop></item>
</oor:items>
)";

void write_file(const fs::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw preview_error("cannot write " + path.filename().string());
}

std::string read_file(const fs::path& path, std::size_t limit) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) return {};
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::string bytes(std::min<std::size_t>(size, limit), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(limit));
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    return bytes;
}

/// The work directory of one conversion, removed with everything LibreOffice left in it.
struct work_dir {
    fs::path path;
    work_dir() {
        std::string pattern = (fs::temp_directory_path() / "writeen-office-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw preview_error("cannot create a work directory");
        path = pattern;
    }
    ~work_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    work_dir(const work_dir&) = delete;
    work_dir& operator=(const work_dir&) = delete;
};

/// The child's environment: the server's, with HOME and TMPDIR inside the work directory so
/// nothing LibreOffice writes outlives the conversion or meets another conversion's files.
std::vector<std::string> child_environment(const fs::path& dir) {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        const std::string_view entry(*e);
        if (entry.starts_with("HOME=") || entry.starts_with("TMPDIR=")) continue;
        env.emplace_back(entry);
    }
    env.push_back("HOME=" + dir.string());
    env.push_back("TMPDIR=" + dir.string());
    return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

/// In the forked child: only async-signal-safe calls until exec (the server has threads).
[[noreturn]] void exec_child(const char* binary, char** argv, char** envp, int log_fd, rlim_t memory) {
    // Its own process group, so a timeout kills oosplash, soffice.bin and any helper at once.
    setpgid(0, 0);
    const rlimit as{memory, memory};
    setrlimit(RLIMIT_AS, &as);
    const rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    // The server's sockets and database must not be inherited by LibreOffice.
    close_range(3, ~0U, 0);
    execve(binary, argv, envp);
    _exit(127);
}

}  // namespace

std::string office_converter::find_soffice() {
    const char* path = std::getenv("PATH");
    if (!path) return {};
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        for (const char* name : {"soffice", "libreoffice"}) {
            const fs::path candidate = fs::path(dir) / name;
            if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate.string();
        }
    }
    return {};
}

std::string office_converter::first_page_pdf(std::string_view data, std::string_view extension) const {
    if (limits_.soffice.empty()) throw preview_error("LibreOffice is not installed");
    const bool text = extension == ".docx";
    if (!text && extension != ".pptx") throw preview_error("not an office document");
    const work_dir dir;
    fs::create_directories(dir.path / "profile" / "user");
    write_file(dir.path / "profile" / "user" / "registrymodifications.xcu", profile_settings);
    // A server-made name: the original name never reaches the command line or the file system.
    const fs::path input = dir.path / (std::string("document") + std::string(extension));
    write_file(input, data);
    const fs::path outdir = dir.path / "out";
    fs::create_directory(outdir);

    // PageRange 1: only the first page is laid out into the PDF (LibreOffice 7.4's JSON filter
    // options), which is all a thumbnail needs.
    const std::string filter = std::string("pdf:") + (text ? "writer_pdf_Export" : "impress_pdf_Export") +
                               R"(:{"PageRange":{"type":"string","value":"1"}})";
    std::vector<std::string> args = {limits_.soffice,
                                     "-env:UserInstallation=file://" + (dir.path / "profile").string(),
                                     "--headless",
                                     "--invisible",
                                     "--norestore",
                                     "--nolockcheck",
                                     "--nodefault",
                                     "--nologo",
                                     "--convert-to",
                                     filter,
                                     "--outdir",
                                     outdir.string(),
                                     input.string()};
    std::vector<std::string> env = child_environment(dir.path);
    auto argv = pointers(args);
    auto envp = pointers(env);
    const fs::path log_path = dir.path / "soffice.log";
    const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0) throw preview_error("cannot create the LibreOffice log");

    const pid_t pid = fork();
    if (pid < 0) {
        close(log_fd);
        throw preview_error("cannot start LibreOffice");
    }
    if (pid == 0) exec_child(limits_.soffice.c_str(), argv.data(), envp.data(), log_fd, limits_.memory_bytes);
    close(log_fd);
    // Also from the parent: the kill below must find the group even if the child has not run yet.
    setpgid(pid, pid);

    const auto deadline = std::chrono::steady_clock::now() + limits_.timeout;
    int status = 0;
    bool timed_out = false;
    for (;;) {
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (std::chrono::steady_clock::now() >= deadline) {
            timed_out = true;
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // Whatever the outcome, nothing of this conversion keeps running (soffice.bin outlives the
    // launcher script when the launcher is killed or exits early).
    kill(-pid, SIGKILL);
    if (timed_out)
        throw preview_error("LibreOffice timed out after " + std::to_string(limits_.timeout.count()) + " s");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::string log = read_file(log_path, 300);
        throw preview_error("LibreOffice failed" + (log.empty() ? std::string() : ": " + log));
    }
    std::string pdf = read_file(outdir / "document.pdf", 64 * 1024 * 1024);
    if (pdf.empty()) throw preview_error("LibreOffice made no PDF");
    return pdf;
}

}  // namespace writeen::files
