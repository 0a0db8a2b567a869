#include "chat/session_summary.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "chat/stop_words.hpp"
#include "chat/text.hpp"

namespace writeen::chat {
namespace {

constexpr std::size_t max_action_items = 50;
constexpr std::size_t max_action_item_bytes = 500;
constexpr std::size_t min_term_bytes = 3;

bool word_byte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }
bool all_digits(std::string_view w) {
    return std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isdigit(c); });
}
bool sentence_end(unsigned char c) { return c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == '\n' || c == ','; }

/// x ln(x / e), with 0 ln 0 = 0.
double xlogx(double x, double e) { return x > 0 ? x * std::log(x / e) : 0.0; }

/// Lowercase, one space between words: two spellings of one item compare equal.
std::string normalised(std::string_view s) {
    std::string out;
    bool space = false;
    for (unsigned char c : s) {
        if (std::isspace(c)) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += static_cast<char>(std::tolower(c));
    }
    return out;
}

/// s cut to at most n bytes, not inside a UTF-8 sequence.
std::string_view cut(std::string_view s, std::size_t n) {
    if (s.size() <= n) return s;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}

bool starts_with_word(std::string_view lower, std::string_view cue) {
    if (!lower.starts_with(cue)) return false;
    if (lower.size() == cue.size()) return false;  // a cue alone names no task
    const unsigned char next = static_cast<unsigned char>(lower[cue.size()]);
    return !word_byte(next);
}

}  // namespace

std::vector<std::string> terms_of(std::string_view text) {
    std::vector<std::string> out;
    std::string previous;  // the last kept word of the current sentence, for phrases
    std::size_t i = 0;
    while (i < text.size()) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (!word_byte(c)) {
            if (sentence_end(c)) previous.clear();
            ++i;
            continue;
        }
        std::string word;
        while (i < text.size() && word_byte(static_cast<unsigned char>(text[i])))
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i++])));
        if (word.size() < min_term_bytes || all_digits(word) || is_stop_word(word)) {
            // A stop word between two words breaks the phrase ("bab dan metode" is no phrase).
            previous.clear();
            continue;
        }
        if (!previous.empty()) out.push_back(previous + " " + word);
        out.push_back(word);
        previous = std::move(word);
    }
    return out;
}

void term_counts::add_text(std::string_view text) {
    for (auto& t : terms_of(text)) {
        ++counts_[std::move(t)];
        ++total_;
    }
}

std::int64_t term_counts::count(const std::string& term) const {
    auto it = counts_.find(term);
    return it == counts_.end() ? 0 : it->second;
}

std::vector<std::string> characteristic_terms(const term_counts& session, const term_counts& background,
                                              std::size_t limit) {
    struct scored {
        std::string term;
        double score;
    };
    const double n1 = static_cast<double>(session.total());
    const double n2 = static_cast<double>(background.total());
    std::vector<scored> candidates;
    for (const auto& [term, count] : session.counts()) {
        if (count < 2) continue;
        const double a = static_cast<double>(count);
        const double b = static_cast<double>(background.count(term));
        // Only terms the session uses more than the history did characterise it.
        if (n2 > 0 && a / n1 <= b / n2) continue;
        const double e1 = n1 * (a + b) / (n1 + n2);
        const double e2 = n2 * (a + b) / (n1 + n2);
        candidates.push_back({term, 2 * (xlogx(a, e1) + xlogx(b, e2))});
    }
    std::sort(candidates.begin(), candidates.end(), [](const scored& x, const scored& y) {
        return x.score != y.score ? x.score > y.score : x.term < y.term;
    });
    std::vector<std::string> chosen;
    const auto words_of = [](const std::string& phrase) {
        const auto space = phrase.find(' ');
        return std::pair{phrase.substr(0, space), phrase.substr(space + 1)};
    };
    for (const auto& c : candidates) {
        if (chosen.size() >= limit) break;
        if (c.term.find(' ') == std::string::npos) {
            // A word already said by a chosen phrase adds nothing.
            const bool inside = std::any_of(chosen.begin(), chosen.end(), [&](const std::string& t) {
                if (t.find(' ') == std::string::npos) return false;
                auto [first, second] = words_of(t);
                return first == c.term || second == c.term;
            });
            if (!inside) chosen.push_back(c.term);
            continue;
        }
        // A pair, not a structured binding: lambdas capture bindings only from clang 16 on.
        const auto words = words_of(c.term);
        std::erase_if(chosen, [&](const std::string& t) { return t == words.first || t == words.second; });
        chosen.push_back(c.term);
    }
    return chosen;
}

