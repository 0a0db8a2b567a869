#include "files/blob_cipher.hpp"

#include "files/encrypted_blob_store.hpp"
#include "files/file_errors.hpp"
#include "files/local_blob_store.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sys/stat.h>

namespace writeen::files {
namespace {

constexpr std::size_t seg = blob_cipher::default_segment_size;

// Records the ranges requested from the inner store, to prove range reads fetch only the
// segments they need.
class recording_store final : public blob_store {
public:
    explicit recording_store(blob_store& inner) : inner_(inner) {}
    std::unique_ptr<blob_writer> begin_write(std::string_view key) override { return inner_.begin_write(key); }
    std::unique_ptr<blob_reader> open_read(std::string_view key, std::uint64_t offset, std::uint64_t length) override {
        reads.emplace_back(offset, length);
        return inner_.open_read(key, offset, length);
    }
    void remove(std::string_view key) override { inner_.remove(key); }
    bool exists(std::string_view key) override { return inner_.exists(key); }
    std::uint64_t size(std::string_view key) override { return inner_.size(key); }

    std::vector<std::pair<std::uint64_t, std::uint64_t>> reads;

private:
    blob_store& inner_;
};

class blob_cipher_test : public ::testing::Test {
protected:
    blob_cipher_test() : key_(master_key::generate()), plain_(dir_.path()), store_(plain_, blob_cipher(key_)) {}

    void put(std::string_view key, std::string_view data) {
        auto w = store_.begin_write(key);
        for (std::size_t i = 0; i < data.size(); i += 10007) w->write(data.substr(i, 10007));
        w->commit();
    }

    std::string get(std::string_view key, std::uint64_t offset = 0, std::uint64_t length = to_end) {
        auto r = store_.open_read(key, offset, length);
        return read_all(*r);
    }

