#include "uploads/upload_pipeline.hpp"

#include <spdlog/spdlog.h>

#include "files/file_errors.hpp"

namespace writeen::uploads {
namespace {

bool final_status(const std::string& s) { return s == "clean" || s == "infected" || s == "error" || s == "unscanned"; }

bool is_image(std::string_view mime) { return mime.starts_with("image/"); }

bool is_office(std::string_view mime) {
    return mime == "application/vnd.openxmlformats-officedocument.wordprocessingml.document" ||
           mime == "application/vnd.openxmlformats-officedocument.presentationml.presentation";
}

/// Cached thumbnails live beside their blob: the blob key (32 hex digits) and a size digit pair,
/// so they are valid keys that no upload's key can equal, and are found from the blob key alone.
std::string thumbnail_key(const std::string& blob_key, thumbnail_size size) {
    switch (size) {
    case thumbnail_size::small: return blob_key + "01";
    case thumbnail_size::medium: return blob_key + "02";
    case thumbnail_size::large: return blob_key + "03";
    }
    return blob_key + "02";
}

/// Logs the failure of a step of file_id's processing; nothing when e is empty.
void log_failure(std::string_view file_id, std::string_view step, std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        spdlog::warn("file {}: {} failed: {}", file_id, step, ex.what());
    } catch (...) {
        spdlog::warn("file {}: {} failed with a non-standard exception", file_id, step);
    }
}

/// A task that escaped its own handling on a pool: logged, the worker carries on.
files::worker_pool::error_handler log_task_failure(std::string pool) {
    return [pool = std::move(pool)](std::exception_ptr e) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::error("{} pool: a task failed: {}", pool, ex.what());
        } catch (...) {
            spdlog::error("{} pool: a task failed with a non-standard exception", pool);
        }
    };
}

}  // namespace

upload_pipeline::upload_pipeline(chat::service& chat, files::blob_store& store, pipeline_options options)
    : chat_(chat),
      store_(store),
      options_(std::move(options)),
      thumbnailer_(options_.preview),
      office_(options_.office),
      io_pool_(options_.io_workers, options_.queue_capacity, log_task_failure("file I/O")),
      scan_pool_(options_.scan_workers, options_.queue_capacity, log_task_failure("scan")),
      office_pool_(options_.office_workers, options_.office_queue_capacity, log_task_failure("office preview")),
      thumbnail_pool_(options_.thumbnail_workers, options_.thumbnail_queue_capacity, log_task_failure("thumbnail")) {
    if (!options_.clamd_address.empty()) {
        scanner_.emplace(options_.clamd_address);
        // Probes get short limits: a hung clamd must not hold a /readyz or the shutdown for the
        // minute a real scan may take.
        prober_.emplace(options_.clamd_address, files::clamd_scanner::timeouts{std::chrono::milliseconds(2000),
                                                                               std::chrono::milliseconds(5000)});
        watch_.emplace([this] { return probe_scanner(); }, [this] { queue_waiting(false); }, options_.scan_retry);
    }
    chat_.messages().set_blob_collector([this](std::vector<std::string> keys) { delete_blobs(std::move(keys)); });
}

upload_pipeline::~upload_pipeline() {
    watch_.reset();
    chat_.messages().set_blob_collector({});
    thumbnail_pool_.stop();
    office_pool_.stop();
    scan_pool_.stop();
    io_pool_.stop();
}

std::string upload_pipeline::scanner_description() const {
    return scanner_ ? "clamd " + scanner_->address() : std::string("disabled");
}

bool upload_pipeline::probe_scanner() const {
    // A tiny clean sample: clamd answers OK only when it is up and has its signatures.
    return prober_->scan(std::string_view("writeen readiness probe")).result == files::scan_verdict::kind::clean;
}

bool upload_pipeline::scanner_reachable() {
    if (!scanner_) return true;
    const bool up = probe_scanner();
    if (up) watch_->answered();
    return up;
}

std::string upload_pipeline::scanner_down_reason() const { return watch_ ? watch_->reason() : std::string(); }

bool upload_pipeline::previews(std::string_view mime) const {
    return is_image(mime) || mime == "application/pdf" || (is_office(mime) && office_.enabled());
}

bool upload_pipeline::measurable(const files::image_size& size) const {
    return size.width > 0 && size.height > 0 &&
           static_cast<std::uint64_t>(size.width) * static_cast<std::uint64_t>(size.height) <= options_.preview.max_pixels;
}

void upload_pipeline::process(const file_record& f) {
    uploads.fetch_add(1, std::memory_order_relaxed);
    if (!scanner_) {
        if (!is_image(f.mime)) return;
        if (!scan_pool_.try_post([this, f] { measure(f); })) spdlog::warn("file {}: measuring skipped, pool full", f.id);
        return;
    }
    // clamd known down: the file waits pending; the watch queues it once clamd answers.
    if (watch_->down()) return watch_->retry_later();
    if (!queue_scan(f)) {
        // No room to scan it now: it stays pending (never served unscanned) and is queued again.
        spdlog::warn("file {}: the scan queue is full; it waits pending", f.id);
        watch_->retry_later();
    }
}

