#!/usr/bin/env python3
"""After scripts/chaos.sh: is every acknowledged message stored, once, as it was acknowledged?

Usage: check_acknowledged.py DATABASE ACK_LOG
ACK_LOG has one line per acknowledgement: conversationId seq messageId clientMessageId.
Exits 1 and lists what is wrong when an acknowledged message is missing or differs, when a
conversation's seq has a gap or a duplicate, or when PRAGMA integrity_check is not "ok".
"""
import sqlite3
import sys


def main(database, ack_log):
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    problems = []

    integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        problems.append(f"integrity_check: {integrity[:10]}")

    acknowledged = 0
    with open(ack_log, encoding="utf-8") as log:
        for line in log:
            fields = line.split()
            if len(fields) != 4:
                problems.append(f"unreadable acknowledgement line: {line!r}")
                continue
            conversation_id, seq, message_id, client_message_id = fields
            acknowledged += 1
            rows = db.execute(
                "SELECT conversation_id, seq, client_message_id FROM messages WHERE id = ?",
                (message_id,)).fetchall()
            if rows != [(conversation_id, int(seq), client_message_id)]:
                problems.append(f"acknowledged {message_id} ({conversation_id} seq {seq}) is stored as {rows}")

    # Every conversation holds seq 1..n, each once (the UNIQUE constraint forbids a duplicate;
    # count and max together show a gap).
    conversations = 0
    for conversation_id, count, lowest, highest in db.execute(
            "SELECT conversation_id, COUNT(*), MIN(seq), MAX(seq) FROM messages GROUP BY conversation_id"):
        conversations += 1
        if lowest != 1 or highest != count:
            problems.append(f"conversation {conversation_id}: {count} messages with seq {lowest}..{highest}")

    duplicates = db.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE client_message_id != ''"
        " GROUP BY sender_id, client_message_id HAVING COUNT(*) > 1)").fetchone()[0]
    if duplicates:
        problems.append(f"{duplicates} clientMessageIds stored more than once")

    stored = db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    print(f"chaos: {acknowledged} acknowledged, {stored} stored, {conversations} conversations")
    if acknowledged == 0:
        problems.append("no message was acknowledged: the load never reached the server")
    for problem in problems[:50]:
        print(f"chaos: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
