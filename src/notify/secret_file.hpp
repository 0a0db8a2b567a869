#pragma once
// A small secret file (a key) that the server makes on first start and reads afterwards.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

namespace writeen::notify {

/// The contents of the file at `path`; if there is none, it is created with the bytes `make`
/// returns, mode 0600. Creation is atomic: a reader never sees a partial file, and when two
/// processes start at once both end with the winner's contents. Throws std::runtime_error
/// when the file is not a regular file, is accessible by group or others, is larger than
/// `max_size`, or cannot be read or written. The caller owns (and should wipe) the result.
std::string load_or_create_secret_file(const std::filesystem::path& path,
                                       const std::function<std::string()>& make, std::size_t max_size);

}  // namespace writeen::notify
