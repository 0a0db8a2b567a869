#pragma once
// Jobs that must run on one node of a cluster at a time (the notifier, retention and blob
// collection): each is held by whichever node owns a session-level advisory lock on a
// connection of its own. A node that dies, or loses that connection, releases the lock with it,
// and the next node to ask takes the job over.

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace writeen::store::postgres {

class connection;

/// The advisory locks of one node, on one dedicated connection. Thread-safe.
class cluster_lease {
  public:
    /// Connects lazily: a server that is down at start only means no job is held yet.
    explicit cluster_lease(std::string url);
    ~cluster_lease();
    cluster_lease(const cluster_lease&) = delete;
    cluster_lease& operator=(const cluster_lease&) = delete;

    /// True while this node holds job: the lock was taken now or earlier and the connection
    /// holding it still answers. False when another node holds it or the server is unreachable
    /// (then every lock of this node is gone with its connection; they are asked for again).
    bool holds(std::string_view job);

  private:
    std::string url_;
    std::mutex mutex_;
    std::unique_ptr<connection> db_;  // guarded by mutex_
    std::set<std::string, std::less<>> held_;  // guarded by mutex_: jobs whose lock db_ holds
};

}  // namespace writeen::store::postgres
