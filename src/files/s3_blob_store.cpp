#include "files/s3_blob_store.hpp"

#include "files/file_errors.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace writeen::files {
namespace {

constexpr std::size_t min_part_size = 5 * 1024 * 1024;
constexpr std::size_t max_parts = 10000;
constexpr std::size_t max_error_body = 64 * 1024;

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
    });
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

// The text of the first <tag>...</tag> in an S3 XML document, or "" if absent. S3's replies
// are flat enough that this is all the XML the store needs.
std::string xml_value(std::string_view xml, std::string_view tag) {
    const std::string open = "<" + std::string(tag) + ">";
    const std::string close = "</" + std::string(tag) + ">";
    const std::size_t a = xml.find(open);
    if (a == std::string_view::npos) return {};
    const std::size_t b = xml.find(close, a + open.size());
    if (b == std::string_view::npos) return {};
    return std::string(xml.substr(a + open.size(), b - a - open.size()));
}

// Hex SHA-256 of data, the SigV4 payload hash. S3 (and s3rver) require it in the
// x-amz-content-sha256 header; libcurl 7.88 does not add it, and signs it once present.
std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 0x0F]);
    }
    return out;
}

struct response {
    long status = 0;
    std::string body;
    std::string etag;
    std::int64_t content_length = -1;
};

// One curl easy handle, reused for the requests of one writer, reader or call so they share a
// connection. Not thread-safe.
class s3_client {
public:
    explicit s3_client(const s3_options& o) : o_(o), curl_(curl_easy_init()) {
        if (curl_ == nullptr) throw storage_error("curl_easy_init failed");
    }
    ~s3_client() { curl_easy_cleanup(curl_); }
    s3_client(const s3_client&) = delete;
    s3_client& operator=(const s3_client&) = delete;

    enum class verb { get, head, put, post, del };

    // Performs one request on object key; query is already encoded and sorted (SigV4 signs it
    // as given by older libcurl versions). body_cap bounds what is kept of the response body.
    response perform(verb method, std::string_view key, const std::string& query, std::string_view body,
                     const std::string& range, std::size_t body_cap) {
        curl_easy_reset(curl_);
        response res;
        std::string url = object_url(key);
        if (!query.empty()) url += "?" + query;
        const std::string sigv4 = "aws:amz:" + o_.region + ":s3";
        curl_slist* headers = nullptr;
        headers = curl_slist_append(headers, ("x-amz-content-sha256: " + sha256_hex(body)).c_str());
        if (method == verb::put || method == verb::post) {
            headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
        }
        if (!range.empty()) headers = curl_slist_append(headers, ("Range: bytes=" + range).c_str());
        capture cap{&res, body_cap};

        curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl_, CURLOPT_AWS_SIGV4, sigv4.c_str());
        curl_easy_setopt(curl_, CURLOPT_USERNAME, o_.access_key.c_str());
        curl_easy_setopt(curl_, CURLOPT_PASSWORD, o_.secret_key.c_str());
        curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o_.connect_timeout.count()));
        curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o_.stall_timeout.count()));
        curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &on_body);
        curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &cap);
        curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &on_header);
        curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &res);
        curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
        switch (method) {
            case verb::get: break;
            case verb::head: curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L); break;
            case verb::del: curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, "DELETE"); break;
            case verb::put:
            case verb::post:
                // The body is in memory (at most one part), so libcurl can hash it for the
                // SigV4 payload signature instead of sending it unsigned.
                curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
                curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
                curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method == verb::put ? "PUT" : "POST");
                break;
        }
        const CURLcode rc = curl_easy_perform(curl_);
        curl_slist_free_all(headers);
        if (rc != CURLE_OK) {
            throw storage_error(std::string("S3 request failed: ") + curl_easy_strerror(rc));
        }
        curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &res.status);
        curl_off_t length = -1;
        if (curl_easy_getinfo(curl_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK) res.content_length = length;
        if (cap.overflow) throw storage_error("S3 response larger than expected");
        return res;
    }

    // Throws the error an unexpected status stands for.
    [[noreturn]] static void fail(const response& r, std::string_view what) {
        const std::string code = xml_value(r.body, "Code");
        throw storage_error("S3 " + std::string(what) + " failed: HTTP " + std::to_string(r.status) +
                            (code.empty() ? "" : " " + code));
    }

    std::string escape(std::string_view s) {
        char* e = curl_easy_escape(curl_, s.data(), static_cast<int>(s.size()));
        if (e == nullptr) throw std::bad_alloc();
        std::string out(e);
        curl_free(e);
        return out;
    }

