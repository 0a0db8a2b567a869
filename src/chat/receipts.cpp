#include "chat/receipts.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "chat/access.hpp"

namespace writeen::chat {
namespace {

/// Cursor moves of one kind, by user, each list ordered by up_to_seq.
using marks_by_user = std::unordered_map<std::string, std::vector<cursor_mark>>;

marks_by_user group_marks(std::vector<cursor_mark> marks) {
    marks_by_user out;
    for (auto& m : marks) out[m.user_id].push_back(std::move(m));
    for (auto& [user, list] : out)
        std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.up_to_seq < b.up_to_seq; });
    return out;
}

/// The seqs of ms, ascending and unique: the store dates exactly these.
std::vector<std::int64_t> seqs_of(const std::vector<message>& ms) {
    std::vector<std::int64_t> seqs;
    seqs.reserve(ms.size());
    for (const auto& m : ms) seqs.push_back(m.seq);
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    return seqs;
}

std::vector<receipt> receipts_of(const conversation& c, const message& m, const marks_by_user& marks, bool read) {
    std::vector<receipt> out;
    for (const auto& p : c.participants) {
        if (p.user_id == m.sender_id) continue;
        const std::int64_t cursor = read ? p.read_up_to_seq : p.delivered_up_to_seq;
        if (cursor < m.seq) continue;
        // The first move that covered the message dates it; a cursor with no recorded move
        // (moved before marks were kept) dates it at its sending.
        unix_ms at = m.created_at;
        if (auto it = marks.find(p.user_id); it != marks.end()) {
            auto first = std::lower_bound(it->second.begin(), it->second.end(), m.seq,
                                          [](const cursor_mark& mk, std::int64_t seq) { return mk.up_to_seq < seq; });
            if (first != it->second.end()) at = first->at;
        }
        out.push_back({p.user_id, at});
    }
    return out;
}

message_view make_view(const conversation& c, message m, const marks_by_user& read_marks,
                       const marks_by_user& delivered_marks) {
    message_view v;
    v.status = status_of(c, m);
    v.read_by = receipts_of(c, m, read_marks, true);
    v.delivered_to = receipts_of(c, m, delivered_marks, false);
    v.msg = std::move(m);
    return v;
}

}  // namespace

std::string status_of(const conversation& c, const message& m) {
    bool any_other = false, all_read = true, all_delivered = true;
    for (const auto& p : c.participants) {
        if (p.user_id == m.sender_id || !p.active()) continue;
        any_other = true;
        all_read = all_read && p.read_up_to_seq >= m.seq;
        all_delivered = all_delivered && p.delivered_up_to_seq >= m.seq;
    }
    if (!any_other) return "sent";
    return all_read ? "read" : all_delivered ? "delivered" : "sent";
}

std::vector<message_view> views_of(store::reader& r, const conversation& c, std::vector<message> ms) {
    std::vector<message_view> out;
    out.reserve(ms.size());
    if (ms.empty()) return out;
    const auto seqs = seqs_of(ms);
    const auto read_marks = group_marks(r.cursor_marks_for(c.id, true, seqs));
    const auto delivered_marks = group_marks(r.cursor_marks_for(c.id, false, seqs));
    for (auto& m : ms) out.push_back(make_view(c, std::move(m), read_marks, delivered_marks));
    return out;
}

message_view view_of(store::reader& r, const conversation& c, message m) {
    std::vector<message> one;
    one.push_back(std::move(m));
    return std::move(views_of(r, c, std::move(one)).front());
}

std::vector<message_view> views_for(store::reader& r, const auth::principal& viewer, const conversation& c,
                                    std::vector<message> ms) {
    auto views = views_of(r, c, std::move(ms));
    for (auto& v : views) v.edit_history_visible = may_see_edit_history(viewer, c, v.msg.sender_id);
    return views;
}

message_view view_for(store::reader& r, const auth::principal& viewer, const conversation& c, message m) {
    message_view v = view_of(r, c, std::move(m));
    v.edit_history_visible = may_see_edit_history(viewer, c, v.msg.sender_id);
    return v;
}

std::vector<status_change> status_changes(store::reader& r, const conversation& before, const conversation& after,
                                          const std::string& mover, bool read) {
    const auto cursor = [read](const participant& p) { return read ? p.read_up_to_seq : p.delivered_up_to_seq; };
    // For each sender, the lowest cursor among the others bounds how far their messages have
    // that status; if the bound rose, their newest message below it changed status.
    const auto bound = [&](const conversation& c, const std::string& sender) {
        std::optional<std::int64_t> lowest;
        for (const auto& p : c.participants)
            if (p.active() && p.user_id != sender) lowest = std::min(lowest.value_or(INT64_MAX), cursor(p));
        return lowest.value_or(0);
    };
    std::vector<status_change> out;
    for (const auto& sender : after.participants) {
        if (sender.user_id == mover || !sender.active()) continue;
        const std::int64_t old_bound = bound(before, sender.user_id);
        const std::int64_t new_bound = bound(after, sender.user_id);
        if (new_bound <= old_bound) continue;
        auto newest = r.newest_message_of(after.id, sender.user_id, old_bound, new_bound);
        if (!newest) continue;
        out.push_back({sender.user_id, view_of(r, after, std::move(*newest))});
    }
    return out;
}

}  // namespace writeen::chat
