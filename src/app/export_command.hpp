#pragma once
// `writeen-chat export --conversation ID`: everything the server holds about one conversation,
// as one JSON document, for a participant who asks for their data.

#include <iosfwd>
#include <string>

#include "app/admin_paths.hpp"

namespace writeen::app {

/// Writes the export of conversation_id from DATA_DIR's database on out: the conversation with
/// its participants, every message in seq order with its edit history and reactions (deleted
/// ones as tombstones), and the metadata of every file (not the bytes). The shapes are the
/// REST API's. Returns 0, 1 when there is no such conversation, 2 when the database cannot be read.
int run_export(const store_location& store, const std::string& conversation_id, std::ostream& out, std::ostream& err);

}  // namespace writeen::app
