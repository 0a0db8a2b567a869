// The loader of the `history` benchmark: fills a data directory with N messages over M
// conversations through the store's own writer (store::database::submit, large batches), the
// code that stores every message the server acknowledges, so the database is the one the
// server would have built: same schema, same counters, same full-text index.
//
// Text is drawn from bench/history/words.txt (Indonesian and English, most frequent first) with
// Zipf weights, so some words are in most messages and some in a few. Users are in many
// conversations; one user (hist-heavy) is in 500, and one group (the first conversation) holds
// many messages, for the deep-history and sync measurements (bench/history/measure.py).
//
// Usage: history_load --data-dir DIR [--messages N] [--conversations M] [--words FILE] [--seed S]
// The directory must not hold a database yet. What was made (ids, words to search) is written to
// DIR/history-plan.json and printed.
// With --append, N more messages go into the conversations an earlier load made (the same
// --conversations and --seed): the write rate on a large database, printed as JSON.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include <CLI/CLI.hpp>

#include "model/ids.hpp"
#include "store/store.hpp"
#include "store/store_factory.hpp"

namespace {

using namespace writeen;
using clock_type = std::chrono::steady_clock;

constexpr int heavy_conversations = 500;  // the conversation-list measurement's user
constexpr int messages_per_work = 2000;   // one write work (and so at most one transaction)
constexpr int works_in_flight = 4;

/// One language's words, most frequent first, and their cumulative Zipf weights (1/rank).
struct vocabulary {
    std::vector<std::string> words;
    std::vector<double> cumulative;

    const std::string& draw(std::mt19937_64& rng) const {
        std::uniform_real_distribution<double> u(0.0, cumulative.back());
        const auto at = std::upper_bound(cumulative.begin(), cumulative.end(), u(rng));
        return words[static_cast<std::size_t>(std::min<std::ptrdiff_t>(
            at - cumulative.begin(), static_cast<std::ptrdiff_t>(words.size()) - 1))];
    }
};

struct word_list {
    vocabulary indonesian, english;
};

/// Reads words.txt: "[id]" and "[en]" sections, words separated by spaces, "#" comments; a word
/// seen before in its section keeps its first (more frequent) rank.
word_list read_words(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    word_list out;
    vocabulary* current = nullptr;
    std::unordered_set<std::string> seen;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line == "[id]" || line == "[en]") {
            current = line == "[id]" ? &out.indonesian : &out.english;
            seen.clear();
            continue;
        }
        if (!current) throw std::runtime_error(path + ": a word before the first [id] or [en] section");
        std::istringstream words(line);
        for (std::string w; words >> w;)
            if (seen.insert(w).second) current->words.push_back(w);
    }
    for (vocabulary* v : {&out.indonesian, &out.english}) {
        if (v->words.size() < 10) throw std::runtime_error(path + ": a section has fewer than 10 words");
        double sum = 0;
        for (std::size_t rank = 1; rank <= v->words.size(); ++rank) v->cumulative.push_back(sum += 1.0 / rank);
    }
    return out;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string conversation_id(int i) {
    // Shaped like the server's own ids (24 hex digits): one full-text token.
    char buf[32];
    std::snprintf(buf, sizeof buf, "68697374%016x", static_cast<unsigned>(i));
    return buf;
}

std::string user_id(int i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "hist-u%06d", i);
    return buf;
}

const std::string heavy_user = "hist-heavy";

/// Who is where: conversation 0 is the big group (deep history, sync), the first 500 have the
/// heavy user, the rest are 70 % direct (two users) and 30 % groups of 3 to 8.
struct layout {
    int users = 0;
    std::vector<std::vector<std::string>> members;  // by conversation
    std::vector<std::uint8_t> english;              // the conversation's language
    int big_messages = 0;                            // messages of conversation 0
};

