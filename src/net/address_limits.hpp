#pragma once
// Per-client-address counters with a limit, so that one address cannot hold every connection
// (or every connection still reading its headers) the server can have open: the slowloris
// defence of docs/OPERATIONS.md. Thread-safe; a lease gives its count back when destroyed.

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace writeen::server {

/// Counts what each address holds against one limit (0: no limit).
class address_limits {
public:
    /// One unit held by an address; gives it back when destroyed. Movable, not copyable.
    class lease {
    public:
        lease(lease&& other) noexcept;
        lease& operator=(lease&& other) noexcept;
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        ~lease();

    private:
        friend class address_limits;
        lease(address_limits* owner, boost::asio::ip::address address) : owner_(owner), address_(address) {}
        void release() noexcept;
        address_limits* owner_;  // null once moved from
        boost::asio::ip::address address_;
    };

    explicit address_limits(std::size_t limit) : limit_(limit) {}
    address_limits(const address_limits&) = delete;
    address_limits& operator=(const address_limits&) = delete;

    /// A unit for address, or nullopt when the address already holds `limit` of them.
    std::optional<lease> try_acquire(const boost::asio::ip::address& address);
    /// How many units address holds now.
    std::size_t held(const boost::asio::ip::address& address) const;

private:
    void give_back(const boost::asio::ip::address& address) noexcept;

    const std::size_t limit_;
    mutable std::mutex mutex_;
    // guarded by mutex_; an address with nothing held has no entry, so the map stays as small
    // as the set of addresses connected right now
    std::unordered_map<boost::asio::ip::address, std::size_t> held_;
};

}  // namespace writeen::server
