// The SQLite engine's query tests (sqlite_queries_test.cpp), run against the PostgreSQL engine.
#include "postgres_test_support.hpp"

#include <gtest/gtest.h>

#include "store_test_support.hpp"

namespace writeen::store::testing {
namespace {

using pg_queries_test = postgres_store_test;

std::vector<std::int64_t> seqs_of(const std::vector<message>& messages) {
    std::vector<std::int64_t> out;
    for (const auto& m : messages) out.push_back(m.seq);
    return out;
}

// Appends `count` messages from alternating senders a/b, at 1000 ms steps from `first_at`.
void fill(database& db, const std::string& conversation_id, int count, unix_ms first_at = 10'000) {
    write_and_wait(db, [&](transaction& tx) {
        for (int i = 0; i < count; ++i) {
            auto m =
                make_message(conversation_id, i % 2 == 0 ? "a" : "b", "pesan " + std::to_string(i),
                             first_at + i * unix_ms{1000}, conversation_id + "-" + std::to_string(i + 1));
            append(tx, m);
        }
    });
}

TEST_F(pg_queries_test, find_conversation_returns_settings_and_participants_with_names_and_cursors) {
    write_and_wait(db(), [](transaction& tx) {
        user_profile alice{"a", "Alice", "https://a/avatar.png", role::tutor, 5};
        tx.upsert_user(alice);
        auto c = make_conversation("c1", {"a", "b"}, conversation_type::consultation);
        c.consultation_id = "k1";
        c.settings.allowed_file_types = {".pdf", ".tex"};
        c.settings.retention_days = 30;
        c.participants[0].role = role::tutor;
        c.participants[1].permissions = {"read"};
        tx.insert_conversation(c);
    });
    const auto c = read_value(db(), [](reader& r) { return r.find_conversation("c1"); });
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->type, conversation_type::consultation);
    EXPECT_EQ(c->consultation_id, "k1");
    EXPECT_EQ(c->settings.allowed_file_types, (std::vector<std::string>{".pdf", ".tex"}));
    EXPECT_EQ(c->settings.retention_days, 30);
    ASSERT_EQ(c->participants.size(), 2u);
    const auto* a = c->find_participant("a");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->name, "Alice");
    EXPECT_EQ(a->avatar, "https://a/avatar.png");
    EXPECT_EQ(a->role, role::tutor);
    EXPECT_TRUE(a->can("upload"));
    const auto* b = c->find_participant("b");
    EXPECT_EQ(b->name, "") << "a user never seen has no profile yet";
    EXPECT_EQ(b->permissions, std::vector<std::string>{"read"});

    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.find_conversation("nope"); }).has_value());
    const auto u = read_value(db(), [](reader& r) { return r.user("a"); });
    EXPECT_EQ(u->role, role::tutor);
    EXPECT_EQ(u->last_seen, 5);
}

TEST_F(pg_queries_test, update_conversation_writes_title_settings_and_archive_state) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });
    write_and_wait(db(), [](transaction& tx) {
        auto c = *tx.find_conversation("c1");
        c.title = "Bab 2";
        c.settings.allow_file_upload = false;
        c.archived = true;
        c.archived_at = 9000;
        c.updated_at = 9000;
        tx.update_conversation(c);
    });
    const auto c = read_value(db(), [](reader& r) { return r.find_conversation("c1"); });
    EXPECT_EQ(c->title, "Bab 2");
    EXPECT_FALSE(c->settings.allow_file_upload);
    EXPECT_TRUE(c->archived);
    EXPECT_EQ(c->archived_at, 9000);
    EXPECT_EQ(c->updated_at, 9000);
}

TEST_F(pg_queries_test, find_direct_conversation_finds_the_pair_in_either_order_and_only_direct_ones) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("g1", {"a", "b"}, conversation_type::group));
        tx.insert_conversation(make_conversation("d1", {"a", "b"}, conversation_type::direct));
        tx.insert_conversation(make_conversation("d2", {"a", "c"}, conversation_type::direct));
    });
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.find_direct_conversation("a", "b"); }), "d1");
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.find_direct_conversation("b", "a"); }), "d1");
    EXPECT_FALSE(
        read_value(db(), [](reader& r) { return r.find_direct_conversation("b", "c"); }).has_value());
    EXPECT_FALSE(
        read_value(db(), [](reader& r) { return r.find_direct_conversation("a", "a"); }).has_value());
}

