#include "store/postgres/cluster_lease.hpp"

#include "store/postgres/pg_connection.hpp"
#include "store/store.hpp"

namespace writeen::store::postgres {
namespace {

// Two-key form: the first key says "a Writeen job", the second is the job's name hashed by the
// server (the same function on every node, since they share the server). Advisory locks are
// per database, so clusters on separate databases of one server do not see each other.
constexpr const char* sql_try_lock = "SELECT pg_try_advisory_lock(720260412, hashtext($1))";
// Proves the connection, and so its locks, still exist: a lock's owner learns it lost the
// lock only when its session is gone.
constexpr const char* sql_alive = "SELECT 1";

}  // namespace

cluster_lease::cluster_lease(std::string url) : url_(std::move(url)) {}

cluster_lease::~cluster_lease() = default;

bool cluster_lease::holds(std::string_view job) {
    std::lock_guard lock(mutex_);
    try {
        if (!db_) db_ = std::make_unique<connection>(url_);
        else if (!db_->ok()) {
            held_.clear();
            db_->reconnect();
        }
        if (held_.contains(job)) {
            db_->query(sql_alive);
            return true;
        }
        if (!db_->query(sql_try_lock, params{}.add(job)).bool_at(0, 0)) return false;
        held_.emplace(job);
        return true;
    } catch (const std::exception&) {
        // The session and with it every lock of this node is gone (or was never there); the
        // caller sees false and says so when that is news.
        held_.clear();
        db_.reset();
        return false;
    }
}

}  // namespace writeen::store::postgres
