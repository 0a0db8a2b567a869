#pragma once
// The summary of a chat session, as a pure function over a stream of its messages: activity per
// participant, response time, engagement, key topics measured against the conversation's
// earlier history, and action items. No store access: the caller streams the messages in.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/consultation_types.hpp"
#include "model/types.hpp"

namespace writeen::chat {

/// The terms of a text keyTopics chooses from: lowercase words of at least three characters
/// that are not stop words or numbers, and two-word phrases of adjacent such words within one
/// sentence ("bab dua" from "Bab dua, ya?").
std::vector<std::string> terms_of(std::string_view text);

/// How often each term occurs in a body of text: a session's, or the history before it.
class term_counts {
public:
    /// Adds the terms of one message's text.
    void add_text(std::string_view text);
    std::int64_t count(const std::string& term) const;
    /// Occurrences of all terms together.
    std::int64_t total() const { return total_; }
    const std::unordered_map<std::string, std::int64_t>& counts() const { return counts_; }

private:
    std::unordered_map<std::string, std::int64_t> counts_;
    std::int64_t total_ = 0;
};

/// At most `limit` terms that occur at least twice in `session` and more often than in
/// `background`, ranked by Dunning's log-likelihood ratio (G²) of the two frequencies; a phrase
/// replaces the words it is made of.
std::vector<std::string> characteristic_terms(const term_counts& session, const term_counts& background,
                                              std::size_t limit = 8);

/// The lines of a text that read as tasks: starting with "tolong", "silakan", "harus", "revisi",
/// "please", "todo" or "- [ ]" (in any case).
std::vector<std::string> task_lines(std::string_view text);

/// Builds a session's summary from its messages, fed in seq order.
class session_summary_builder {
public:
    /// `participants`: the conversation's members; tutors and admins are one side of the
    /// conversation, everyone else the other (responseTime measures replies across sides).
    /// `given_action_items` come first in actionItems.
    session_summary_builder(const std::vector<participant>& participants, std::vector<std::string> given_action_items);

    /// Adds one message of the session (system messages and deleted ones only end the others' runs
    /// of nothing: they are not activity).
    void add(const message& m);
    /// The summary of a session from `start` to `end`, its topics measured against `background`.
    session_summary finish(const term_counts& background, unix_ms start, unix_ms end) const;

private:
    struct side_backlog {
        std::int64_t messages = 0;
        double sum_ms = 0;  // sum of their times, so the wait of all of them is one subtraction
    };

    std::vector<participant_activity> activity_;
    std::unordered_map<std::string, std::size_t> index_;  // user id → position in activity_
    std::unordered_map<std::string, bool> privileged_;    // user id → on the tutor side
    std::vector<std::string> action_items_;
    std::unordered_map<std::string, bool> seen_items_;  // normalised action item → seen
    term_counts terms_;
    side_backlog waiting_[2];  // messages not yet answered by the other side, per side
    double response_sum_s_ = 0;
    std::int64_t responses_ = 0;
    std::int64_t total_messages_ = 0;
    std::int64_t files_shared_ = 0;

    void add_action_item(std::string_view item);
};

/// How much earlier history keyTopics compares a session with, at most: the latest messages
/// before the session. Bounds the work of ending a session in a conversation of any age.
inline constexpr std::int64_t background_messages = 20000;

}  // namespace writeen::chat