TEST_F(pg_queries_test, append_message_assigns_seq_and_updates_the_conversation_and_the_thread_root) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });
    std::int64_t reply_change = 0;
    write_and_wait(db(), [&](transaction& tx) {
        auto root = make_message("c1", "a", "root", 5000, "root");
        EXPECT_EQ(append(tx, root), 1);
        EXPECT_EQ(root.seq, 1);
        auto reply = make_message("c1", "b", "reply", 6000, "reply");
        reply.reply_to = "root";
        EXPECT_EQ(append(tx, reply), 2);
        reply_change = reply.change_seq;
    });
    const auto c = read_value(db(), [](reader& r) { return r.find_conversation("c1"); });
    EXPECT_EQ(c->last_seq, 2);
    EXPECT_EQ(c->updated_at, 6000);
    const auto root = read_value(db(), [](reader& r) { return r.find_message("root"); });
    EXPECT_EQ(root->reply_count, 1);
    EXPECT_EQ(root->change_seq, reply_change) << "a sync past the reply brings the root's new count";
    const auto replies = read_value(db(), [](reader& r) { return r.list_replies("root", 0, 10); });
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].id, "reply");
}

TEST_F(pg_queries_test, a_retried_client_message_id_throws_duplicate_and_the_transaction_goes_on_without_a_gap) {
    write_and_wait(db(), [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"a", "b"})); });
    write_and_wait(db(), [](transaction& tx) {
        auto first = make_message("c1", "a", "halo", 2000, "m1");
        first.client_message_id = "client-1";
        EXPECT_EQ(append(tx, first), 1);
        auto retry = make_message("c1", "a", "halo", 2001, "m2");
        retry.client_message_id = "client-1";
        EXPECT_THROW(append(tx, retry), duplicate_client_message);
        auto same_id_other_sender = make_message("c1", "b", "hai", 2002, "m3");
        same_id_other_sender.client_message_id = "client-1";
        EXPECT_EQ(append(tx, same_id_other_sender), 2) << "the retry took no seq; the key is per sender";
    });
    const auto first = read_value(db(), [](reader& r) { return r.find_message_by_client_id("a", "client-1"); });
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->id, "m1");
    EXPECT_EQ(first->seq, 1);
    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.find_message("m2"); }).has_value());
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.find_conversation("c1"); })->last_seq, 2);
}

TEST_F(pg_queries_test, append_new_message_takes_the_change_seq_and_a_retry_changes_nothing) {
    write_and_wait(db(), [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"a", "b"})); });
    const auto before = read_value(db(), [](reader& r) { return *r.find_conversation("c1"); });
    message first;
    write_and_wait(db(), [&](transaction& tx) {
        first = make_message("c1", "a", "halo", 2000, "m1");
        first.client_message_id = "client-1";
        EXPECT_EQ(tx.append_new_message(first), 1);
    });
    EXPECT_EQ(first.change_seq, before.last_change_seq + 1);
    EXPECT_EQ(first.created_change_seq, first.change_seq);
    const auto stored = read_value(db(), [](reader& r) { return *r.find_conversation("c1"); });
    EXPECT_EQ(stored.last_change_seq, first.change_seq);
    EXPECT_EQ(stored.updated_at, 2000);

    message reply;
    write_and_wait(db(), [&](transaction& tx) {
        auto retry = make_message("c1", "a", "halo", 9000, "m2");
        retry.client_message_id = "client-1";
        EXPECT_THROW(tx.append_new_message(retry), duplicate_client_message);
        reply = make_message("c1", "b", "balas", 3000, "m3");
        reply.reply_to = "m1";
        EXPECT_EQ(tx.append_new_message(reply), 2) << "the retry took no seq";
    });
    EXPECT_EQ(reply.change_seq, stored.last_change_seq + 1) << "nor a change seq";
    const auto after = read_value(db(), [](reader& r) { return *r.find_conversation("c1"); });
    EXPECT_EQ(after.last_seq, 2);
    EXPECT_EQ(after.last_change_seq, reply.change_seq);
    EXPECT_EQ(after.updated_at, 3000) << "the refused retry (at 9000) left updated_at alone";
    const auto root = read_value(db(), [](reader& r) { return *r.find_message("m1"); });
    EXPECT_EQ(root.reply_count, 1);
    EXPECT_EQ(root.change_seq, reply.change_seq) << "a sync past the reply brings the root's new count";
    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.find_message("m2"); }).has_value());
    EXPECT_THROW(write_and_wait(db(),
                                [](transaction& tx) {
                                    auto m = make_message("nope", "a", "halo", 2000, "m4");
                                    tx.append_new_message(m);
                                }),
                 std::exception)
        << "no such conversation";
}

