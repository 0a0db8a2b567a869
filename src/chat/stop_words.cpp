#include "chat/stop_words.hpp"

#include <array>
#include <unordered_set>

namespace writeen::chat {
namespace {

// Function words, pronouns, particles and chat fillers ("sih", "dong", "ok") that say nothing
// about what a session was about. Indonesian: after the Tala stop-word list, shortened to the
// words seen in chats, plus common informal spellings (gak, udah, aja).
constexpr std::array indonesian_stop_words = std::to_array<std::string_view>({
    "ada", "adalah", "adanya", "agak", "agar", "aja", "akan", "aku", "amat", "anda", "antara", "apa", "apakah",
    "apalagi", "atau", "ataupun", "bagai", "bagaimana", "bagi", "bahkan", "bahwa", "baik", "banyak", "baru",
    "bawah", "beberapa", "begini", "begitu", "belum", "benar", "berapa", "besar", "betul", "biar", "bila",
    "bisa", "boleh", "buat", "bukan", "cukup", "dalam", "dan", "dapat", "dari", "daripada", "datang", "dekat",
    "demi", "demikian", "dengan", "depan", "di", "dia", "dilakukan", "dong", "dulu", "engkau", "gak", "ga",
    "gimana", "hal", "hanya", "hari", "harus", "hingga", "ia", "ingin", "ini", "itu", "jadi", "jangan", "jika",
    "juga", "jumpa", "kak", "kakak", "kalau", "kali", "kalian", "kami", "kamu", "kan", "kapan", "karena", "ke",
    "kecil", "kembali", "kemudian", "kenapa", "kepada", "ketika", "kita", "kok", "lagi", "lah", "lain", "lalu",
    "lama", "lebih", "lewat", "maka", "mana", "masih", "mau", "melakukan", "memang", "mereka", "merupakan",
    "meski", "mohon", "mulai", "mungkin", "nah", "nanti", "nggak", "nya", "oke", "oleh", "pada", "pak", "para",
    "perlu", "pernah", "pula", "pun", "punya", "saat", "saja", "salah", "sama", "sambil", "sampai", "sangat",
    "saya", "sebagai", "sebelum", "sebenarnya", "sebuah", "secara", "sedang", "sedikit", "segera", "sehingga",
    "sekali", "sekarang", "selama", "selalu", "seluruh", "semua", "sendiri", "seperti", "sering", "serta",
    "sesudah", "setelah", "setiap", "siang", "sih", "silakan", "silahkan", "siap", "suatu", "sudah", "supaya",
    "tadi", "tahu", "tak", "tanpa", "tapi", "telah", "tentang", "terhadap", "terima", "kasih", "terlalu",
    "tersebut", "tetapi", "tidak", "tiap", "tolong", "udah", "untuk", "waktu", "wah", "ya", "yaitu", "yang",
    "yuk", "baiklah", "selamat", "pagi", "sore", "malam", "bapak", "ibu", "bu", "mas", "mbak", "sip", "makasih",
});

constexpr std::array english_stop_words = std::to_array<std::string_view>({
    "about", "above", "after", "again", "against", "all", "also", "and", "any", "are", "aren", "because",
    "been", "before", "being", "below", "between", "both", "but", "can", "cannot", "could", "did", "does",
    "doing", "don", "down", "during", "each", "few", "for", "from", "further", "get", "got", "had", "has",
    "have", "having", "her", "here", "hers", "herself", "him", "himself", "his", "how", "into", "its", "itself",
    "just", "let", "like", "more", "most", "much", "must", "myself", "need", "nor", "not", "now", "off", "okay",
    "once", "only", "other", "ought", "our", "ours", "ourselves", "out", "over", "own", "please", "same", "she",
    "should", "some", "such", "than", "thank", "thanks", "that", "the", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "this", "those", "through", "too", "under", "until", "very",
    "was", "wasn", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
    "won", "would", "yes", "yeah", "you", "your", "yours", "yourself", "yourselves", "todo", "hello", "bye",
    "sure", "think", "know", "make", "see", "one", "two", "well", "really", "going", "want", "may", "might",
    "shall", "way", "good", "great", "http", "https", "www", "com",
});

}  // namespace

bool is_stop_word(std::string_view word) {
    // Built once; lookups from every thread only read it.
    static const std::unordered_set<std::string_view> words = [] {
        std::unordered_set<std::string_view> all;
        all.insert(indonesian_stop_words.begin(), indonesian_stop_words.end());
        all.insert(english_stop_words.begin(), english_stop_words.end());
        return all;
    }();
    return words.contains(word);
}

}  // namespace writeen::chat