std::vector<std::string> task_lines(std::string_view text) {
    static constexpr std::string_view cues[] = {"tolong", "silakan", "silahkan", "harus", "revisi", "please", "todo"};
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = trim(text.substr(start, end - start));
        start = end + 1;
        if (line.starts_with("- [ ]")) {
            auto task = trim(line.substr(5));
            if (!task.empty()) out.emplace_back(task);
            continue;
        }
        // A bullet in front of a cue still reads as a task.
        std::string_view body = line;
        if (body.starts_with("- ") || body.starts_with("* ")) body = trim(body.substr(2));
        const std::string lower = normalised(body.substr(0, 16));
        for (auto cue : cues)
            if (starts_with_word(lower, cue)) {
                out.emplace_back(body);
                break;
            }
    }
    return out;
}

session_summary_builder::session_summary_builder(const std::vector<participant>& participants,
                                                 std::vector<std::string> given_action_items) {
    for (const auto& p : participants) {
        index_.emplace(p.user_id, activity_.size());
        activity_.push_back(participant_activity{.user_id = p.user_id});
        privileged_[p.user_id] = p.role == role::tutor || p.role == role::admin;
    }
    for (const auto& item : given_action_items) add_action_item(item);
}

void session_summary_builder::add_action_item(std::string_view item) {
    item = cut(trim(item), max_action_item_bytes);
    if (item.empty() || action_items_.size() >= max_action_items) return;
    if (seen_items_.emplace(normalised(item), true).second) action_items_.emplace_back(item);
}

void session_summary_builder::add(const message& m) {
    if (m.type == message_type::system || m.deleted_at) return;
    auto [it, added] = index_.emplace(m.sender_id, activity_.size());
    if (added) activity_.push_back(participant_activity{.user_id = m.sender_id});
    participant_activity& a = activity_[it->second];
    if (!a.joined_at) a.joined_at = m.created_at;
    a.left_at = m.created_at;
    ++a.message_count;
    ++total_messages_;
    if (m.type == message_type::file || m.type == message_type::image) {
        ++a.files_shared;
        ++files_shared_;
    }

    const int side = privileged_[m.sender_id] ? 1 : 0;
    side_backlog& unanswered = waiting_[1 - side];
    if (unanswered.messages > 0) {
        response_sum_s_ += (static_cast<double>(unanswered.messages) * static_cast<double>(m.created_at) - unanswered.sum_ms) / 1000.0;
        responses_ += unanswered.messages;
        unanswered = {};
    }
    waiting_[side].messages += 1;
    waiting_[side].sum_ms += static_cast<double>(m.created_at);

    terms_.add_text(m.search_text);
    for (const auto& line : task_lines(m.search_text)) add_action_item(line);
}

session_summary session_summary_builder::finish(const term_counts& background, unix_ms start, unix_ms end) const {
    session_summary s;
    s.participants = activity_;
    s.total_messages = total_messages_;
    s.files_shared = files_shared_;
    s.key_topics = characteristic_terms(terms_, background);
    s.action_items = action_items_;
    if (responses_ > 0) s.response_time = std::round(response_sum_s_ / static_cast<double>(responses_) * 10) / 10;
    // A session shorter than a minute counts as one minute: a rate over seconds says nothing.
    const double minutes = std::max(1.0, static_cast<double>(end - start) / 60000.0);
    s.engagement = std::round(static_cast<double>(total_messages_) / minutes * 100) / 100;
    return s;
}

}  // namespace writeen::chat