// Unlike SQLite, PostgreSQL aborts the transaction on any failed statement: a work that catches
// such a failure and goes on fails as a whole (with the failure), and the batch goes on.
TEST_F(pg_queries_test, a_reused_message_id_is_not_taken_for_a_retried_send) {
    write_and_wait(db(), [](transaction& tx) { tx.insert_conversation(make_conversation("c1", {"a", "b"})); });
    bool clashed = false;
    EXPECT_THROW(write_and_wait(db(),
                                [&](transaction& tx) {
                                    auto first = make_message("c1", "a", "halo", 2000, "m1");
                                    first.client_message_id = "client-1";
                                    append(tx, first);
                                    auto clash = make_message("c1", "a", "lagi", 2001, "m1");
                                    clash.client_message_id = "client-2";
                                    try {
                                        append(tx, clash);
                                        ADD_FAILURE() << "a message id is unique";
                                    } catch (const duplicate_client_message&) {
                                        ADD_FAILURE() << "client-2 was never sent: the clash is on the message id";
                                    } catch (const std::invalid_argument&) {
                                        clashed = true;
                                    }
                                }),
                 std::invalid_argument);
    EXPECT_TRUE(clashed);
    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.find_message("m1").has_value(); }));
    // The next work runs normally.
    write_and_wait(db(), [](transaction& tx) {
        auto m = make_message("c1", "a", "halo", 2000, "m1");
        EXPECT_EQ(append(tx, m), 1);
    });
}

TEST_F(pg_queries_test, update_message_rewrites_content_reactions_history_and_deletion) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
        auto m = make_message("c1", "a", "awal", 2000, "m1");
        append(tx, m);
    });
    write_and_wait(db(), [](transaction& tx) {
        auto m = *tx.find_message("m1");
        m.content_json = R"({"text":"akhir \"kutip\""})";
        m.search_text = "akhir";
        m.edited = true;
        m.edit_history.push_back(edit_record{3000, "awal\n\"lama\"\x01", "a"});
        m.reactions.push_back(reaction{"b", "👍", 3500});
        m.reactions.push_back(reaction{"a", "❤️", 3600});
        m.updated_at = 3600;
        m.change_seq = tx.next_change_seq("c1");
        tx.update_message(m);
    });
    auto m = read_value(db(), [](reader& r) { return r.find_message("m1"); });
    EXPECT_EQ(m->content_json, R"({"text":"akhir \"kutip\""})");
    EXPECT_TRUE(m->edited);
    ASSERT_EQ(m->edit_history.size(), 1u);
    EXPECT_EQ(m->edit_history[0].previous_text, "awal\n\"lama\"\x01");
    EXPECT_EQ(m->edit_history[0].edited_at, 3000);
    EXPECT_EQ(m->edit_history[0].edited_by, "a");
    ASSERT_EQ(m->reactions.size(), 2u);
    EXPECT_EQ(m->reactions[0].emoji, "👍");
    EXPECT_EQ(m->reactions[1].user_id, "a");
    EXPECT_EQ(m->reactions[1].added_at, 3600);
    EXPECT_EQ(m->change_seq, 2);
    EXPECT_EQ(m->created_change_seq, 1);

    write_and_wait(db(), [](transaction& tx) {
        auto gone = *tx.find_message("m1");
        gone.deleted_at = 4000;
        gone.content_json = "{}";
        gone.search_text = "";
        tx.update_message(gone);
    });
    m = read_value(db(), [](reader& r) { return r.find_message("m1"); });
    EXPECT_EQ(m->deleted_at, 4000);
    EXPECT_EQ(m->content_json, "{}");

    EXPECT_THROW(
        write_and_wait(db(), [](transaction& tx) { tx.update_message(make_message("c1", "a", "x")); }),
        std::invalid_argument);
}

