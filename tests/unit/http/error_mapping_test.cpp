#include "http/error_mapping.hpp"

#include <gtest/gtest.h>

#include "files/file_errors.hpp"
#include "store/store.hpp"

namespace writeen::http {
namespace {

template <class E>
error_envelope envelope_for(E error) {
    return envelope_of(std::make_exception_ptr(std::move(error)), "a test");
}

TEST(error_mapping, api_errors_keep_their_code_message_and_retry_after) {
    const auto e = envelope_for(api_error(error_code::rate_limited, "slow down", 3));
    EXPECT_EQ(e.code, error_code::rate_limited);
    EXPECT_EQ(e.message, "slow down");
    EXPECT_EQ(e.retry_after, 3);
}

TEST(error_mapping, storage_failures_are_unavailable_with_a_retry) {
    const auto store = envelope_for(store::unavailable("disk I/O error"));
    EXPECT_EQ(store.code, error_code::unavailable);
    EXPECT_EQ(store.retry_after, 1);
    EXPECT_EQ(store.message.find("disk"), std::string::npos) << "internals stay in the log";
    EXPECT_EQ(envelope_for(files::storage_error("s3 down")).code, error_code::unavailable);
}

TEST(error_mapping, a_duplicate_client_message_id_is_a_conflict) {
    EXPECT_EQ(envelope_for(store::duplicate_client_message("m1 of u1")).code, error_code::conflict);
}

TEST(error_mapping, malformed_multipart_is_bad_request_and_a_missing_blob_not_found) {
    EXPECT_EQ(envelope_for(files::multipart_error("no boundary")).code, error_code::bad_request);
    EXPECT_EQ(envelope_for(files::blob_not_found("k")).code, error_code::not_found);
}

TEST(error_mapping, unknown_exceptions_are_internal_with_a_generic_message) {
    const auto e = envelope_for(std::runtime_error("secret detail"));
    EXPECT_EQ(e.code, error_code::internal);
    EXPECT_EQ(e.message, "internal error");
    EXPECT_EQ(envelope_for(42).code, error_code::internal);
    EXPECT_EQ(envelope_for(files::integrity_error("bad tag")).message, "internal error");
    EXPECT_EQ(envelope_of(nullptr).code, error_code::internal);
}

}  // namespace
}  // namespace writeen::http
