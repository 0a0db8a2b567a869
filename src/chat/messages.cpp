#include "chat/messages.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <unordered_map>

#include "chat/access.hpp"
#include "chat/emoji.hpp"
#include "chat/fail.hpp"
#include "chat/posting.hpp"
#include "chat/receipts.hpp"
#include "chat/text.hpp"
#include "model/clock.hpp"
#include "proto/chat_events.hpp"
#include "proto/json.hpp"

namespace writeen::chat {
namespace json = boost::json;

namespace {

std::string text_of(const std::string& content_json) {
    boost::system::error_code ec;
    auto v = json::parse(content_json, ec);
    if (ec || !v.is_object()) return {};
    auto it = v.get_object().find("text");
    return it != v.get_object().end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}

}  // namespace

void messages::check_rate(const auth::principal& who) {
    if (auto wait = rate_limiter_.take(who.user_id, now_ms()))
        throw api_error(error_code::rate_limited, "too many messages; slow down", *wait);
}

void messages::set_blob_collector(std::function<void(std::vector<std::string>)> collector) {
    blob_collector_ = std::move(collector);
}

void messages::collect_blobs(std::vector<std::string> keys) const {
    if (!keys.empty() && blob_collector_) blob_collector_(std::move(keys));
}

void messages::validate_content(send_request& request, const json::value& content) const {
    const json::object& o = proto::as_object(content, "content");
    if (request.type == message_type::text) {
        auto it = o.find("text");
        if (it == o.end() || it->value().is_null()) fail(error_code::bad_request, "content.text is required");
        if (!it->value().is_string()) fail(error_code::bad_request, "content.text must be a string");
        const std::string_view text = trim(std::string_view(it->value().get_string()));
        if (text.empty()) fail(error_code::unprocessable, "message text is empty");
        if (code_points(text) > static_cast<std::size_t>(options_.max_text_chars))
            fail(error_code::payload_too_large, "message text is longer than 10000 characters");
        request.content_json = json::serialize(json::object{{"text", text}});
        request.search_text = std::string(text);
        return;
    }
    if (request.type == message_type::sticker) {
        auto it = o.find("sticker");
        if (it == o.end() || it->value().is_null()) fail(error_code::bad_request, "content.sticker is required");
        if (!it->value().is_string()) fail(error_code::bad_request, "content.sticker must be a string");
        const std::string_view sticker = it->value().get_string();
        if (sticker.empty() || sticker.size() > 128)
            fail(error_code::unprocessable, "content.sticker must be 1..128 bytes");
        request.content_json = json::serialize(json::object{{"sticker", sticker}});
        return;
    }
    fail(error_code::unprocessable, "type must be text or sticker; files are sent by upload");
}

void messages::send_message(const auth::principal& who, send_request request, std::uint64_t origin,
                            reply<send_result> done) {
    if (request.client_message_id.size() > 128)
        fail(error_code::bad_request, "clientMessageId is longer than 128 characters");
    if (who.role == role::service) fail(error_code::forbidden, "service tokens cannot chat");
    users_.seen(who);
    check_rate(who);

    writer_.write<posted_message>(
        [this, who, request = std::move(request)](store::transaction& tx, posted_message& out) {
            auto c = conversations_.get(request.conversation_id, tx);
            require_writable(c.get(), who);
            // post_message answers a retry itself (found on the insert, not by a lookup first).
            out = post_message(tx, *c, who,
                               message_draft{.type = request.type,
                                             .content_json = request.content_json,
                                             .search_text = request.search_text,
                                             .reply_to = request.reply_to,
                                             .client_message_id = request.client_message_id});
        },
        [this, origin](posted_message& out) {
            if (out.duplicate) return;
            // A new message has no edit history to hide: one serialisation serves everyone.
            out.message_json = std::make_shared<const std::string>(json::serialize(proto::message_json(out.view, true)));
            hub_.send_to_users(std::move(out.recipients), proto::message_frame("message_received", *out.message_json),
                               origin);
        },
        reply<posted_message>([done = std::move(done)](std::exception_ptr e, posted_message out) {
            if (e) return done(e, {});
            done(nullptr, send_result{.view = std::move(out.view),
                                      .duplicate = out.duplicate,
                                      .message_json = std::move(out.message_json)});
        }));
}

message_page messages::list_messages(const auth::principal& who, const std::string& conversation_id,
                                     const store::message_query& query) {
    message_page page;
    db_.read([&](store::reader& r) {
        auto c = r.find_conversation(conversation_id);
        require_visible(c ? &*c : nullptr, who);
        if (!query.session_id.empty()) {
            auto session = r.find_session(query.session_id);
            if (!session || session->conversation_id != conversation_id)
                fail(error_code::not_found, "no such session in this conversation");
        }
        auto ms = r.list_messages(conversation_id, query);
        if (static_cast<int>(ms.size()) > query.limit) {
            page.has_more = true;
            ms.resize(query.limit);
        }
        page.messages = views_for(r, who, *c, std::move(ms));
    });
    return page;
}

search_page messages::search(const auth::principal& who, const std::optional<std::string>& conversation_id,
                             const std::string& query, int offset, int limit) {
    search_page page;
    db_.read([&](store::reader& r) {
        if (conversation_id) {
            auto c = r.find_conversation(*conversation_id);
            require_visible(c ? &*c : nullptr, who);
        }
        auto hits = r.search(who.user_id, conversation_id, query, offset, limit + 1);
        if (static_cast<int>(hits.size()) > limit) {
            page.has_more = true;
            hits.resize(limit);
        }
        std::unordered_map<std::string, std::optional<conversation>> conversations;
        for (auto& hit : hits) {
            auto [it, inserted] = conversations.try_emplace(hit.msg.conversation_id);
            if (inserted) it->second = r.find_conversation(hit.msg.conversation_id);
            if (!it->second) continue;
            message_view v = view_for(r, who, *it->second, hit.msg);
            page.hits.emplace_back(std::move(v), std::move(hit));
        }
    });
    return page;
}

thread_page messages::thread(const auth::principal& who, const std::string& message_id, int offset, int limit) {
    thread_page page;
    db_.read([&](store::reader& r) {
        auto root = r.find_message(message_id);
        auto c = root ? r.find_conversation(root->conversation_id) : std::nullopt;
        require_visible(c ? &*c : nullptr, who, "message not found");
        auto replies = r.list_replies(message_id, offset, limit);
        if (static_cast<int>(replies.size()) > limit) {
            page.has_more = true;
            replies.resize(limit);
        }
        page.root = view_for(r, who, *c, std::move(*root));
        page.replies = views_for(r, who, *c, std::move(replies));
    });
    return page;
}

void messages::broadcast_message_updated(const conversation& c, const message_view& view) {
    std::vector<std::string> with_history, without_history;
    for (const auto& p : c.participants) {
        if (!p.active()) continue;
        (sees_edit_history(p, view.msg.sender_id) ? with_history : without_history).push_back(p.user_id);
    }
    if (!with_history.empty()) hub_.send_to_users(std::move(with_history), proto::message_updated_event(view, true));
    if (!without_history.empty())
        hub_.send_to_users(std::move(without_history), proto::message_updated_event(view, false));
}

void messages::change_message(const auth::principal& who, const std::string& message_id,
                              std::function<bool(const conversation&, message&)> apply, reply<message_view> done) {
    struct outcome {
        conversation conv;
        message_view view;
        bool changed = false;
        std::vector<std::string> orphan_blobs;
    };
    writer_.write<outcome>(
        [who, message_id, apply = std::move(apply)](store::transaction& tx, outcome& out) {
            auto m = tx.find_message(message_id);
            auto c = m ? tx.find_conversation(m->conversation_id) : std::nullopt;
            require_active(c ? &*c : nullptr, who, "message not found");
            if (c->archived) fail(error_code::forbidden, "archived conversations are read-only");
            out.changed = apply(*c, *m);
            if (out.changed) {
                m->updated_at = now_ms();
                m->change_seq = tx.next_change_seq(c->id);
                tx.update_message(*m);
                // A deleted upload takes its file with it; the bytes go with the last reference.
                if (m->deleted_at && (m->type == message_type::file || m->type == message_type::image)) {
                    tx.delete_files_of_message(m->id);
                    out.orphan_blobs = tx.take_orphan_blobs();
                }
            }
            out.view = view_for(tx, who, *c, std::move(*m));
            out.conv = std::move(*c);
        },
        [this](outcome& out) {
            collect_blobs(std::move(out.orphan_blobs));
            if (out.changed) broadcast_message_updated(out.conv, out.view);
        },
        reply<outcome>([done = std::move(done)](std::exception_ptr e, outcome out) { done(e, std::move(out.view)); }));
}

void messages::edit_message(const auth::principal& who, const std::string& message_id, std::string text,
                            reply<message_view> done) {
    const std::string trimmed(trim(text));
    if (trimmed.empty()) fail(error_code::unprocessable, "message text is empty");
    if (code_points(trimmed) > static_cast<std::size_t>(options_.max_text_chars))
        fail(error_code::payload_too_large, "message text is longer than 10000 characters");
    change_message(
        who, message_id,
        [who, trimmed](const conversation&, message& m) {
            if (m.sender_id != who.user_id) fail(error_code::forbidden, "only the sender may edit a message");
            if (m.deleted_at) fail(error_code::conflict, "the message was deleted");
            if (m.type != message_type::text) fail(error_code::unprocessable, "only text messages can be edited");
            std::string previous = text_of(m.content_json);
            if (previous == trimmed) return false;
            m.edit_history.push_back({now_ms(), std::move(previous), who.user_id});
            m.content_json = json::serialize(json::object{{"text", trimmed}});
            m.search_text = trimmed;
            m.edited = true;
            return true;
        },
        std::move(done));
}

void messages::delete_message(const auth::principal& who, const std::string& message_id, reply<message_view> done) {
    change_message(
        who, message_id,
        [who](const conversation& c, message& m) {
            const participant* me = c.find_participant(who.user_id);
            if (m.sender_id != who.user_id && !privileged(me->role) && who.role != role::admin)
                fail(error_code::forbidden, "only the sender, a tutor or an admin may delete a message");
            if (m.type == message_type::system) fail(error_code::forbidden, "system messages cannot be deleted");
            if (m.deleted_at) return false;
            m.deleted_at = now_ms();
            m.content_json = "{}";
            m.search_text.clear();
            return true;
        },
        std::move(done));
}

void messages::add_reaction(const auth::principal& who, const std::string& message_id, std::string emoji,
                            reply<message_view> done) {
    if (!valid_emoji(emoji)) fail(error_code::unprocessable, "emoji must be one emoji of at most 32 bytes");
    change_message(
        who, message_id,
        [who, emoji](const conversation&, message& m) {
            if (m.deleted_at) fail(error_code::conflict, "the message was deleted");
            for (const auto& r : m.reactions)
                if (r.user_id == who.user_id && r.emoji == emoji) return false;
            m.reactions.push_back({who.user_id, emoji, now_ms()});
            return true;
        },
        std::move(done));
}

void messages::remove_reaction(const auth::principal& who, const std::string& message_id, std::string emoji,
                               reply<message_view> done) {
    change_message(
        who, message_id,
        [who, emoji](const conversation&, message& m) {
            auto it = std::find_if(m.reactions.begin(), m.reactions.end(),
                                   [&](const reaction& r) { return r.user_id == who.user_id && r.emoji == emoji; });
            if (it == m.reactions.end()) return false;
            m.reactions.erase(it);
            return true;
        },
        std::move(done));
}

}  // namespace writeen::chat
