#include "app/export_command.hpp"

#include <boost/json.hpp>
#include <filesystem>
#include <optional>
#include <ostream>

#include "app/admin_paths.hpp"
#include "model/clock.hpp"
#include "proto/chat_events.hpp"
#include "proto/json.hpp"
#include "store/store_factory.hpp"

namespace writeen::app {
namespace {

namespace json = boost::json;

/// The export document, read in one reader call so it is one snapshot of the conversation.
std::optional<json::object> read_export(store::reader& r, const std::string& conversation_id) {
    auto conv = r.find_conversation(conversation_id);
    if (!conv) return std::nullopt;
    json::array messages;
    json::array files;
    r.for_each_message(conversation_id, 1, conv->last_seq, [&](const message& m) {
        messages.push_back(proto::message_json(message_view{.msg = m}, true));
        for (const auto& f : r.files_of_message(m.id)) files.push_back(proto::file_info_json(f, false));
    });
    conversation_view view{.conv = std::move(*conv)};
    return json::object{{"exportedAt", format_time(now_ms())},
                        {"conversation", proto::conversation_json(view)},
                        {"messages", std::move(messages)},
                        {"files", std::move(files)}};
}

}  // namespace

int run_export(const store_location& store, const std::string& conversation_id, std::ostream& out,
               std::ostream& err) {
    const std::string path = database_file(store.data_dir);
    // open_store would create an empty database where there is none. (A PostgreSQL database
    // must exist already: connecting to a missing one fails with the server's own message.)
    if (!store.postgres() && !std::filesystem::exists(path)) {
        err << "writeen-chat export: no database at " << path << "\n";
        return 2;
    }
    std::optional<json::object> document;
    try {
        auto db = store::open_store(
            {.engine = store.engine, .postgres_url = store.postgres_url, .path = path, .read_connections = 1});
        db->read([&](store::reader& r) { document = read_export(r, conversation_id); });
        db->close();
    } catch (const std::exception& e) {
        err << "writeen-chat export: " << e.what() << "\n";
        return 2;
    }
    if (!document) {
        err << "writeen-chat export: no conversation " << conversation_id << "\n";
        return 1;
    }
    out << json::serialize(*document) << "\n";
    return 0;
}

}  // namespace writeen::app
