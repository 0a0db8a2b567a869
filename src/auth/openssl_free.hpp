#pragma once
// One deleter for std::unique_ptr over any OpenSSL object, so each module names its owning
// handles in one line (`std::unique_ptr<EVP_PKEY, openssl_free<EVP_PKEY_free>>`).

namespace writeen::auth {

/// Deleter calling an OpenSSL `*_free` function.
template <auto Free>
struct openssl_free {
    template <class T>
    void operator()(T* p) const noexcept {
        Free(p);
    }
};

}  // namespace writeen::auth
