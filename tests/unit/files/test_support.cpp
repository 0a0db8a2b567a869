#include "test_support.hpp"

#include <array>
#include <random>
#include <stdexcept>

namespace writeen::files::test {
namespace {

std::uint32_t crc32(std::string_view data) {
    static const std::array<std::uint32_t, 256> table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (const char ch : data) c = table[(c ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

void le(std::string& s, std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// A deflate (RFC 1951) writer using only the fixed Huffman block: literals, plus matches at
// distance 1 for runs, which is all a zip bomb needs.
class bit_writer {
public:
    void bits(std::uint32_t value, int count) {  // LSB first
        for (int i = 0; i < count; ++i) put((value >> i) & 1);
    }
    void huffman(std::uint32_t code, int length) {  // Huffman codes go MSB first
        for (int i = length - 1; i >= 0; --i) put((code >> i) & 1);
    }
    std::string finish() {
        if (used_ > 0) out_.push_back(static_cast<char>(current_));
        return std::move(out_);
    }

private:
    void put(std::uint32_t bit) {
        current_ |= static_cast<std::uint8_t>(bit << used_);
        if (++used_ == 8) {
            out_.push_back(static_cast<char>(current_));
            current_ = 0;
            used_ = 0;
        }
    }
    std::string out_;
    std::uint8_t current_ = 0;
    int used_ = 0;
};

void literal(bit_writer& w, unsigned value) {
    if (value < 144) {
        w.huffman(0x30 + value, 8);
    } else {
        w.huffman(0x190 + (value - 144), 9);
    }
}

std::string deflate_fixed(std::string_view data) {
    bit_writer w;
    w.bits(1, 1);  // final block
    w.bits(1, 2);  // fixed Huffman
    std::size_t i = 0;
    while (i < data.size()) {
        literal(w, static_cast<unsigned char>(data[i]));
        std::size_t run = 0;
        while (i + 1 + run < data.size() && data[i + 1 + run] == data[i]) ++run;
        ++i;
        // Repeat the previous byte in matches of length 258 (code 285, no extra bits) at
        // distance 1 (distance code 0).
        while (run >= 258) {
            w.huffman(0xC5, 8);  // 285 → 11000101
            w.huffman(0, 5);
            run -= 258;
            i += 258;
        }
    }
    w.huffman(0, 7);  // end of block (256)
    return w.finish();
}

}  // namespace

temp_dir::temp_dir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("writeen-files-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string random_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 gen(seed);
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(gen() & 0xFF);
    return out;
}

std::string make_zip(const std::vector<zip_entry>& entries) {
    std::string out;
    std::string central;
    for (const auto& e : entries) {
        const std::string body = e.deflate ? deflate_fixed(e.data) : e.data;
        const std::uint32_t crc = crc32(e.data);
        const auto offset = static_cast<std::uint32_t>(out.size());
        auto common = [&](std::string& s) {
            le(s, 20, 2);                     // version needed
            le(s, 0, 2);                      // flags
            le(s, e.deflate ? 8 : 0, 2);      // method
            le(s, 0, 2);                      // time
            le(s, 0x21, 2);                   // date (1980-01-01)
            le(s, crc, 4);
            le(s, static_cast<std::uint32_t>(body.size()), 4);
            le(s, static_cast<std::uint32_t>(e.data.size()), 4);
            le(s, static_cast<std::uint32_t>(e.name.size()), 2);
            le(s, 0, 2);                      // extra length
        };
        out += std::string("PK\x03\x04", 4);
        common(out);
        out += e.name;
        out += body;

        central += std::string("PK\x01\x02", 4);
        le(central, 20, 2);  // version made by
        common(central);
        le(central, 0, 2);  // comment length
        le(central, 0, 2);  // disk
        le(central, 0, 2);  // internal attributes
        le(central, 0, 4);  // external attributes
        le(central, offset, 4);
        central += e.name;
    }
    const auto central_offset = static_cast<std::uint32_t>(out.size());
    out += central;
    out += std::string("PK\x05\x06", 4);
    le(out, 0, 2);
    le(out, 0, 2);
    le(out, static_cast<std::uint32_t>(entries.size()), 2);
    le(out, static_cast<std::uint32_t>(entries.size()), 2);
    le(out, static_cast<std::uint32_t>(central.size()), 4);
    le(out, central_offset, 4);
    le(out, 0, 2);
    return out;
}

std::string make_zip_bomb(std::string_view prefix, std::size_t entries, std::size_t each) {
    std::vector<zip_entry> list;
    for (std::size_t i = 0; i < entries; ++i) {
        list.push_back({std::string(prefix) + "part" + std::to_string(i) + ".xml", std::string(each, '\0'), true});
    }
    return make_zip(list);
}

std::string png_bytes() {
    std::string png("\x89PNG\r\n\x1a\n", 8);
    png += std::string("\x00\x00\x00\x0dIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00", 21);
    png += std::string("\x1f\xf3\xff\x61", 4);  // CRC of the IHDR chunk
    png += std::string(64, '\0');
    return png;
}

std::string eicar() {
    // Assembled from two halves so this source file does not itself trip a scanner.
    return std::string("X5O!P%@AP[4\\PZX54(P^)7CC)7}$") + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
}

}  // namespace writeen::files::test