private:
    struct capture {
        response* res;
        std::size_t cap;
        bool overflow = false;
    };

    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
        auto* c = static_cast<capture*>(user);
        const std::size_t n = size * count;
        if (c->res->body.size() + n > c->cap) {
            c->overflow = true;
            return 0;  // aborts the transfer
        }
        c->res->body.append(data, n);
        return n;
    }

    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
        auto* res = static_cast<response*>(user);
        const std::size_t n = size * count;
        const std::string_view line(data, n);
        const std::size_t colon = line.find(':');
        if (colon != std::string_view::npos && lower(line.substr(0, colon)) == "etag") {
            res->etag = std::string(trim(line.substr(colon + 1)));
        }
        return n;
    }

    std::string object_url(std::string_view key) const {
        const std::string object = o_.key_prefix + std::string(key);
        if (o_.path_style) return o_.endpoint + "/" + o_.bucket + "/" + object;
        const std::size_t scheme_end = o_.endpoint.find("://");
        return o_.endpoint.substr(0, scheme_end + 3) + o_.bucket + "." + o_.endpoint.substr(scheme_end + 3) + "/" +
               object;
    }

    const s3_options& o_;
    CURL* curl_;
};

class s3_writer final : public blob_writer {
public:
    s3_writer(const s3_options& o, std::string key) : o_(o), client_(o), key_(std::move(key)) {}
    ~s3_writer() override { abort(); }

    void write(std::string_view chunk) override {
        if (finished_) throw storage_error("write to a finished blob writer");
        while (!chunk.empty()) {
            const std::size_t take = std::min(chunk.size(), o_.part_size - buffer_.size());
            buffer_.append(chunk.substr(0, take));
            chunk.remove_prefix(take);
            if (buffer_.size() == o_.part_size) {
                // Only once a full part exists is the blob known to need a multipart upload;
                // smaller blobs cost a single PUT.
                if (upload_id_.empty()) start_multipart();
                upload_part();
            }
        }
    }

    void commit() override {
        if (finished_) throw storage_error("commit of a finished blob writer");
        try {
            if (upload_id_.empty()) {
                const response r = client_.perform(s3_client::verb::put, key_, "", buffer_, "", max_error_body);
                if (r.status != 200) s3_client::fail(r, "PUT");
            } else {
                if (!buffer_.empty()) upload_part();
                complete_multipart();
            }
            finished_ = true;
            release_buffer();
        } catch (...) {
            abort();
            throw;
        }
    }

    void abort() noexcept override {
        if (finished_) return;
        finished_ = true;
        release_buffer();
        if (upload_id_.empty()) return;
        try {
            // Best effort: a store that refuses (s3rver has no AbortMultipartUpload) keeps the
            // parts until a bucket lifecycle rule removes incomplete uploads.
            client_.perform(s3_client::verb::del, key_, "uploadId=" + client_.escape(upload_id_), "", "",
                            max_error_body);
        } catch (...) {
        }
    }

private:
    void release_buffer() { std::string().swap(buffer_); }

    void start_multipart() {
        const response r = client_.perform(s3_client::verb::post, key_, "uploads=", "", "", max_error_body);
        if (r.status != 200) s3_client::fail(r, "CreateMultipartUpload");
        upload_id_ = xml_value(r.body, "UploadId");
        if (upload_id_.empty()) throw storage_error("S3 CreateMultipartUpload returned no UploadId");
    }

    void upload_part() {
        if (etags_.size() == max_parts) throw storage_error("blob exceeds the S3 multipart part limit");
        const std::size_t number = etags_.size() + 1;
        const std::string query = "partNumber=" + std::to_string(number) + "&uploadId=" + client_.escape(upload_id_);
        const response r = client_.perform(s3_client::verb::put, key_, query, buffer_, "", max_error_body);
        if (r.status != 200) s3_client::fail(r, "UploadPart");
        if (r.etag.empty()) throw storage_error("S3 UploadPart returned no ETag");
        etags_.push_back(r.etag);
        buffer_.clear();
    }

    void complete_multipart() {
        std::string xml = "<CompleteMultipartUpload>";
        for (std::size_t i = 0; i < etags_.size(); ++i) {
            xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags_[i] + "</ETag></Part>";
        }
        xml += "</CompleteMultipartUpload>";
        const response r = client_.perform(s3_client::verb::post, key_, "uploadId=" + client_.escape(upload_id_), xml,
                                           "", max_error_body);
        // S3 may answer 200 and still report a failure in the body.
        if (r.status != 200 || r.body.find("<Error>") != std::string::npos) s3_client::fail(r, "CompleteMultipartUpload");
        upload_id_.clear();
    }

    const s3_options& o_;
    s3_client client_;
    std::string key_;
    std::string buffer_;  // the part being filled, < part_size bytes between calls
    std::string upload_id_;
    std::vector<std::string> etags_;
    bool finished_ = false;
};

class s3_reader final : public blob_reader {
public:
    s3_reader(const s3_options& o, std::unique_ptr<s3_client> client, std::string key, std::uint64_t offset,
              std::uint64_t remaining)
        : o_(o), client_(std::move(client)), key_(std::move(key)), offset_(offset), remaining_(remaining) {}

