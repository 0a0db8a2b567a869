#pragma once
// The upload pipeline behind the upload, download and thumbnail endpoints: the blob store, the
// content sniffer, the scanner and the previews, and the worker pools that run their blocking
// calls so that no I/O thread ever waits on a disk, S3, clamd or libvips.
//
// After an upload is stored, process() queues its scan: pending → scanning → clean | infected |
// error (or unscanned when scanning is off), then measures images. Every step is written
// through the chat service, which rewrites the message's fileInfo and broadcasts
// message_updated. A file is never marked clean without clamd's verdict. When there is no
// verdict to be had (clamd down, timing out, killed mid-scan, or the scan queue full) the file
// goes back to pending and waits: scanner_watch probes clamd with backoff and, once it
// answers, every waiting file is queued again. error is kept for streams clamd itself refused
// (a size limit, a garbled answer) or bytes that cannot be read; such files are tried once more
// at the next start.

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "chat/service.hpp"
#include "files/blob_store.hpp"
#include "files/clamd_scanner.hpp"
#include "files/content_sniffer.hpp"
#include "files/office_converter.hpp"
#include "files/thumbnailer.hpp"
#include "files/worker_pool.hpp"
#include "proto/error.hpp"
#include "uploads/scanner_watch.hpp"

namespace writeen::uploads {

namespace net = boost::asio;

/// How the pipeline is set up.
struct pipeline_options {
    std::string clamd_address;         ///< empty: scanning is disabled (files are `unscanned`)
    std::size_t scan_workers = 2;      ///< scans (and measurements) at once
    std::size_t io_workers = 4;        ///< blob store calls and thumbnails at once
    /// LibreOffice conversions at once (each a process of a few hundred MB): their own pool, so
    /// slow or hostile documents never hold up downloads and image thumbnails.
    std::size_t office_workers = 1;
    std::size_t office_queue_capacity = 32;  ///< waiting conversions; beyond: 503, retry later
    /// Image and PDF thumbnails made at once: a decode holds up to tens of MiB of libvips
    /// buffers, so their own small pool bounds that memory (and downloads on the I/O pool never
    /// wait behind a burst of thumbnails).
    std::size_t thumbnail_workers = 2;
    std::size_t thumbnail_queue_capacity = 64;  ///< waiting thumbnails; beyond: 503, retry later
    std::size_t queue_capacity = 4096; ///< waiting tasks per pool; beyond, a file waits pending
    /// Waits between probes of an unreachable clamd (files stay pending meanwhile).
    scanner_watch::backoff scan_retry;
    /// Scans of one file that may break off while clamd still answers probes before the file
    /// is marked error (a stream clamd keeps dropping is not retried for ever).
    int max_broken_scans = 3;
    files::thumbnailer::limits preview;
    files::office_converter::limits office;  ///< DOCX/PPTX previews; office.soffice empty: none
    std::uint64_t max_preview_bytes = 64 * 1024 * 1024;  ///< larger files get no thumbnail
};

/// Thumbnail sizes of API.md (long side in pixels).
enum class thumbnail_size { small = 150, medium = 480, large = 1024 };

/// Shared by every request; thread-safe.
class upload_pipeline {
public:
    /// Uses store (not owned; outlives this) for every blob.
    upload_pipeline(chat::service& chat, files::blob_store& store, pipeline_options options);
    /// Finishes queued work, then stops the pools.
    ~upload_pipeline();
    upload_pipeline(const upload_pipeline&) = delete;
    upload_pipeline& operator=(const upload_pipeline&) = delete;

    /// The blob store (encrypted).
    files::blob_store& store() { return store_; }
    /// MIME detection of uploads.
    const files::content_sniffer& sniffer() const { return sniffer_; }
    /// True when uploads are scanned by clamd.
    bool scanning() const { return scanner_.has_value(); }
    /// What /readyz says about scanning: "disabled", or "clamd <address>".
    std::string scanner_description() const;
    /// True if clamd answers (always true when scanning is disabled). Blocking (a round trip
    /// to clamd). When it answers, files waiting for it are queued at once.
    bool scanner_reachable();
    /// Why scanning waits ("" when it does not): what the last failed attempt to reach clamd said.
    std::string scanner_down_reason() const;
    /// True when a file of this MIME type gets thumbnails.
    bool previews(std::string_view mime) const;
    /// True when an image of this size is within the preview pixel cap, so it is measured
    /// (a decompression bomb's declared size is never reported).
    bool measurable(const files::image_size& size) const;

    /// Runs fn on the I/O worker pool and resumes the awaiting coroutine on its own executor
    /// with fn's result or exception. A saturated pool is `unavailable` (503), at once.
    template <class T>
    net::awaitable<T> offload(std::function<T()>&& fn) {
        return offload_on(io_pool_, std::move(fn));
    }

