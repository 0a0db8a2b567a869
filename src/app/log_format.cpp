#include "app/log_format.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include "model/clock.hpp"
#include "model/log_context.hpp"

namespace writeen::app {
namespace {

namespace json = boost::json;

/// `%*` in the text pattern: "[req ID] " on lines of a request, nothing otherwise.
class request_id_flag : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
        const std::string_view id = logging::current_request_id();
        if (id.empty()) return;
        dest.append(std::string_view{"[req "});
        dest.append(id);
        dest.append(std::string_view{"] "});
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<request_id_flag>(); }
};

/// {"ts": RFC 3339 UTC with ms, "level", "msg", "requestId"?, "thread"}: one object a line,
/// serialised by Boost.JSON, so any message text is escaped correctly.
class json_formatter : public spdlog::formatter {
  public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
        const auto level = spdlog::level::to_string_view(msg.level);
        json::object line{{"ts", format_time(ms)},
                          {"level", std::string_view{level.data(), level.size()}},
                          {"msg", std::string_view{msg.payload.data(), msg.payload.size()}}};
        if (const std::string_view id = logging::current_request_id(); !id.empty()) line["requestId"] = id;
        line["thread"] = msg.thread_id;
        const std::string text = json::serialize(line);
        dest.append(std::string_view{text});
        dest.push_back('\n');
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<json_formatter>(); }
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_log_formatter(std::string_view format) {
    if (format == "json") return std::make_unique<json_formatter>();
    if (format == "text") {
        auto text = std::make_unique<spdlog::pattern_formatter>();
        text->add_flag<request_id_flag>('*').set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] %*%v");
        return text;
    }
    return nullptr;
}

stdout_lines_as_log::stdout_lines_as_log() : previous_(std::cout.rdbuf(&buffer_)) {}

stdout_lines_as_log::~stdout_lines_as_log() {
    std::cout.flush();
    std::cout.rdbuf(previous_);
}

stdout_lines_as_log::line_buffer::int_type stdout_lines_as_log::line_buffer::overflow(int_type c) {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    if (traits_type::to_char_type(c) == '\n')
        emit();
    else
        line_.push_back(traits_type::to_char_type(c));
    return c;
}

int stdout_lines_as_log::line_buffer::sync() {
    // The logger writes to the C stdout stream, never to std::cout: no recursion.
    if (!line_.empty()) emit();
    spdlog::default_logger()->flush();
    return 0;
}

void stdout_lines_as_log::line_buffer::emit() {
    spdlog::info("{}", line_);
    line_.clear();
}

bool use_log_format(std::string_view format) {
    auto formatter = make_log_formatter(format);
    if (!formatter) return false;
    spdlog::set_formatter(std::move(formatter));
    return true;
}

}  // namespace writeen::app
