#pragma once
// Tokens whose signature and claims were already checked, so a client that sends the same
// bearer token on every request pays for the cryptography once.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/principal.hpp"

namespace writeen::auth {

/// What a verified token established, independent of the time it is used at.
struct verified_token {
    auth::principal principal;
    std::optional<std::int64_t> not_before_ms;  ///< `nbf` in Unix milliseconds, when present
};

/// A bounded map from token text to what verifying it established. Only tokens that passed
/// every check are stored: an attacker cannot fill it without the signing key. Entries are
/// keyed by the exact token bytes, so a hit proves the same signed bytes were verified before.
/// Thread-safe: each shard has its own mutex, so I/O threads rarely wait on each other.
class verified_token_cache {
  public:
    /// A cache of at most `capacity` tokens; 0 stores nothing.
    explicit verified_token_cache(std::size_t capacity);

    /// What verifying `token` established, if it is cached.
    std::optional<verified_token> find(std::string_view token) const;

    /// Remembers `token`. When its shard is full, drops tokens expired at `now_ms` (with
    /// `leeway_ms`), then arbitrary ones, to make room.
    void insert(std::string_view token, const verified_token& entry, std::int64_t now_ms,
                std::int64_t leeway_ms);

    /// The number of cached tokens (a snapshot; other threads may change it at once).
    std::size_t size() const;

  private:
    static constexpr std::size_t shard_count = 8;

    // Heterogeneous lookup: find(string_view) without building a std::string per request.
    struct text_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };

    struct shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, verified_token, text_hash, std::equal_to<>>
            entries;  // guarded by mutex
    };

    shard& shard_for(std::string_view token) const;

    std::size_t shard_capacity_;
    mutable std::array<shard, shard_count> shards_;
};

}  // namespace writeen::auth
