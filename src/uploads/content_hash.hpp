#pragma once
// SHA-256 of an upload, computed while its bytes stream through: the `fileHash` of API.md and
// the key that stores identical content once.

#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace writeen::uploads {

/// An incremental SHA-256. Not copyable; one per upload.
class content_hash {
public:
    content_hash();
    ~content_hash();
    content_hash(const content_hash&) = delete;
    content_hash& operator=(const content_hash&) = delete;

    /// Adds the next bytes.
    void update(std::string_view data);
    /// The digest of everything added, as 64 lowercase hex digits; call once.
    std::string hex();

private:
    evp_md_ctx_st* ctx_;
};

}  // namespace writeen::uploads