layout make_layout(int conversations, std::int64_t messages, std::mt19937_64& rng) {
    layout l;
    // About 20 conversations per user at four members a conversation on average.
    l.users = std::max(50, conversations / 5);
    std::uniform_int_distribution<int> any_user(0, l.users - 1);
    std::uniform_int_distribution<int> group_size(3, 8);
    for (int c = 0; c < conversations; ++c) {
        const bool group = c == 0 || c % 10 < 3;
        std::vector<std::string> m;
        if (c < heavy_conversations) m.push_back(heavy_user);
        const std::size_t size = group ? static_cast<std::size_t>(group_size(rng)) : 2;
        while (m.size() < size) {
            std::string u = user_id(any_user(rng));
            if (std::find(m.begin(), m.end(), u) == m.end()) m.push_back(std::move(u));
        }
        l.members.push_back(std::move(m));
        l.english.push_back(c % 5 >= 3 ? 1 : 0);
    }
    // Enough for a 10,000-message sync and a deep page, and no more than a quarter of the data.
    l.big_messages = static_cast<int>(std::min<std::int64_t>(messages / 4, std::max<std::int64_t>(messages / 50, 15000)));
    return l;
}

conversation make_conversation(const layout& l, int c, unix_ms at) {
    conversation out;
    out.id = conversation_id(c);
    const bool group = l.members[static_cast<std::size_t>(c)].size() > 2 || c == 0;
    out.type = group ? conversation_type::group : conversation_type::direct;
    if (group) out.title = c == 0 ? "Bimbingan skripsi angkatan 2024" : "Kelompok " + std::to_string(c);
    out.created_by = l.members[static_cast<std::size_t>(c)].front();
    out.created_at = out.updated_at = at;
    for (const auto& u : l.members[static_cast<std::size_t>(c)]) {
        participant p;
        p.user_id = u;
        p.role = u == heavy_user ? role::tutor : role::student;
        p.joined_at = at;
        out.participants.push_back(std::move(p));
    }
    return out;
}

/// Keeps `works_in_flight` writes submitted and rethrows the first failure.
class pipeline {
public:
    explicit pipeline(store::database& db) : db_(db) {}

    void submit(store::write_work work) {
        std::unique_lock lock(mutex_);
        done_.wait(lock, [&] { return in_flight_ < works_in_flight || error_; });
        if (error_) std::rethrow_exception(error_);
        ++in_flight_;
        lock.unlock();
        db_.submit(std::move(work), [this](std::exception_ptr e) {
            std::lock_guard guard(mutex_);
            if (e && !error_) error_ = e;
            --in_flight_;
            done_.notify_all();
        });
    }

    void drain() {
        std::unique_lock lock(mutex_);
        done_.wait(lock, [&] { return in_flight_ == 0; });
        if (error_) std::rethrow_exception(error_);
    }

private:
    store::database& db_;
    std::mutex mutex_;
    std::condition_variable done_;
    int in_flight_ = 0;
    std::exception_ptr error_;
};

}  // namespace

