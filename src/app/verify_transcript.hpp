#pragma once
// `writeen-chat verify-transcript FILE [--public-key PEM]`: checks a saved transcript offline.

#include <iosfwd>
#include <string>

namespace writeen::app {

/// Checks the transcript saved in `file` (the API's answer or its data) against the public key
/// in `public_key_file` (PEM; empty: the hash chain only). Prints "valid" to out and returns 0,
/// or names the first broken entry on err and returns 1 (2: the files cannot be read).
int verify_transcript(const std::string& file, const std::string& public_key_file, std::ostream& out,
                      std::ostream& err);

}  // namespace writeen::app
