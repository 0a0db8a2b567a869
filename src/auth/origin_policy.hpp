#pragma once
// Which browser origins may open a WebSocket or call the API (API.md, Authentication).

#include <string>
#include <string_view>
#include <vector>

namespace writeen::auth {

/// An allow-list of browser origins (scheme://host[:port]). Immutable, so thread-safe.
class origin_policy {
  public:
    /// A policy from a comma-separated list such as
    /// "http://localhost:8080,https://app.writeen.id"; "*" as an entry allows every origin, and
    /// an empty list allows none (only clients that send no Origin). Scheme and host compare
    /// case-insensitively; a default port (80 for http, 443 for https) may be written or not.
    /// Throws std::invalid_argument naming the first entry that is not an origin.
    explicit origin_policy(std::string_view allow_list);

    /// True when a request with this Origin header may proceed: an absent or empty header (a
    /// non-browser client, which no browser can forge) or an origin on the list. The opaque
    /// origin "null" (sandboxed frames, file: pages) is allowed only by "*".
    bool allows(std::string_view origin) const;

    /// True when the list contains "*".
    bool allows_any() const { return allow_any_; }

  private:
    bool allow_any_ = false;
    std::vector<std::string> allowed_;  // normalised: lowercase scheme://host, ":port" when not default
};

}  // namespace writeen::auth
