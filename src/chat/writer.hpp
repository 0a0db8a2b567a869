#pragma once
// Runs the chat domain's changes on the store's single writer: the work decides and gathers,
// inside the transaction, everything its answer and its broadcast need; after the commit the
// broadcast and the answer only send (no store access on the completion strand).

#include <exception>
#include <functional>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "chat/conversation_cache.hpp"
#include "store/store.hpp"

namespace writeen::chat {

/// Completion of an asynchronous operation: an exception (api_error for the client's faults)
/// or the value. Called on the store's completion strand.
template <class T>
using reply = std::function<void(std::exception_ptr, T)>;

class writer {
public:
    writer(store::database& db, conversation_cache& conversations) : db_(db), conversations_(conversations) {}

    /// Runs work(tx, out) on the writer. After the commit, broadcast(out) runs (its failure is
    /// logged: the change is committed and a missed event is recovered by sync), then
    /// done(nullptr, out). If the work throws, its changes are rolled back and done gets the
    /// exception. When `changes` names a conversation, the work changes its participants or
    /// settings: the cache admits no copy of it until the batch has committed.
    template <class T, class Work, class Broadcast>
    void write(Work work, Broadcast broadcast, reply<T> done, std::string changes = {}) {
        auto result = std::make_shared<T>();
        db_.submit(
            [this, result, changes, work = std::move(work), begun = false](store::transaction& tx) mutable {
                // An engine may run a work more than once before its one completion (PostgreSQL
                // re-runs a batch after a conflict with another node, or after a work in it
                // failed): the change is begun once, as end_change runs once, and each run
                // gathers into a fresh result, so nothing of a rolled-back run is answered or
                // broadcast.
                if (!changes.empty() && !begun) {
                    conversations_.begin_change(changes);
                    begun = true;
                }
                *result = T{};
                work(tx, *result);
            },
            [this, result, changes, broadcast = std::move(broadcast),
             done = std::move(done)](std::exception_ptr e) mutable {
                if (!changes.empty()) conversations_.end_change(changes);
                if (e) return done(e, T{});
                try {
                    broadcast(*result);
                } catch (const std::exception& ex) {
                    spdlog::warn("broadcast after a commit failed (clients recover it by sync): {}", ex.what());
                }
                done(nullptr, std::move(*result));
            });
    }

    /// A write whose answer nobody waits for (a user's profile, last seen): failures are logged.
    void write_unanswered(std::function<void(store::transaction&)> work, std::string what) {
        db_.submit(std::move(work), [what = std::move(what)](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                spdlog::warn("{} was not stored: {}", what, ex.what());
            }
        });
    }

    store::database& database() { return db_; }

private:
    store::database& db_;
    conversation_cache& conversations_;
};

}  // namespace writeen::chat
