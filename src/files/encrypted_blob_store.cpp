#include "files/encrypted_blob_store.hpp"

#include "files/file_errors.hpp"

#include <algorithm>
#include <cstring>

namespace writeen::files {
namespace {

class encrypted_writer final : public blob_writer {
public:
    encrypted_writer(std::unique_ptr<blob_writer> inner, blob_cipher::encryptor enc)
        : inner_(std::move(inner)), enc_(std::move(enc)) {
        inner_->write(enc_.header());
    }
    ~encrypted_writer() override { abort(); }

    void write(std::string_view chunk) override {
        out_.clear();
        enc_.update(chunk, out_);
        if (!out_.empty()) inner_->write(out_);
    }

    void commit() override {
        out_.clear();
        enc_.finish(out_);
        inner_->write(out_);
        inner_->commit();
    }

    void abort() noexcept override { inner_->abort(); }

private:
    std::unique_ptr<blob_writer> inner_;
    blob_cipher::encryptor enc_;
    std::string out_;  // ciphertext of one write() call; reused to avoid reallocations
};

class encrypted_reader final : public blob_reader {
public:
    // Reads plaintext [offset, offset + length) given segments [first, ...) streamed by inner.
    encrypted_reader(blob_cipher::decryptor dec, std::unique_ptr<blob_reader> inner, std::uint64_t first_segment,
                     std::uint64_t segment_count, std::uint64_t skip, std::uint64_t length)
        : dec_(std::move(dec)),
          inner_(std::move(inner)),
          next_segment_(first_segment),
          segment_count_(segment_count),
          skip_(skip),
          remaining_(length) {}

    std::size_t read(std::span<char> out) override {
        if (remaining_ == 0 || out.empty()) return 0;
        if (pos_ == plain_.size()) load_next_segment();
        const std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>({out.size(), plain_.size() - pos_, remaining_}));
        std::memcpy(out.data(), plain_.data() + pos_, n);
        pos_ += n;
        remaining_ -= n;
        return n;
    }

private:
    void load_next_segment() {
        const bool final = next_segment_ + 1 == segment_count_;
        // Every segment but the final one is full; the final one is whatever the range holds.
        const std::uint64_t want = dec_.stored_segment_size();
        stored_.resize(static_cast<std::size_t>(want));
        std::size_t got = 0;
        while (got < stored_.size()) {
            const std::size_t n = inner_->read(std::span<char>(stored_.data() + got, stored_.size() - got));
            if (n == 0) break;
            got += n;
        }
        stored_.resize(got);
        if (!final && got != want) throw integrity_error("encrypted blob is truncated");
        plain_ = dec_.decrypt_segment(next_segment_, stored_, final);
        ++next_segment_;
        pos_ = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, plain_.size()));
        skip_ = 0;
        if (pos_ == plain_.size()) throw integrity_error("encrypted blob is shorter than its range");
    }

    blob_cipher::decryptor dec_;
    std::unique_ptr<blob_reader> inner_;
    std::uint64_t next_segment_;
    std::uint64_t segment_count_;
    std::uint64_t skip_;       // plaintext bytes to drop at the start of the first segment
    std::uint64_t remaining_;  // plaintext bytes still to return
    std::string stored_;
    std::string plain_;        // the current segment's plaintext
    std::size_t pos_ = 0;      // next byte of plain_ to return
};

class empty_reader final : public blob_reader {
public:
    std::size_t read(std::span<char>) override { return 0; }
};

}  // namespace

encrypted_blob_store::encrypted_blob_store(blob_store& inner, blob_cipher cipher)
    : inner_(inner), cipher_(std::move(cipher)) {}

std::unique_ptr<blob_writer> encrypted_blob_store::begin_write(std::string_view key) {
    return std::make_unique<encrypted_writer>(inner_.begin_write(key), cipher_.begin_encrypt());
}

blob_cipher::decryptor encrypted_blob_store::open_header(std::string_view key) {
    auto reader = inner_.open_read(key, 0, blob_cipher::header_size);
    const std::string header = read_all(*reader);
    return cipher_.open(header);
}

std::unique_ptr<blob_reader> encrypted_blob_store::open_read(std::string_view key, std::uint64_t offset,
                                                             std::uint64_t length) {
    blob_cipher::decryptor dec = open_header(key);
    const std::uint64_t stored_size = inner_.size(key);
    const std::uint64_t count = dec.segment_count(stored_size);
    const std::uint64_t plain_size = dec.plaintext_size(stored_size);
    const std::uint64_t start = std::min(offset, plain_size);
    const std::uint64_t n = std::min(length, plain_size - start);
    if (n == 0) return std::make_unique<empty_reader>();
    const std::uint64_t first = start / dec.segment_size();
    const std::uint64_t last = (start + n - 1) / dec.segment_size();
    const std::uint64_t from = dec.segment_offset(first);
    const std::uint64_t to = std::min(dec.segment_offset(last + 1), stored_size);
    const std::uint64_t skip = start - first * dec.segment_size();
    auto inner = inner_.open_read(key, from, to - from);
    return std::make_unique<encrypted_reader>(std::move(dec), std::move(inner), first, count, skip, n);
}

void encrypted_blob_store::remove(std::string_view key) { inner_.remove(key); }

bool encrypted_blob_store::exists(std::string_view key) { return inner_.exists(key); }

std::uint64_t encrypted_blob_store::size(std::string_view key) {
    const blob_cipher::decryptor dec = open_header(key);
    return dec.plaintext_size(inner_.size(key));
}

}  // namespace writeen::files