TEST_F(pg_queries_test, list_messages_pages_newest_first_or_oldest_first_after_a_seq) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });
    fill(db(), "c1", 10);  // seq i created at 10'000 + (i - 1) * 1000

    auto page = [&](message_query q) {
        return read_value(db(), [&](reader& r) { return r.list_messages("c1", q); });
    };
    message_query q;
    q.limit = 3;
    EXPECT_EQ(seqs_of(page(q)), (std::vector<std::int64_t>{10, 9, 8, 7})) << "limit + 1 rows";
    q.offset = 3;
    EXPECT_EQ(seqs_of(page(q)), (std::vector<std::int64_t>{7, 6, 5, 4}));
    q = message_query{};
    q.before_seq = 4;
    EXPECT_EQ(seqs_of(page(q)), (std::vector<std::int64_t>{3, 2, 1}));
    q = message_query{};
    q.before_time = 12'500;
    EXPECT_EQ(seqs_of(page(q)), (std::vector<std::int64_t>{3, 2, 1}));
    q = message_query{};
    q.after_seq = 7;
    EXPECT_EQ(seqs_of(page(q)), (std::vector<std::int64_t>{8, 9, 10})) << "oldest first";
    q.limit = 1;
    EXPECT_EQ(seqs_of(page(q)), (std::vector<std::int64_t>{8, 9}));
    q = message_query{};
    q.after_seq = 2;
    q.before_seq = 5;
    EXPECT_EQ(seqs_of(page(q)), (std::vector<std::int64_t>{3, 4}));
}

TEST_F(pg_queries_test, list_replies_returns_the_replies_of_a_root_oldest_first) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
        auto root = make_message("c1", "a", "root", 1000, "root");
        append(tx, root);
        for (int i = 0; i < 4; ++i) {
            auto other = make_message("c1", "b", "noise", 1000);
            append(tx, other);
            auto reply = make_message("c1", "b", "reply", 1000, "r" + std::to_string(i));
            reply.reply_to = "root";
            append(tx, reply);
        }
    });
    const auto first = read_value(db(), [](reader& r) { return r.list_replies("root", 0, 2); });
    ASSERT_EQ(first.size(), 3u);
    EXPECT_EQ(first[0].id, "r0");
    EXPECT_EQ(first[2].id, "r2");
    const auto rest = read_value(db(), [](reader& r) { return r.list_replies("root", 2, 2); });
    ASSERT_EQ(rest.size(), 2u);
    EXPECT_EQ(rest[1].id, "r3");
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.find_message("root"); })->reply_count, 4);
    EXPECT_TRUE(read_value(db(), [](reader& r) { return r.list_replies("", 0, 2); }).empty());
}

TEST_F(pg_queries_test, changed_messages_are_older_messages_whose_change_seq_passed_the_given_one) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });
    fill(db(), "c1", 5);  // change seqs 1..5
    // Edit seq 2, then seq 4, then a new message 6.
    write_and_wait(db(), [](transaction& tx) {
        for (const char* id : {"c1-2", "c1-4"}) {
            auto m = *tx.find_message(id);
            m.search_text = "diubah";
            m.change_seq = tx.next_change_seq("c1");  // 6, then 7
            tx.update_message(m);
        }
        auto fresh = make_message("c1", "a", "baru", 20'000, "c1-6");
        append(tx, fresh);  // change 8
    });

    auto changed = [&](std::int64_t up_to, std::int64_t after_change) {
        return seqs_of(
            read_value(db(), [&](reader& r) { return r.changed_messages("c1", up_to, after_change); }));
    };
    // A client that saw up to seq 5 at change 5 needs the two edits, not the new message.
    const std::int64_t at_seq_5 =
        read_value(db(), [](reader& r) { return r.change_seq_of_message("c1", 5); });
    EXPECT_EQ(at_seq_5, 5);
    EXPECT_EQ(changed(5, at_seq_5), (std::vector<std::int64_t>{2, 4}));
    EXPECT_EQ(changed(5, 6), (std::vector<std::int64_t>{4}));
    EXPECT_EQ(changed(3, 5), (std::vector<std::int64_t>{2}));
    EXPECT_TRUE(changed(5, 7).empty());
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.change_seq_of_message("c1", 99); }), 0);
}

