#pragma once
// The built web client: files under the web root, with client-side routes falling back to
// index.html, and the headers that keep the page's scripts its own (CSP, nosniff).

#include <string>
#include <string_view>

#include "http/router.hpp"

namespace writeen::http {

/// Serves the web client from a directory.
class static_files {
public:
    /// root: the built client's directory; empty serves nothing (every path is not_found).
    explicit static_files(std::string root) : root_(std::move(root)) {}

    /// The file at the decoded path (GET or HEAD). Throws api_error(not_found).
    response serve(const raw_request& req, std::string_view path) const;

private:
    std::string root_;
};

}  // namespace writeen::http