    /// Starts the background work of a newly stored file.
    void process(const file_record& f);
    /// Requeues the files whose scan did not finish before the last stop, and those marked
    /// error (tried once more: an older server marked files error when clamd was down).
    void resume_unfinished();
    /// Runs task on the I/O pool without waiting for it (dropped, with a warning naming what,
    /// when full).
    void in_background(std::function<void()> task, std::string_view what);
    /// Deletes the bytes of blobs (and their cached thumbnails) in the background.
    void delete_blobs(std::vector<std::string> keys);
    /// A JPEG thumbnail of f, from the cache or made now. Blocking: call through offload(), or
    /// use make_thumbnail. Throws api_error (not_found when f has no preview, unprocessable when
    /// it cannot be made).
    std::string thumbnail(const file_record& f, thumbnail_size size);
    /// thumbnail() on the pool that suits f: LibreOffice conversions on the office pool, the
    /// rest on the thumbnail pool. 503 (unavailable) when that pool's queue is full.
    net::awaitable<std::string> make_thumbnail(const file_record& f, thumbnail_size size);
    /// For the start log: "LibreOffice at PATH" or "off (...)".
    std::string office_description() const;

    /// Counters for /metrics.
    std::atomic<std::uint64_t> upload_bytes{0};
    std::atomic<std::uint64_t> uploads{0};
    std::atomic<std::uint64_t> scans_clean{0};
    std::atomic<std::uint64_t> scans_infected{0};
    std::atomic<std::uint64_t> scans_error{0};
    std::atomic<std::uint64_t> scans_unavailable{0};  ///< attempts without a verdict (clamd unreachable)

private:
    /// Queues f's scan unless it is queued already; false when the scan pool is full.
    bool queue_scan(const file_record& f);
    /// Queues every file waiting for a scan (pending or stuck in scanning; with errors also
    /// those marked error). Files that do not fit wait for the next round.
    void queue_waiting(bool errors);
    /// Puts a file that got no verdict back to pending (from scanning or error).
    void park(const std::string& file_id);
    void scan(const file_record& f);
    /// A scan of f ended without a verdict: wait for clamd, or after repeated breaks, error.
    void no_verdict(const file_record& f, const std::string& why);
    /// One round trip to clamd with a clean sample; true when it answers OK.
    bool probe_scanner() const;
    void measure(const file_record& f);
    /// Sets a file's final scan status (and size) unless it already has a final one.
    void finish(const std::string& file_id, std::string status, std::optional<files::image_size> size);
    std::string read_blob(const std::string& key, std::uint64_t limit);
    /// Runs fn on pool; see offload().
    template <class T>
    net::awaitable<T> offload_on(files::worker_pool& pool, std::function<T()>&& fn);

    chat::service& chat_;
    files::blob_store& store_;
    pipeline_options options_;
    files::content_sniffer sniffer_;
    std::optional<files::clamd_scanner> scanner_;
    std::optional<files::clamd_scanner> prober_;  // the same clamd, with short time limits
    std::mutex scans_mutex_;
    std::unordered_set<std::string> queued_scans_;          // guarded by scans_mutex_; queued or running
    std::unordered_map<std::string, int> broken_scans_;     // guarded by scans_mutex_; per file id
    /// With clamd only. Stopped first in the destructor: its callback uses the pools.
    std::optional<scanner_watch> watch_;
    files::thumbnailer thumbnailer_;
    files::office_converter office_;
    // Declared last: destroyed (drained and joined) first, while everything above still exists.
    files::worker_pool io_pool_;
    files::worker_pool scan_pool_;
    files::worker_pool office_pool_;
    files::worker_pool thumbnail_pool_;
};

template <class T>
net::awaitable<T> upload_pipeline::offload_on(files::worker_pool& pool, std::function<T()>&& fn) {
    return net::async_initiate<const net::use_awaitable_t<>&, void(std::exception_ptr, T)>(
        [&pool, fn = std::move(fn)](auto handler) mutable {
            auto executor = net::get_associated_executor(handler);
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            const bool queued = pool.try_post([shared, executor, fn = std::move(fn)]() mutable {
                std::exception_ptr error;
                T value{};
                try {
                    value = fn();
                } catch (...) {
                    error = std::current_exception();
                }
                net::post(executor, [shared, error, value = std::move(value)]() mutable {
                    (*shared)(error, std::move(value));
                });
            });
            if (!queued) {
                auto error = std::make_exception_ptr(api_error(error_code::unavailable, "the server is busy; retry later", 1));
                net::post(executor, [shared, error]() mutable { (*shared)(error, T{}); });
            }
        },
        net::use_awaitable);
}

}  // namespace writeen::uploads