    std::string stored(std::string_view key) {
        std::ifstream in(plain_.path_of(key), std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

    void overwrite(std::string_view key, const std::string& bytes) {
        std::ofstream out(plain_.path_of(key), std::ios::binary | std::ios::trunc);
        out << bytes;
    }

    test::temp_dir dir_;
    master_key key_;
    local_blob_store plain_;
    encrypted_blob_store store_;
};

TEST_F(blob_cipher_test, stored_bytes_do_not_contain_the_plaintext) {
    std::string secret;
    while (secret.size() < 3 * seg) secret += "Rahasia: nilai ujian skripsi mahasiswa 2026. ";
    put("aa", secret);
    const std::string raw = stored("aa");
    EXPECT_EQ(raw.find("Rahasia"), std::string::npos);
    EXPECT_EQ(raw.find("skripsi"), std::string::npos);
    EXPECT_EQ(raw.size(), blob_cipher::header_size + secret.size() + 4 * blob_cipher::tag_size);
    EXPECT_EQ(get("aa"), secret);
}

TEST_F(blob_cipher_test, the_same_plaintext_encrypts_differently_each_time) {
    put("aa", "same content");
    put("bb", "same content");
    EXPECT_NE(stored("aa"), stored("bb"));
}

TEST_F(blob_cipher_test, round_trips_at_segment_boundary_sizes) {
    for (const std::size_t size : {std::size_t{0}, std::size_t{1}, seg - 1, seg, seg + 1, std::size_t{1024 * 1024 + 7}}) {
        const std::string data = test::random_bytes(size, static_cast<std::uint32_t>(size));
        put("cc", data);
        EXPECT_EQ(store_.size("cc"), size);
        EXPECT_EQ(get("cc"), data) << size;
    }
}

TEST_F(blob_cipher_test, range_reads_across_segment_boundaries_match_the_plaintext) {
    const std::string data = test::random_bytes(3 * seg + 100, 77);
    put("dd", data);
    for (const std::uint64_t offset : {std::uint64_t{0}, std::uint64_t{seg - 1}, std::uint64_t{seg},
                                       std::uint64_t{seg + 1}, std::uint64_t{2 * seg - 1}, std::uint64_t{3 * seg},
                                       std::uint64_t{3 * seg + 99}}) {
        for (const std::uint64_t length : {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{seg},
                                           std::uint64_t{seg + 2}, to_end}) {
            const std::string expected = data.substr(offset, length == to_end ? std::string::npos : length);
            EXPECT_EQ(get("dd", offset, length), expected) << offset << "+" << length;
        }
    }
    EXPECT_EQ(get("dd", data.size(), 10), "");
}

TEST_F(blob_cipher_test, a_range_read_fetches_only_the_segments_it_needs) {
    recording_store recorder(plain_);
    encrypted_blob_store store(recorder, blob_cipher(key_));
    {
        auto w = store.begin_write("ee");
        w->write(test::random_bytes(10 * seg, 4));
        w->commit();
    }
    auto r = store.open_read("ee", 5 * seg + 10, 20);
    const std::string got = read_all(*r);
    EXPECT_EQ(got.size(), 20u);
    ASSERT_EQ(recorder.reads.size(), 2u);
    EXPECT_EQ(recorder.reads[0], std::make_pair(std::uint64_t{0}, std::uint64_t{blob_cipher::header_size}));
    const std::uint64_t stored_seg = seg + blob_cipher::tag_size;
    EXPECT_EQ(recorder.reads[1], std::make_pair(blob_cipher::header_size + 5 * stored_seg, stored_seg));
}

TEST_F(blob_cipher_test, a_flipped_byte_anywhere_is_detected) {
    const std::string data = test::random_bytes(2 * seg + 10, 5);
    put("ff", data);
    const std::string original = stored("ff");
    std::vector<std::size_t> positions;
    for (std::size_t i = 0; i < blob_cipher::header_size; ++i) positions.push_back(i);  // every header byte
    const std::size_t stored_seg = seg + blob_cipher::tag_size;
    for (std::size_t s = 0; s < 3; ++s) {
        const std::size_t start = blob_cipher::header_size + s * stored_seg;
        const std::size_t end = std::min(start + stored_seg, original.size());
        for (const std::size_t at : {start, start + 1, (start + end) / 2, end - blob_cipher::tag_size, end - 1}) {
            positions.push_back(at);
        }
    }
    for (const std::size_t at : positions) {
        std::string damaged = original;
        damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
        overwrite("ff", damaged);
        EXPECT_THROW(get("ff"), integrity_error) << "flipped byte " << at;
    }
    overwrite("ff", original);
    EXPECT_EQ(get("ff"), data);
}

TEST_F(blob_cipher_test, a_wrong_master_key_cannot_decrypt) {
    put("a1", "secret");
    encrypted_blob_store other(plain_, blob_cipher(master_key::generate()));
    EXPECT_THROW(read_all(*other.open_read("a1")), integrity_error);
    EXPECT_THROW(other.size("a1"), integrity_error);
}

TEST_F(blob_cipher_test, truncation_and_extension_are_detected) {
    const std::string data = test::random_bytes(3 * seg, 6);  // three full segments, the last final
    put("b1", data);
    const std::string original = stored("b1");
    const std::size_t stored_seg = seg + blob_cipher::tag_size;
    const std::vector<std::size_t> cuts = {
        original.size() - stored_seg,      // last segment dropped: the new last is not final
        original.size() - 1,               // last segment cut short
        original.size() - stored_seg + 5,  // a stub of the last segment, shorter than a tag
        blob_cipher::header_size,          // only the header
        blob_cipher::header_size - 1,      // not even the header
    };
    for (const std::size_t cut : cuts) {
        overwrite("b1", original.substr(0, cut));
        EXPECT_THROW(get("b1"), integrity_error) << "cut at " << cut;
    }
    // Appending a copy of a segment makes the real final segment non-final.
    overwrite("b1", original + original.substr(blob_cipher::header_size, stored_seg));
    EXPECT_THROW(get("b1"), integrity_error);
    // Swapping two segments.
    std::string swapped = original;
    std::copy_n(original.begin() + static_cast<long>(blob_cipher::header_size + stored_seg), stored_seg,
                swapped.begin() + static_cast<long>(blob_cipher::header_size));
    std::copy_n(original.begin() + static_cast<long>(blob_cipher::header_size), stored_seg,
                swapped.begin() + static_cast<long>(blob_cipher::header_size + stored_seg));
    overwrite("b1", swapped);
    EXPECT_THROW(get("b1"), integrity_error);
}

TEST_F(blob_cipher_test, segments_of_another_blob_are_rejected) {
    // Same data key can never occur, but the header binds segments even across blobs.
    put("c1", test::random_bytes(seg + 5, 1));
    put("c2", test::random_bytes(seg + 5, 2));
    const std::string a = stored("c1");
    const std::string b = stored("c2");
    overwrite("c1", a.substr(0, blob_cipher::header_size) + b.substr(blob_cipher::header_size));
    EXPECT_THROW(get("c1"), integrity_error);
}

TEST(master_key, is_created_once_with_mode_0600_and_read_back) {
    test::temp_dir dir;
    const auto path = dir.path() / "master.key";
    const master_key created = master_key::load_or_create(path);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(st.st_size, 32);
    const master_key loaded = master_key::load_or_create(path);
    EXPECT_EQ(created.bytes(), loaded.bytes());
    EXPECT_NE(master_key::generate().bytes(), created.bytes());
}

TEST(master_key, refuses_a_key_file_of_the_wrong_size_or_mode) {
    test::temp_dir dir;
    const auto path = dir.path() / "master.key";
    {
        std::ofstream out(path, std::ios::binary);
        out << "too short";
    }
    ::chmod(path.c_str(), 0600);
    EXPECT_THROW(master_key::load_or_create(path), std::runtime_error);
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << std::string(32, 'k');
    }
    ::chmod(path.c_str(), 0644);
    EXPECT_THROW(master_key::load_or_create(path), std::runtime_error);
    ::chmod(path.c_str(), 0600);
    EXPECT_NO_THROW(master_key::load_or_create(path));
    EXPECT_THROW(master_key::from_bytes("short"), std::invalid_argument);
}

}  // namespace
}  // namespace writeen::files