bool upload_pipeline::queue_scan(const file_record& f) {
    {
        std::lock_guard lock(scans_mutex_);
        if (!queued_scans_.insert(f.id).second) return true;
    }
    if (scan_pool_.try_post([this, f] { scan(f); })) return true;
    std::lock_guard lock(scans_mutex_);
    queued_scans_.erase(f.id);
    return false;
}

void upload_pipeline::queue_waiting(bool errors) {
    std::vector<file_record> waiting;
    try {
        waiting = chat_.files().unfinished_files();
    } catch (const std::exception& e) {
        spdlog::warn("files waiting for a scan not read (tried again later): {}", e.what());
        return watch_->retry_later();
    }
    for (const auto& f : waiting) {
        if (f.scan_status == "error" && !errors) continue;
        if (!queue_scan(f)) {
            spdlog::warn("the scan queue is full; the other waiting files are queued later");
            return watch_->retry_later();
        }
    }
}

void upload_pipeline::resume_unfinished() {
    if (scanner_) return queue_waiting(true);
    for (const auto& f : chat_.files().unfinished_files()) {
        if (f.scan_status == "error") continue;
        // Scanning was turned off since: the file stays unserved until scanned; say so.
        spdlog::warn("file {}: its scan did not finish and scanning is now off; marked error", f.id);
        finish(f.id, "error", std::nullopt);
    }
}

void upload_pipeline::park(const std::string& file_id) {
    chat_.files().update_file(
        file_id,
        [](file_record& f) {
            if (f.scan_status != "scanning" && f.scan_status != "error") return false;
            f.scan_status = "pending";
            return true;
        },
        [file_id](std::exception_ptr e, file_record) { log_failure(file_id, "putting it back to pending", e); });
}

void upload_pipeline::finish(const std::string& file_id, std::string status, std::optional<files::image_size> size) {
    chat_.files().update_file(
        file_id,
        [status, size](file_record& f) {
            bool changed = false;
            if (!final_status(f.scan_status) && status != f.scan_status) {
                f.scan_status = status;
                changed = true;
            }
            if (size && f.scan_status != "infected" && (f.width != size->width || f.height != size->height)) {
                f.width = size->width;
                f.height = size->height;
                changed = true;
            }
            return changed;
        },
        [file_id](std::exception_ptr e, file_record) { log_failure(file_id, "recording its scan result", e); });
}

void upload_pipeline::scan(const file_record& f) {
    // Queued until it returns: a sweep meanwhile does not queue the same file twice.
    struct unqueue {
        upload_pipeline& p;
        const std::string& id;
        ~unqueue() {
            std::lock_guard lock(p.scans_mutex_);
            p.queued_scans_.erase(id);
        }
    } done{*this, f.id};
    if (watch_->down()) {
        // Another scan found clamd down since this one was queued: wait with the others.
        if (f.scan_status == "error") park(f.id);
        return watch_->retry_later();
    }
    chat_.files().update_file(
        f.id,
        [](file_record& r) {
            // error too: a file stranded by an older server's clamd failure is scanned again.
            if (r.scan_status != "pending" && r.scan_status != "error") return false;
            r.scan_status = "scanning";
            return true;
        },
        [id = f.id](std::exception_ptr e, file_record) { log_failure(id, "marking it scanning", e); });
    files::scan_verdict verdict;
    try {
        auto reader = store_.open_read(f.blob_key);
        verdict = scanner_->scan([&reader](std::span<char> out) { return reader->read(out); });
    } catch (const files::blob_not_found& e) {
        // Gone for good (deleted meanwhile): nothing to vouch for.
        verdict = files::scan_verdict::error(std::string("unreadable: ") + e.what());
    } catch (const std::exception& e) {
        // The blob store failing (S3 down) says nothing about the bytes: no verdict, try later.
        verdict = files::scan_verdict::unavailable(std::string("bytes not readable now: ") + e.what());
    }
    std::optional<files::image_size> size;
    if (verdict.result != files::scan_verdict::kind::unavailable) {
        std::lock_guard lock(scans_mutex_);
        broken_scans_.erase(f.id);
    }
    switch (verdict.result) {
    case files::scan_verdict::kind::clean:
        scans_clean.fetch_add(1, std::memory_order_relaxed);
        if (is_image(f.mime)) {
            try {
                size = thumbnailer_.measure(read_blob(f.blob_key, options_.max_preview_bytes));
            } catch (const std::exception& e) {
                spdlog::info("file {}: not measured: {}", f.id, e.what());
            }
        }
        finish(f.id, "clean", size);
        break;
    case files::scan_verdict::kind::infected:
        scans_infected.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("file {}: infected ({}); its bytes are deleted", f.id, verdict.detail);
        finish(f.id, "infected", std::nullopt);
        break;
    case files::scan_verdict::kind::error:
        scans_error.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("file {}: scan failed: {}", f.id, verdict.detail);
        finish(f.id, "error", std::nullopt);
        break;
    case files::scan_verdict::kind::unavailable:
        scans_unavailable.fetch_add(1, std::memory_order_relaxed);
        no_verdict(f, verdict.detail);
        break;
    }
}

