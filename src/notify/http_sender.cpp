#include "notify/http_sender.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace writeen::notify {

struct http_sender::transfer {
    http_post post;
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    curl_slist* resolve = nullptr;
    char error[CURL_ERROR_SIZE] = {};

    ~transfer() {
        if (easy) curl_easy_cleanup(easy);
        curl_slist_free_all(headers);
        curl_slist_free_all(resolve);
    }
};

namespace {

// Answers are not read: only the status matters.
std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

CURLM* multi_of(void* m) { return static_cast<CURLM*>(m); }

}  // namespace

http_sender::http_sender(http_sender_options options) : options_(options), multi_(nullptr) {
    // Thread-safe since libcurl 7.84; a second call only counts.
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
    multi_ = curl_multi_init();
    if (!multi_) throw std::runtime_error("curl_multi_init failed");
}

http_sender::~http_sender() {
    for (transfer* t : transfers_) {
        curl_multi_remove_handle(multi_of(multi_), t->easy);
        delete t;
    }
    curl_multi_cleanup(multi_of(multi_));
}

std::size_t http_sender::in_flight() const { return transfers_.size(); }

bool http_sender::start(http_post post) {
    if (transfers_.size() >= options_.max_in_flight) return false;
    auto t = std::make_unique<transfer>();
    t->post = std::move(post);
    t->easy = curl_easy_init();
    if (!t->easy) throw std::runtime_error("curl_easy_init failed");
    for (const auto& [name, value] : t->post.headers)
        t->headers = curl_slist_append(t->headers, (name + ": " + value).c_str());
    // libcurl would otherwise add "Expect: 100-continue" to larger bodies and wait for it.
    t->headers = curl_slist_append(t->headers, "Expect:");
    if (!t->post.pinned_address.empty()) t->resolve = curl_slist_append(t->resolve, t->post.pinned_address.c_str());
    CURL* e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, t->post.url.c_str());
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->post.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->post.body.size()));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    if (t->resolve) curl_easy_setopt(e, CURLOPT_RESOLVE, t->resolve);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(e, CURLOPT_USERAGENT, "writeen-chat-notifier");
    if (curl_multi_add_handle(multi_of(multi_), e) != CURLM_OK) throw std::runtime_error("curl_multi_add_handle failed");
    transfers_.push_back(t.release());
    return true;
}

std::vector<http_result> http_sender::poll(std::chrono::milliseconds wait) {
    int running = 0;
    curl_multi_perform(multi_of(multi_), &running);
    if (running > 0 || transfers_.empty()) {
        curl_multi_poll(multi_of(multi_), nullptr, 0, static_cast<int>(wait.count()), nullptr);
        curl_multi_perform(multi_of(multi_), &running);
    }
    std::vector<http_result> out;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_of(multi_), &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        transfer* t = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
        http_result r{.tag = t->post.tag};
        if (msg->data.result == CURLE_OK) {
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &r.status);
        } else {
            r.error = t->error[0] ? std::string(t->error) : std::string(curl_easy_strerror(msg->data.result));
        }
        curl_multi_remove_handle(multi_of(multi_), t->easy);
        transfers_.erase(std::find(transfers_.begin(), transfers_.end(), t));
        delete t;
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace writeen::notify