TEST_F(pg_queries_test, newest_message_of_finds_a_senders_latest_message_in_a_seq_range) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });
    fill(db(), "c1", 6);  // a: 1, 3, 5; b: 2, 4, 6
    auto newest = [&](const std::string& sender, std::int64_t after, std::int64_t up_to) {
        const auto m =
            read_value(db(), [&](reader& r) { return r.newest_message_of("c1", sender, after, up_to); });
        return m ? m->seq : 0;
    };
    EXPECT_EQ(newest("a", 0, 6), 5);
    EXPECT_EQ(newest("b", 0, 5), 4);
    EXPECT_EQ(newest("a", 3, 4), 0);
    EXPECT_EQ(newest("a", 2, 3), 3);
}

TEST_F(pg_queries_test, join_state_has_the_counters_and_the_users_own_read_cursor) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });
    fill(db(), "c1", 6);
    write_and_wait(db(), [](transaction& tx) { tx.advance_read_cursor("c1", "b", 4, 100); });
    const auto conv = read_value(db(), [](reader& r) { return r.find_conversation("c1"); });
    const auto b = read_value(db(), [](reader& r) { return r.join_state_of("c1", "b"); });
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->last_seq, 6);
    EXPECT_EQ(b->last_change_seq, conv->last_change_seq);
    EXPECT_EQ(b->read_up_to_seq, 4);
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.join_state_of("c1", "a"); })->read_up_to_seq, 0);
    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.join_state_of("c1", "zed"); }).has_value())
        << "not a participant";
    EXPECT_FALSE(read_value(db(), [](reader& r) { return r.join_state_of("nope", "a"); }).has_value());
}

TEST_F(pg_queries_test, cursors_never_move_backward_and_reading_also_delivers) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
    });
    fill(db(), "c1", 10);

    auto advance = [&](bool read, std::int64_t up_to, unix_ms at) {
        bool moved = false;
        write_and_wait(db(), [&](transaction& tx) {
            moved = read ? tx.advance_read_cursor("c1", "b", up_to, at)
                         : tx.advance_delivered_cursor("c1", "b", up_to, at);
        });
        return moved;
    };
    EXPECT_TRUE(advance(false, 3, 100));
    EXPECT_TRUE(advance(true, 5, 200)) << "read 5 also delivers 4 and 5";
    EXPECT_FALSE(advance(true, 4, 300));
    EXPECT_FALSE(advance(true, 5, 300));
    EXPECT_FALSE(advance(false, 5, 300)) << "already delivered by the read";
    EXPECT_TRUE(advance(false, 8, 400));
    EXPECT_TRUE(advance(true, 7, 500)) << "read below delivered moves read only";
    EXPECT_TRUE(advance(true, 1000, 600)) << "clamped to the newest message";
    EXPECT_FALSE(advance(true, 11, 700));

    const auto c = read_value(db(), [](reader& r) { return r.find_conversation("c1"); });
    EXPECT_EQ(c->find_participant("b")->read_up_to_seq, 10);
    EXPECT_EQ(c->find_participant("b")->delivered_up_to_seq, 10);

    const auto reads = read_value(db(), [](reader& r) { return r.cursor_marks("c1", true); });
    ASSERT_EQ(reads.size(), 3u);
    EXPECT_EQ(reads[0].up_to_seq, 5);
    EXPECT_EQ(reads[0].at, 200);
    EXPECT_EQ(reads[1].up_to_seq, 7);
    EXPECT_EQ(reads[2].up_to_seq, 10);
    const auto delivered = read_value(db(), [](reader& r) { return r.cursor_marks("c1", false); });
    std::vector<std::pair<std::int64_t, unix_ms>> marks;
    for (const auto& m : delivered) marks.emplace_back(m.up_to_seq, m.at);
    EXPECT_EQ(marks,
              (std::vector<std::pair<std::int64_t, unix_ms>>{{3, 100}, {5, 200}, {8, 400}, {10, 600}}));

    bool stranger = true;
    write_and_wait(db(), [&](transaction& tx) { stranger = tx.advance_read_cursor("c1", "zed", 5, 1); });
    EXPECT_FALSE(stranger) << "not a participant: nothing moves";
}

