#include "chat/file_messages.hpp"

#include <boost/json/serialize.hpp>

#include "chat/access.hpp"
#include "chat/fail.hpp"
#include "chat/posting.hpp"
#include "chat/receipts.hpp"
#include "chat/text.hpp"
#include "model/clock.hpp"
#include "model/ids.hpp"
#include "proto/chat_events.hpp"

namespace writeen::chat {
namespace json = boost::json;

conversation_settings file_messages::upload_settings(const auth::principal& who, const std::string& conversation_id) {
    users_.seen(who);
    conversation_settings settings;
    db_.read([&](store::reader& r) {
        auto c = conversations_.get(conversation_id, r);
        require_uploadable(c.get(), who);
        settings = c->settings;
    });
    messages_.check_rate(who);
    return settings;
}

void file_messages::send_file_message(const auth::principal& who, file_message_request request,
                                      reply<file_message_result> done) {
    if (request.client_message_id.size() > 128)
        fail(error_code::bad_request, "clientMessageId is longer than 128 characters");
    if (code_points(request.description) > static_cast<std::size_t>(options_.max_text_chars))
        fail(error_code::payload_too_large, "description is longer than 10000 characters");

    struct outcome {
        posted_message posted;
        file_record file;
        bool upload_unused = false;

        /// A retry: the stored message and its file answer; the new bytes are not needed.
        void answer_retry(store::reader& r, message_view earlier) {
            upload_unused = true;
            auto files = r.files_of_message(earlier.msg.id);
            if (!files.empty()) file = files.front();
            posted.view = std::move(earlier);
            posted.duplicate = true;
        }
    };
    writer_.write<outcome>(
        [this, who, request = std::move(request)](store::transaction& tx, outcome& out) {
            // Checked again at commit: settings may have changed while the bytes streamed in.
            auto c = conversations_.get(request.conversation_id, tx);
            require_uploadable(c.get(), who);
            // Looked up first here (post_message would find it only after the blob is recorded):
            // a retried upload must not record the blob of bytes that are then thrown away.
            if (auto earlier = find_retry(tx, who, request.client_message_id, c->id))
                return out.answer_retry(tx, std::move(*earlier));
            const unix_ms now = now_ms();
            file_record f = request.file;
            if (auto stored = tx.blob_of_content(f.sha256)) {
                f.blob_key = *stored;
                out.upload_unused = true;
            } else {
                tx.insert_blob(f.sha256, f.blob_key, f.size, now);
            }
            f.conversation_id = request.conversation_id;
            f.uploader_id = who.user_id;
            f.created_at = now;
            json::object content{{"fileInfo", proto::file_info_json(f, request.thumbnail)}};
            const std::string description(trim(request.description));
            if (!description.empty()) content["text"] = description;
            out.posted = post_message(
                tx, *c, who,
                message_draft{.type = request.image ? message_type::image : message_type::file,
                              .content_json = json::serialize(content),
                              // File names are searchable (API.md: "full-text over message text and file names").
                              .search_text = description.empty() ? f.file_name : description + "\n" + f.file_name,
                              .reply_to = request.reply_to,
                              .client_message_id = request.client_message_id});
            if (out.posted.duplicate) return out.answer_retry(tx, std::move(out.posted.view));
            f.message_id = out.posted.view.msg.id;
            tx.insert_file(f);
            out.file = std::move(f);
        },
        [this](outcome& out) {
            if (out.posted.duplicate) return;
            hub_.send_to_users(std::move(out.posted.recipients), proto::message_received_event(out.posted.view));
        },
        reply<outcome>([done = std::move(done)](std::exception_ptr e, outcome out) {
            if (e) return done(e, {});
            done(nullptr, file_message_result{.sent = {.view = std::move(out.posted.view),
                                                       .duplicate = out.posted.duplicate},
                                              .file = std::move(out.file),
                                              .upload_unused = out.upload_unused});
        }));
}

file_record file_messages::downloadable_file(const auth::principal& who, const std::string& file_id) {
    file_record out;
    db_.read([&](store::reader& r) {
        auto f = r.find_file(file_id);
        auto c = f ? conversations_.get(f->conversation_id, r) : nullptr;
        const participant& me = require_visible(c.get(), who, "file not found");
        if (!me.can("download")) fail(error_code::forbidden, "you may not download files in this conversation");
        out = std::move(*f);
    });
    return out;
}

void file_messages::update_file(const std::string& file_id, std::function<bool(file_record&)> change,
                                reply<file_record> done) {
    struct updated_message {
        conversation conv;
        message_view view;
    };
    struct outcome {
        file_record file;
        std::vector<updated_message> updated;
        std::vector<std::string> orphan_blobs;
    };
    writer_.write<outcome>(
        [file_id, change = std::move(change)](store::transaction& tx, outcome& out) {
            auto f = tx.find_file(file_id);
            if (!f) fail(error_code::not_found, "file not found");
            if (!change(*f)) {
                out.file = std::move(*f);
                return;
            }
            std::vector<file_record> changed{*f};
            if (f->scan_status == "infected") {
                // Equal bytes, equal verdict: every file sharing the content is infected, and
                // the content is forgotten so that its bytes are deleted after the commit.
                for (auto& other : tx.files_of_blob(f->blob_key)) {
                    if (other.id == f->id || other.scan_status == "infected") continue;
                    other.scan_status = "infected";
                    changed.push_back(std::move(other));
                }
                tx.forget_blob(f->blob_key);
                out.orphan_blobs.push_back(f->blob_key);
            }
            for (const auto& each : changed) {
                tx.update_file(each);
                auto m = tx.find_message(each.message_id);
                if (!m || !proto::refresh_file_info(*m, each)) continue;
                auto conv = tx.find_conversation(each.conversation_id);
                if (!conv) continue;
                m->updated_at = now_ms();
                m->change_seq = tx.next_change_seq(conv->id);
                tx.update_message(*m);
                conv->last_change_seq = m->change_seq;
                auto view = view_of(tx, *conv, std::move(*m));
                out.updated.push_back({std::move(*conv), std::move(view)});
            }
            out.file = std::move(*f);
        },
        [this](outcome& out) {
            messages_.collect_blobs(std::move(out.orphan_blobs));
            for (const auto& u : out.updated) messages_.broadcast_message_updated(u.conv, u.view);
        },
        reply<outcome>([done = std::move(done)](std::exception_ptr e, outcome out) { done(e, std::move(out.file)); }));
}

std::vector<file_record> file_messages::unfinished_files() {
    std::vector<file_record> out;
    db_.read([&](store::reader& r) { out = r.unfinished_files(100000); });
    return out;
}

void file_messages::apply_retention() {
    auto orphans = std::make_shared<std::vector<std::string>>();
    db_.submit(
        [orphans](store::transaction& tx) {
            // The trigger of 002_files.sql drops the files rows of deleted messages.
            tx.delete_expired_messages(now_ms());
            *orphans = tx.take_orphan_blobs();
        },
        [this, orphans](std::exception_ptr e) {
            if (!e) return messages_.collect_blobs(std::move(*orphans));
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                spdlog::warn("retention pass failed (the next one retries): {}", ex.what());
            }
        });
}

}  // namespace writeen::chat
