#pragma once
// JSON of the consultation side (API.md, "Consultations"): sessions with their summary and
// analytics, the summary document stored when a session ends, and messages as a transcript
// shows them.

#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "model/consultation_types.hpp"
#include "model/types.hpp"

namespace writeen::proto {

/// {participants, summary, analytics} of an ended session, as stored in chat_session.summary_json
/// and carried by the consultation_ended system message (satisfaction comes later, from ratings).
boost::json::object summary_document(const session_summary& s, const std::optional<std::string>& session_notes);

/// The session object of API.md: id, consultationId, sessionType, startTime, endTime, duration
/// (whole minutes; null while open), participants[], summary{...}, analytics{...}.
boost::json::object session_json(const chat_session& s);

/// A message as a transcript holds it: what is stored (final text, deletedAt, file hashes in
/// content.fileInfo), none of what changes with reading (status, receipts) or with profiles.
boost::json::object transcript_message_json(const message& m);

/// A consultation's participant as a transcript lists it.
boost::json::object transcript_participant_json(const participant& p);

}  // namespace writeen::proto
