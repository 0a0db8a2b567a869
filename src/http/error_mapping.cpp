#include "http/error_mapping.hpp"

#include <spdlog/spdlog.h>

#include "files/file_errors.hpp"
#include "store/store.hpp"

namespace writeen::http {

error_envelope envelope_of(std::exception_ptr e, std::string_view where) {
    const std::string_view on = where.empty() ? std::string_view("a request") : where;
    if (!e) {
        spdlog::error("internal error on {}: a failure without an exception", on);
        return {error_code::internal, "internal error", std::nullopt};
    }
    try {
        std::rethrow_exception(e);
    } catch (const api_error& error) {
        return {error.code(), error.what(), error.retry_after()};
    } catch (const files::multipart_error& error) {
        return {error_code::bad_request, std::string("malformed multipart body: ") + error.what(), std::nullopt};
    } catch (const store::unavailable& error) {
        spdlog::error("storage unavailable on {}: {}", on, error.what());
        return {error_code::unavailable, "storage is unavailable; retry later", 1};
    } catch (const store::duplicate_client_message& error) {
        // The chat service answers a retried clientMessageId with the stored message; reaching
        // here means that check was missed (a race or a bug), and the client's message exists.
        spdlog::warn("duplicate clientMessageId reached the client on {}: {}", on, error.what());
        return {error_code::conflict, "a message with this clientMessageId is already stored", std::nullopt};
    } catch (const files::blob_not_found& error) {
        // A file row whose bytes are gone (deleted after a verdict, or lost by the store).
        spdlog::warn("blob missing on {}: {}", on, error.what());
        return {error_code::not_found, "the file's bytes are gone", std::nullopt};
    } catch (const files::storage_error& error) {
        spdlog::error("blob store unavailable on {}: {}", on, error.what());
        return {error_code::unavailable, "file storage is unavailable; retry later", 1};
    } catch (const files::integrity_error& error) {
        // Stored bytes that fail authentication: tampering or a wrong master key. Never served.
        spdlog::critical("integrity failure on {}: {}", on, error.what());
        return {error_code::internal, "internal error", std::nullopt};
    } catch (const std::exception& error) {
        spdlog::error("internal error on {}: {}", on, error.what());
        return {error_code::internal, "internal error", std::nullopt};
    } catch (...) {
        spdlog::error("internal error on {}: a non-standard exception", on);
        return {error_code::internal, "internal error", std::nullopt};
    }
}

}  // namespace writeen::http