int main(int argc, char** argv) try {
    CLI::App app{"Fills a data directory for the history benchmark through the store's writer"};
    std::string data_dir;
    std::int64_t messages = 10'000'000;
    int conversations = 50'000;
    std::string words_file = "bench/history/words.txt";
    std::uint64_t seed = 1;
    app.add_option("--data-dir", data_dir, "directory to fill (its writeen.db must not exist)")->required();
    app.add_option("--messages", messages, "messages to store")->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000'000}));
    app.add_option("--conversations", conversations, "conversations")->check(CLI::Range(2, 10'000'000));
    app.add_option("--words", words_file, "word list");
    app.add_option("--seed", seed, "random seed (the same seed makes the same data)");
    bool append = false;
    app.add_flag("--append", append, "add messages to the conversations of an earlier load");
    CLI11_PARSE(app, argc, argv);

    const word_list words = read_words(words_file);
    std::filesystem::create_directories(data_dir);
    const std::string db_path = data_dir + "/writeen.db";
    if (std::filesystem::exists(db_path) != append)
        throw std::runtime_error(append ? db_path + " does not exist: load first" : db_path + " exists: give an empty directory");

    std::mt19937_64 rng(seed);
    const layout l = make_layout(conversations, messages, rng);

    store::store_config config;
    config.path = db_path;
    // Loading is not what is measured: a crash during it means loading again.
    config.synchronous_full = false;
    auto db = store::open_store(config);
    pipeline writes(*db);

    // One message a second, ending now, so the newest are today's.
    const unix_ms end = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const unix_ms start_at = append ? end : end - messages * 1000;
    const auto started = clock_type::now();

    if (!append) writes.submit([&](store::transaction& tx) {
        for (int u = 0; u < l.users; ++u) {
            user_profile p;
            p.id = user_id(u);
            p.name = "Mahasiswa " + std::to_string(u);
            tx.upsert_user(p);
        }
        user_profile heavy;
        heavy.id = heavy_user;
        heavy.name = "Dr. Banyak Kelas";
        heavy.role = role::tutor;
        tx.upsert_user(heavy);
    });
    for (int first = 0; first < conversations && !append; first += messages_per_work) {
        const int last = std::min(conversations, first + messages_per_work);
        writes.submit([&, first, last](store::transaction& tx) {
            for (int c = first; c < last; ++c) tx.insert_conversation(make_conversation(l, c, start_at - 1000));
        });
    }

    // Conversation 0 gets big_messages spread evenly over time; the others share the rest.
    std::uniform_int_distribution<int> other_conversation(1, conversations - 1);
    std::uniform_int_distribution<int> length(3, 24);
    const double big_share = static_cast<double>(l.big_messages) / static_cast<double>(messages);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (std::int64_t first = 0; first < messages; first += messages_per_work) {
        const std::int64_t count = std::min<std::int64_t>(messages_per_work, messages - first);
        // Drawn here, on this thread, so the same seed gives the same data.
        auto batch = std::make_shared<std::vector<message>>();
        batch->reserve(static_cast<std::size_t>(count));
        for (std::int64_t i = first; i < first + count; ++i) {
            const int c = unit(rng) < big_share ? 0 : other_conversation(rng);
            const auto& members = l.members[static_cast<std::size_t>(c)];
            const vocabulary& v = l.english[static_cast<std::size_t>(c)] ? words.english : words.indonesian;
            std::string text;
            for (int n = length(rng); n > 0; --n) {
                if (!text.empty()) text += ' ';
                text += v.draw(rng);
            }
            message m;
            m.id = make_object_id();
            m.conversation_id = conversation_id(c);
            m.sender_id = members[std::uniform_int_distribution<std::size_t>(0, members.size() - 1)(rng)];
            m.type = message_type::text;
            m.content_json = "{\"text\":" + json_string(text) + "}";
            m.search_text = std::move(text);
            m.created_at = m.updated_at = start_at + i * 1000;
            batch->push_back(std::move(m));
        }
        writes.submit([batch](store::transaction& tx) {
            for (auto& m : *batch) {
                m.change_seq = m.created_change_seq = tx.next_change_seq(m.conversation_id);
                m.seq = tx.append_message(m);
            }
        });
        if ((first / messages_per_work) % 250 == 0 && first > 0) {
            const double s = std::chrono::duration<double>(clock_type::now() - started).count();
            std::fprintf(stderr, "history_load: %lld messages, %.0f msg/s\n", static_cast<long long>(first),
                         static_cast<double>(first) / s);
        }
    }
    writes.drain();
    db->close();
    const double seconds = std::chrono::duration<double>(clock_type::now() - started).count();

    if (append) {
        std::printf("{\"appended\":%lld,\"seconds\":%.3f,\"rate\":%.0f}\n", static_cast<long long>(messages), seconds,
                    static_cast<double>(messages) / seconds);
        return 0;
    }
    // What the measuring step needs: ids and words, most and least frequent.
    std::ostringstream plan;
    plan << "{\"messages\":" << messages << ",\"conversations\":" << conversations << ",\"users\":" << l.users
         << ",\"heavyUser\":\"" << heavy_user << "\",\"heavyConversations\":"
         << std::min(heavy_conversations, conversations) << ",\"typicalUser\":\"" << user_id(7) << "\""
         << ",\"bigConversation\":\"" << conversation_id(0) << "\",\"bigMessages\":" << l.big_messages
         << ",\"smallConversation\":\"" << conversation_id(1) << "\""
         << ",\"commonWords\":[" << json_string(words.indonesian.words[0]) << ","
         << json_string(words.english.words[0]) << "]"
         << ",\"midWords\":[" << json_string(words.indonesian.words[40]) << ","
         << json_string(words.english.words[40]) << "]"
         << ",\"rareWords\":[" << json_string(words.indonesian.words.back()) << ","
         << json_string(words.english.words.back()) << "]"
         << ",\"loadSeconds\":" << seconds << ",\"loadRate\":" << static_cast<double>(messages) / seconds << "}";
    std::ofstream(data_dir + "/history-plan.json") << plan.str() << "\n";
    std::printf("%s\n", plan.str().c_str());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "history_load: %s\n", e.what());
    return 1;
}