    std::size_t read(std::span<char> out) override {
        if (out.empty()) return 0;
        if (pos_ == window_.size()) {
            if (remaining_ == 0) return 0;
            fetch();
        }
        const std::size_t n = std::min(out.size(), window_.size() - pos_);
        std::memcpy(out.data(), window_.data() + pos_, n);
        pos_ += n;
        return n;
    }

private:
    void fetch() {
        const std::uint64_t want = std::min<std::uint64_t>(remaining_, o_.read_window);
        const std::string range = std::to_string(offset_) + "-" + std::to_string(offset_ + want - 1);
        response r = client_->perform(s3_client::verb::get, key_, "", "", range, o_.read_window + max_error_body);
        if (r.status == 404) throw blob_not_found("no blob " + key_);
        if (r.status != 206 && r.status != 200) s3_client::fail(r, "GET");
        // 200 means the range was ignored and the body starts at byte 0.
        if (r.status == 200 && offset_ > 0) throw storage_error("S3 ignored the Range header");
        if (r.body.size() < want) throw storage_error("S3 object is shorter than expected");
        r.body.resize(static_cast<std::size_t>(want));
        window_ = std::move(r.body);
        pos_ = 0;
        offset_ += want;
        remaining_ -= want;
    }

    const s3_options& o_;
    std::unique_ptr<s3_client> client_;
    std::string key_;
    std::uint64_t offset_;     // next byte to fetch
    std::uint64_t remaining_;  // bytes not yet fetched
    std::string window_;       // fetched bytes, ≤ read_window
    std::size_t pos_ = 0;      // next byte of window_ to return
};

std::uint64_t head_size(s3_client& client, std::string_view key) {
    const response r = client.perform(s3_client::verb::head, key, "", "", "", max_error_body);
    if (r.status == 404) throw blob_not_found("no blob " + std::string(key));
    if (r.status != 200) s3_client::fail(r, "HEAD");
    if (r.content_length < 0) throw storage_error("S3 HEAD returned no Content-Length");
    return static_cast<std::uint64_t>(r.content_length);
}

}  // namespace

s3_blob_store::s3_blob_store(s3_options options) : options_(std::move(options)) {
    global_init();
    auto& o = options_;
    while (!o.endpoint.empty() && o.endpoint.back() == '/') o.endpoint.pop_back();
    if (!o.endpoint.starts_with("http://") && !o.endpoint.starts_with("https://")) {
        throw std::invalid_argument("S3 endpoint must start with http:// or https://");
    }
    if (o.bucket.empty() || !std::all_of(o.bucket.begin(), o.bucket.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        })) {
        throw std::invalid_argument("invalid S3 bucket name");
    }
    if (!std::all_of(o.key_prefix.begin(), o.key_prefix.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '.';
        })) {
        throw std::invalid_argument("invalid S3 key prefix");
    }
    if (o.region.empty() || o.access_key.empty() || o.secret_key.empty()) {
        throw std::invalid_argument("S3 region, access key and secret key are required");
    }
    if (o.part_size < min_part_size) throw std::invalid_argument("S3 part size must be at least 5 MiB");
    if (o.read_window == 0) throw std::invalid_argument("S3 read window must not be 0");
}

std::unique_ptr<blob_writer> s3_blob_store::begin_write(std::string_view key) {
    require_valid_blob_key(key);
    return std::make_unique<s3_writer>(options_, std::string(key));
}

std::unique_ptr<blob_reader> s3_blob_store::open_read(std::string_view key, std::uint64_t offset, std::uint64_t length) {
    require_valid_blob_key(key);
    auto client = std::make_unique<s3_client>(options_);
    // The size up front turns "to the end" into an exact range and reports a missing blob at
    // open rather than at the first read.
    const std::uint64_t size = head_size(*client, key);
    const std::uint64_t start = std::min(offset, size);
    const std::uint64_t count = std::min(length, size - start);
    return std::make_unique<s3_reader>(options_, std::move(client), std::string(key), start, count);
}

void s3_blob_store::remove(std::string_view key) {
    require_valid_blob_key(key);
    s3_client client(options_);
    const response r = client.perform(s3_client::verb::del, key, "", "", "", max_error_body);
    if (r.status != 204 && r.status != 200 && r.status != 404) s3_client::fail(r, "DELETE");
}

bool s3_blob_store::exists(std::string_view key) {
    require_valid_blob_key(key);
    s3_client client(options_);
    try {
        head_size(client, key);
        return true;
    } catch (const blob_not_found&) {
        return false;
    }
}

std::uint64_t s3_blob_store::size(std::string_view key) {
    require_valid_blob_key(key);
    s3_client client(options_);
    return head_size(client, key);
}

}  // namespace writeen::files