TEST_F(pg_queries_test, list_conversations_orders_by_activity_filters_and_counts_unread) {
    write_and_wait(db(), [](transaction& tx) {
        tx.upsert_user(user_profile{"b", "Budi", "", role::student, 0});
        tx.insert_conversation(make_conversation("old", {"a", "b"}, conversation_type::direct, 1000));
        tx.insert_conversation(make_conversation("mid", {"a", "c"}, conversation_type::group, 2000));
        tx.insert_conversation(make_conversation("new", {"a", "b", "c"}, conversation_type::group, 3000));
        auto archived = make_conversation("arch", {"a"}, conversation_type::group, 4000);
        archived.archived = true;
        tx.insert_conversation(archived);
        tx.insert_conversation(make_conversation("other", {"b", "c"}, conversation_type::group, 5000));
    });
    // "old" gets the newest activity: b writes 3 messages, a one, one of b's is deleted.
    write_and_wait(db(), [](transaction& tx) {
        for (int i = 0; i < 3; ++i) {
            auto m = make_message("old", "b", "dari budi", 10'000 + i, "old-b" + std::to_string(i));
            append(tx, m);
        }
        auto mine = make_message("old", "a", "dari saya", 10'010, "old-a");
        append(tx, mine);
        auto gone = *tx.find_message("old-b1");
        gone.deleted_at = 10'020;
        tx.update_message(gone);
        tx.advance_read_cursor("old", "a", 1, 10'030);
    });

    const auto page = read_value(db(), [](reader& r) { return r.list_conversations("a", {}, 0, 20); });
    EXPECT_EQ(page.total, 3);
    ASSERT_EQ(page.items.size(), 3u);
    EXPECT_EQ(page.items[0].conversation.id, "old");
    EXPECT_EQ(page.items[1].conversation.id, "new");
    EXPECT_EQ(page.items[2].conversation.id, "mid");
    EXPECT_EQ(page.items[0].unread_count, 1) << "b's seq 3; seq 2 is deleted, seq 4 is mine";
    ASSERT_TRUE(page.items[0].last_message.has_value());
    EXPECT_EQ(page.items[0].last_message->id, "old-a");
    EXPECT_EQ(page.items[0].conversation.find_participant("b")->name, "Budi");
    EXPECT_FALSE(page.items[1].last_message.has_value());
    EXPECT_EQ(page.items[1].unread_count, 0);

    const auto second = read_value(db(), [](reader& r) { return r.list_conversations("a", {}, 1, 1); });
    EXPECT_EQ(second.total, 3);
    ASSERT_EQ(second.items.size(), 1u);
    EXPECT_EQ(second.items[0].conversation.id, "new");

    conversation_filter direct;
    direct.type = conversation_type::direct;
    const auto directs =
        read_value(db(), [&](reader& r) { return r.list_conversations("a", direct, 0, 20); });
    ASSERT_EQ(directs.items.size(), 1u);
    EXPECT_EQ(directs.items[0].conversation.id, "old");

    conversation_filter archived;
    archived.archived = true;
    const auto archives =
        read_value(db(), [&](reader& r) { return r.list_conversations("a", archived, 0, 20); });
    ASSERT_EQ(archives.items.size(), 1u);
    EXPECT_EQ(archives.items[0].conversation.id, "arch");

    // b's view of "old": a's message (seq 4) is unread.
    const auto b_page = read_value(db(), [](reader& r) { return r.list_conversations("b", {}, 0, 20); });
    ASSERT_EQ(b_page.items.size(), 3u);
    EXPECT_EQ(b_page.items[0].conversation.id, "old");
    EXPECT_EQ(b_page.items[0].unread_count, 1);
    EXPECT_EQ(b_page.items[1].conversation.id, "other");
    EXPECT_EQ(b_page.items[2].conversation.id, "new");
}

TEST_F(pg_queries_test, users_who_left_keep_their_list_but_leave_membership) {
    write_and_wait(db(), [](transaction& tx) {
        tx.insert_conversation(make_conversation("c1", {"a", "b"}));
        tx.insert_conversation(make_conversation("c2", {"a", "c"}));
        tx.insert_conversation(make_conversation("c3", {"d", "e"}));
        tx.set_participant_left("c2", "c", 5000);
    });
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.conversation_ids_of("a"); }),
              (std::vector<std::string>{"c1", "c2"}));
    EXPECT_TRUE(read_value(db(), [](reader& r) { return r.conversation_ids_of("c"); }).empty());
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.list_conversations("c", {}, 0, 10); }).total, 1)
        << "the history stays listed, read-only";

    // Rejoining clears left_at and takes the new role and permissions; cursors stay.
    write_and_wait(db(), [](transaction& tx) {
        auto p = member("c", role::tutor, 9000);
        p.permissions = {"read", "write"};
        tx.upsert_participant("c2", p);
        tx.upsert_participant("c2", member("f", role::student, 9000));
    });
    const auto c2 = read_value(db(), [](reader& r) { return r.find_conversation("c2"); });
    const auto* c = c2->find_participant("c");
    ASSERT_NE(c, nullptr);
    EXPECT_TRUE(c->active());
    EXPECT_EQ(c->role, role::tutor);
    EXPECT_EQ(c->permissions, (std::vector<std::string>{"read", "write"}));
    EXPECT_EQ(c->joined_at, 1000) << "the first join is kept";
    EXPECT_NE(c2->find_participant("f"), nullptr);
    EXPECT_EQ(read_value(db(), [](reader& r) { return r.conversation_ids_of("c"); }), std::vector<std::string>{"c2"});
}

