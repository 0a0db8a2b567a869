#include "store/sqlite/column_codec.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <utility>

#include "store/store.hpp"

namespace writeen::store::sqlite {
namespace {

constexpr std::array<std::pair<role, std::string_view>, 4> role_names{{
    {role::student, "student"},
    {role::tutor, "tutor"},
    {role::admin, "admin"},
    {role::service, "service"},
}};
constexpr std::array<std::pair<conversation_type, std::string_view>, 3> conversation_type_names{{
    {conversation_type::direct, "direct"},
    {conversation_type::consultation, "consultation"},
    {conversation_type::group, "group"},
}};
constexpr std::array<std::pair<message_type, std::string_view>, 5> message_type_names{{
    {message_type::text, "text"},
    {message_type::file, "file"},
    {message_type::image, "image"},
    {message_type::system, "system"},
    {message_type::sticker, "sticker"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
    for (const auto& [e, name] : names)
        if (e == value) return name;
    return names[0].second;
}

template <typename Enum, std::size_t N>
Enum value_of(const std::array<std::pair<Enum, std::string_view>, N>& names, std::string_view text,
              const char* column) {
    for (const auto& [e, name] : names)
        if (name == text) return e;
    throw unavailable(std::string{"sqlite: damaged database: unknown "} + column + " '" + std::string{text} +
                      "'");
}

[[noreturn]] void damaged(std::string_view why) {
    throw unavailable("sqlite: damaged database: JSON column " + std::string{why});
}

void append_json_string(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            default:
                if (c < 0x20) {
                    out.append("\\u00");
                    out.push_back(hex[c >> 4]);
                    out.push_back(hex[c & 0xf]);
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
        out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
}

// Reads the small subset of JSON these columns hold: arrays of strings or of flat objects
// with string and integer members. Unknown members are skipped so a later schema may add
// some. Any value this store could not have written is reported as damage.
class json_reader {
  public:
    explicit json_reader(std::string_view text) : text_(text) {}

    template <typename OnElement>
    void array(OnElement on_element) {
        expect('[');
        if (consume(']')) return;
        do {
            on_element();
        } while (consume(','));
        expect(']');
    }

    template <typename OnMember>
    void object(OnMember on_member) {
        expect('{');
        if (consume('}')) return;
        do {
            const std::string key = string();
            expect(':');
            on_member(key);
        } while (consume(','));
        expect('}');
    }

    std::string string() {
        expect('"');
        std::string out;
        while (true) {
            if (pos_ >= text_.size()) damaged("has an unterminated string");
            const char c = text_[pos_++];
            if (c == '"') return out;
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (pos_ >= text_.size()) damaged("has an unterminated escape");
            switch (const char e = text_[pos_++]) {
                case '"':
                    out.push_back('"');
                    break;
                case '\\':
                    out.push_back('\\');
                    break;
                case '/':
                    out.push_back('/');
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'n':
                    out.push_back('\n');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
                case 'u': {
                    std::uint32_t cp = hex4();
                    if (cp >= 0xd800 && cp < 0xdc00 && text_.substr(pos_, 2) == "\\u") {
                        pos_ += 2;
                        const std::uint32_t low = hex4();
                        if (low < 0xdc00 || low >= 0xe000) damaged("has a broken surrogate pair");
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                    }
                    append_utf8(out, cp);
                    break;
                }
                default:
                    damaged(std::string{"has an unknown escape \\"} + e);
            }
        }
    }

    std::int64_t integer() {
        skip_space();
        std::int64_t value = 0;
        const char* first = text_.data() + pos_;
        const char* last = text_.data() + text_.size();
        const auto [end, ec] = std::from_chars(first, last, value);
        if (ec != std::errc{}) damaged("has a malformed integer");
        pos_ += static_cast<std::size_t>(end - first);
        return value;
    }

    void skip_value() {
        skip_space();
        if (pos_ >= text_.size()) damaged("ends early");
        const char c = text_[pos_];
        if (c == '"') {
            string();
        } else if (c == '[') {
            array([this] { skip_value(); });
        } else if (c == '{') {
            object([this](const std::string&) { skip_value(); });
        } else {
            // A number or a literal: everything up to the next delimiter.
            while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' && text_[pos_] != ']')
                ++pos_;
        }
    }

    void finish() {
        skip_space();
        if (pos_ != text_.size()) damaged("has trailing characters");
    }

  private:
    void skip_space() {
        while (pos_ < text_.size() &&
               (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t'))
            ++pos_;
    }
    bool consume(char c) {
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!consume(c)) damaged(std::string{"misses '"} + c + "'");
    }
    std::uint32_t hex4() {
        if (pos_ + 4 > text_.size()) damaged("has a short \\u escape");
        std::uint32_t value = 0;
        const auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, value, 16);
        if (ec != std::errc{} || end != text_.data() + pos_ + 4) damaged("has a malformed \\u escape");
        pos_ += 4;
        return value;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

std::string_view to_text(role value) { return name_of(role_names, value); }
std::string_view to_text(conversation_type value) { return name_of(conversation_type_names, value); }
std::string_view to_text(message_type value) { return name_of(message_type_names, value); }

role role_from_text(std::string_view text) { return value_of(role_names, text, "role"); }
conversation_type conversation_type_from_text(std::string_view text) {
    return value_of(conversation_type_names, text, "conversation type");
}
message_type message_type_from_text(std::string_view text) {
    return value_of(message_type_names, text, "message type");
}

std::string encode_strings(const std::vector<std::string>& values) {
    std::string out = "[";
    for (const auto& v : values) {
        if (out.size() > 1) out.push_back(',');
        append_json_string(out, v);
    }
    out.push_back(']');
    return out;
}

std::vector<std::string> decode_strings(std::string_view json) {
    std::vector<std::string> out;
    if (json == "[]") return out;
    json_reader reader{json};
    reader.array([&] { out.push_back(reader.string()); });
    reader.finish();
    return out;
}

std::string encode_reactions(const std::vector<reaction>& values) {
    std::string out = "[";
    for (const auto& r : values) {
        if (out.size() > 1) out.push_back(',');
        out.append("{\"userId\":");
        append_json_string(out, r.user_id);
        out.append(",\"emoji\":");
        append_json_string(out, r.emoji);
        out.append(",\"addedAt\":");
        out.append(std::to_string(r.added_at));
        out.push_back('}');
    }
    out.push_back(']');
    return out;
}

std::vector<reaction> decode_reactions(std::string_view json) {
    std::vector<reaction> out;
    if (json == "[]") return out;
    json_reader reader{json};
    reader.array([&] {
        reaction r;
        reader.object([&](const std::string& key) {
            if (key == "userId")
                r.user_id = reader.string();
            else if (key == "emoji")
                r.emoji = reader.string();
            else if (key == "addedAt")
                r.added_at = reader.integer();
            else
                reader.skip_value();
        });
        out.push_back(std::move(r));
    });
    reader.finish();
    return out;
}

std::string encode_edit_history(const std::vector<edit_record>& values) {
    std::string out = "[";
    for (const auto& e : values) {
        if (out.size() > 1) out.push_back(',');
        out.append("{\"editedAt\":");
        out.append(std::to_string(e.edited_at));
        out.append(",\"previousText\":");
        append_json_string(out, e.previous_text);
        out.append(",\"editedBy\":");
        append_json_string(out, e.edited_by);
        out.push_back('}');
    }
    out.push_back(']');
    return out;
}

std::vector<edit_record> decode_edit_history(std::string_view json) {
    std::vector<edit_record> out;
    if (json == "[]") return out;
    json_reader reader{json};
    reader.array([&] {
        edit_record e;
        reader.object([&](const std::string& key) {
            if (key == "editedAt")
                e.edited_at = reader.integer();
            else if (key == "previousText")
                e.previous_text = reader.string();
            else if (key == "editedBy")
                e.edited_by = reader.string();
            else
                reader.skip_value();
        });
        out.push_back(std::move(e));
    });
    reader.finish();
    return out;
}

}  // namespace writeen::store::sqlite