void upload_pipeline::no_verdict(const file_record& f, const std::string& why) {
    if (!probe_scanner()) {
        // clamd itself is gone (down, or killed during this scan): wait for it.
        spdlog::warn("file {}: no verdict ({}); it waits pending for clamd", f.id, why);
        park(f.id);
        return watch_->lost(why);
    }
    // clamd answers, yet this file's scan broke off: a few more tries, then an error.
    int broken = 0;
    {
        std::lock_guard lock(scans_mutex_);
        broken = ++broken_scans_[f.id];
        if (broken >= options_.max_broken_scans) broken_scans_.erase(f.id);
    }
    if (broken >= options_.max_broken_scans) {
        scans_error.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("file {}: scan broke off {} times while clamd answers ({}); marked error", f.id, broken, why);
        return finish(f.id, "error", std::nullopt);
    }
    spdlog::warn("file {}: scan broke off ({}); tried again later", f.id, why);
    park(f.id);
    watch_->retry_later();
}

void upload_pipeline::measure(const file_record& f) {
    try {
        finish(f.id, f.scan_status, thumbnailer_.measure(read_blob(f.blob_key, options_.max_preview_bytes)));
    } catch (const std::exception& e) {
        spdlog::info("file {}: not measured: {}", f.id, e.what());
    }
}

std::string upload_pipeline::read_blob(const std::string& key, std::uint64_t limit) {
    auto reader = store_.open_read(key, 0, limit + 1);
    std::string data = files::read_all(*reader);
    if (data.size() > limit) throw files::storage_error("too large to preview");
    return data;
}

void upload_pipeline::in_background(std::function<void()> task, std::string_view what) {
    if (!io_pool_.try_post(std::move(task))) spdlog::warn("{}: dropped, the I/O pool is full", what);
}

void upload_pipeline::delete_blobs(std::vector<std::string> keys) {
    const bool queued = io_pool_.try_post([this, keys] {
        for (const auto& key : keys) {
            try {
                store_.remove(key);
                for (auto size : {thumbnail_size::small, thumbnail_size::medium, thumbnail_size::large})
                    store_.remove(thumbnail_key(key, size));
            } catch (const std::exception& e) {
                spdlog::warn("blob {}: not deleted: {}", key, e.what());
            }
        }
    });
    if (!queued) spdlog::warn("{} blobs left for later: the I/O pool is full", keys.size());
}

std::string upload_pipeline::office_description() const {
    if (!office_.enabled()) return "off (no LibreOffice: --soffice none, or no soffice on PATH)";
    return "on, with " + office_.binary() + " (" + std::to_string(options_.office_workers) + " at a time, killed after " +
           std::to_string(options_.office.timeout.count()) + " s)";
}

net::awaitable<std::string> upload_pipeline::make_thumbnail(const file_record& f, thumbnail_size size) {
    std::function<std::string()> make = [this, f, size] { return thumbnail(f, size); };
    return offload_on(is_office(f.mime) ? office_pool_ : thumbnail_pool_, std::move(make));
}

std::string upload_pipeline::thumbnail(const file_record& f, thumbnail_size size) {
    if (!previews(f.mime)) throw api_error(error_code::not_found, "this file has no preview");
    const std::string key = thumbnail_key(f.blob_key, size);
    try {
        auto cached = store_.open_read(key);
        return files::read_all(*cached);
    } catch (const files::blob_not_found&) {
        // Not cached yet: the normal first request of a size, made below.
    }
    std::string thumb;
    try {
        std::string data = read_blob(f.blob_key, options_.max_preview_bytes);
        if (is_office(f.mime))
            data = office_.first_page_pdf(data, f.mime.find("wordprocessing") != std::string::npos ? ".docx" : ".pptx");
        thumb = thumbnailer_.thumbnail(data, static_cast<int>(size));
    } catch (const files::preview_error& e) {
        throw api_error(error_code::unprocessable, std::string("no preview can be made: ") + e.what());
    } catch (const files::blob_not_found&) {
        throw api_error(error_code::not_found, "the file's bytes are gone");
    }
    try {
        auto writer = store_.begin_write(key);
        writer->write(thumb);
        writer->commit();
    } catch (const std::exception& e) {
        spdlog::warn("thumbnail of {} not cached: {}", f.id, e.what());
    }
    return thumb;
}

}  // namespace writeen::uploads