TEST_F(pg_queries_test, delete_expired_messages_follows_each_conversations_retention) {
    constexpr unix_ms day = 86'400'000;
    constexpr unix_ms now = 1000 * day;
    write_and_wait(db(), [&](transaction& tx) {
        auto short_lived = make_conversation("short", {"a", "b"});
        short_lived.settings.retention_days = 7;
        tx.insert_conversation(short_lived);
        auto forever = make_conversation("forever", {"a", "b"});
        forever.settings.retention_days = 0;
        tx.insert_conversation(forever);
        tx.insert_conversation(make_conversation("year", {"a", "b"}));  // 365 days
        for (const char* c : {"short", "forever", "year"}) {
            for (const unix_ms age : {400 * day, 10 * day, 1 * day}) {
                auto m = make_message(c, "a", std::string{"arsip "} + c, now - age);
                append(tx, m);
            }
        }
        tx.advance_read_cursor("short", "b", 1, now - 300 * day);
        tx.advance_read_cursor("short", "b", 3, now);
    });
    std::int64_t deleted = 0;
    write_and_wait(db(), [&](transaction& tx) { deleted = tx.delete_expired_messages(now); });
    EXPECT_EQ(deleted, 2 + 0 + 1);

    auto remaining = [&](const std::string& c) {
        return seqs_of(read_value(db(), [&](reader& r) { return r.list_messages(c, message_query{}); }));
    };
    EXPECT_EQ(remaining("short"), std::vector<std::int64_t>{3});
    EXPECT_EQ(remaining("forever"), (std::vector<std::int64_t>{3, 2, 1}));
    EXPECT_EQ(remaining("year"), (std::vector<std::int64_t>{3, 2}));
    EXPECT_TRUE(
        read_value(db(), [](reader& r) { return r.search("a", std::string{"short"}, "arsip", 0, 10); })
            .size() == 1)
        << "deleted messages leave the search index";
    const auto marks = read_value(db(), [](reader& r) { return r.cursor_marks("short", true); });
    ASSERT_EQ(marks.size(), 1u) << "a mark below every remaining message is pruned";
    EXPECT_EQ(marks[0].up_to_seq, 3);

    write_and_wait(db(), [&](transaction& tx) { deleted = tx.delete_expired_messages(now); });
    EXPECT_EQ(deleted, 0);
}

}  // namespace
}  // namespace writeen::store::testing
