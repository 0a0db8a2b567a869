#pragma once
// Files in conversations, from the domain's side: who may upload and download, the file or
// image message an upload becomes, scan verdicts and dimensions written back to it, and
// retention (old messages and their files deleted).

#include <functional>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "chat/conversation_cache.hpp"
#include "chat/messages.hpp"
#include "chat/user_directory.hpp"
#include "chat/writer.hpp"
#include "hub/hub.hpp"
#include "model/types.hpp"
#include "store/store.hpp"

namespace writeen::chat {

/// A stored upload to announce as a file or image message (see file_messages::send_file_message).
struct file_message_request {
    std::string conversation_id;
    /// id, uploader, name, size, mime, sha256, blob_key (where the upload's bytes were written)
    /// and the initial scan_status; the service fills message_id, and blob_key when the content
    /// was already stored.
    file_record file;
    std::string description;  // content.text when not empty
    std::string reply_to;
    std::string client_message_id;
    bool image = false;      // type image, else file
    bool thumbnail = false;  // fileInfo.thumbnailUrl is set
};

/// What send_file_message stored.
struct file_message_result {
    send_result sent;
    file_record file;  // as stored (its blob_key may be an earlier upload's)
    /// The bytes the upload wrote are not referenced (equal content was stored already, or the
    /// clientMessageId was a retry): the caller deletes them.
    bool upload_unused = false;
};

class file_messages {
public:
    file_messages(writer& w, hub::hub& hub, conversation_cache& conversations, user_directory& users,
                  messages& messages, message_options options)
        : writer_(w), db_(w.database()), hub_(hub), conversations_(conversations), users_(users),
          messages_(messages), options_(options) {}

    /// The settings an upload into conversation_id must meet, if the caller may upload there
    /// now (active participant with `upload` permission, uploads allowed: else 403/404). Takes
    /// a token of the message rate limit.
    conversation_settings upload_settings(const auth::principal& who, const std::string& conversation_id);
    /// Stores an uploaded file's row and its message (type image or file, content.fileInfo as in
    /// API.md) through the writer, like a text message: idempotent on clientMessageId, broadcast
    /// as message_received after the commit.
    void send_file_message(const auth::principal& who, file_message_request request, reply<file_message_result> done);
    /// The file if the caller may download it: a participant (or former one) of its conversation
    /// with `download` permission, and its message not deleted. Else not_found / forbidden.
    file_record downloadable_file(const auth::principal& who, const std::string& file_id);
    /// Changes a file through the writer (change returns false to leave it as it is) and rewrites
    /// the fileInfo of its message, broadcasting message_updated. A file that becomes infected
    /// makes every file with the same content infected, and its bytes are collected.
    void update_file(const std::string& file_id, std::function<bool(file_record&)> change, reply<file_record> done);
    /// Files whose scan did not finish (e.g. the server stopped mid-scan), to requeue at start.
    std::vector<file_record> unfinished_files();
    /// Deletes messages past their conversation's retention (called by a daily timer), and the
    /// files of those messages.
    void apply_retention();

private:
    writer& writer_;
    store::database& db_;
    hub::hub& hub_;
    conversation_cache& conversations_;
    user_directory& users_;
    messages& messages_;
    message_options options_;
};

}  // namespace writeen::chat
