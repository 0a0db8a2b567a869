#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/corpus/<target>/.

The seeds are small valid inputs of each format, so libFuzzer starts from inputs that pass the
first checks and mutates its way into the handlers behind them. Re-run after changing a format.
"""
import hashlib
import json
import os
import struct

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = os.path.join(root, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def ws_frame(opcode, payload, mask=b"\x01\x02\x03\x04", fin=True):
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


for op, payload in [(1, b'{"event":"ping","data":{}}'), (8, struct.pack(">H", 1000) + b"bye"),
                    (9, b"hi"), (2, b"\x00" * 200), (0, b"continued")]:
    write("ws_frame_fuzz", ws_frame(op, payload, fin=op != 0))
write("ws_frame_fuzz", ws_frame(1, b"x" * 70000))
write("ws_frame_fuzz", "dGhlIHNhbXBsZSBub25jZQ==")

events = [
    {"event": "join_conversation", "data": {"conversationId": "$C"}, "requestId": "r1"},
    {"event": "send_message", "data": {"conversationId": "$C", "type": "text", "content": {"text": "Halo, bab 2 sudah saya revisi"}, "clientMessageId": "c-1"}},
    {"event": "send_message", "data": {"conversationId": "$C", "type": "sticker", "content": {"sticker": "thumbs-up"}, "clientMessageId": "c-2", "replyTo": "m"}},
    {"event": "typing", "data": {"conversationId": "$C", "isTyping": True}},
    {"event": "mark_read", "data": {"conversationId": "$C", "upToSeq": 1}},
    {"event": "mark_delivered", "data": {"conversationId": "$C", "upToSeq": 1}},
    {"event": "sync", "data": {"conversationId": "$C", "afterSeq": 0, "afterChangeSeq": 0, "limit": 50}},
    {"event": "set_presence", "data": {"status": "away"}},
    {"event": "leave_conversation", "data": {"conversationId": "$C"}},
    {"event": "ping", "data": {}},
]
for e in events:
    write("ws_events_fuzz", json.dumps(e))
write("ws_events_fuzz", "\n".join(json.dumps(e) for e in events[:3]))

token = "Authorization: Bearer $T\r\n"
requests = [
    "GET /api/conversations?page=1&limit=20 HTTP/1.1\r\nHost: x\r\n" + token + "\r\n",
    "HEAD /api/conversations HTTP/1.1\r\nHost: x\r\n" + token + "\r\n",
    "GET /api/conversations/$C/messages?limit=50&search=revisi HTTP/1.1\r\nHost: x\r\n" + token + "\r\n",
    "GET /api/search?q=bab&limit=10 HTTP/1.1\r\nHost: x\r\n" + token + "\r\n",
    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
]
for body_request in [
    ("POST", "/api/conversations/$C/messages", {"type": "text", "content": {"text": "halo"}, "clientMessageId": "h-1"}),
    ("POST", "/api/conversations", {"type": "group", "participantIds": ["tutor-1"], "title": "Bab 3"}),
    ("PATCH", "/api/conversations/$C", {"title": "Skripsi", "settings": {"allowFileUpload": False}}),
    ("POST", "/api/conversations/$C/read", {"upToSeq": 1}),
    ("POST", "/api/messages/m-1/reactions", {"emoji": "\U0001F44D"}),
]:
    method, path, body = body_request
    text = json.dumps(body)
    requests.append(f"{method} {path} HTTP/1.1\r\nHost: x\r\n{token}Content-Type: application/json\r\n"
                    f"Content-Length: {len(text.encode())}\r\n\r\n{text}")
for r in requests:
    write("http_request_fuzz", r)

for size, value in [(1000, "bytes=0-99"), (1000, "bytes=-100"), (1000, "bytes=900-"),
                    (10, "bytes=18446744073709551615-"), (0, "bytes=0-0"), (5000, "bytes=1-2,3-4")]:
    write("byte_range_fuzz", struct.pack("<Q", size) + value.encode())

boundary = "XyZ"
part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bab1.pdf\"\r\n"
        f"Content-Type: application/pdf\r\n\r\n%PDF-1.4 hello\r\n--{boundary}--\r\n")
for chunk in [1, 7, 63]:
    write("multipart_fuzz", bytes([chunk]) + f"multipart/form-data; boundary={boundary}\n{part}".encode())
write("multipart_fuzz", b"\x05multipart/form-data; boundary=\"q b\"\n--q b\r\n\r\nx\r\n--q b--")


def b64(data):
    import base64
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


header = json.dumps({"alg": "HS256", "typ": "JWT"})
payload = json.dumps({"sub": "student-1", "name": "Siti", "role": "student", "iss": "writeen",
                      "iat": 1700000000, "exp": 1900000000})
write("jwt_fuzz", "\x01" + header + "\n" + payload)
write("jwt_fuzz", "\x01" + json.dumps({"alg": "none"}) + "\n" + payload)
write("jwt_fuzz", "\x00" + b64(header.encode()) + "." + b64(payload.encode()) + ".c2ln")

for q in ["revisi", "bab dua", "\"jadwal\" OR NEAR(a b)", "konsul*", "résumé", "a AND -b ^c", "((("]:
    write("fts_query_fuzz", q)

for name in ["bab1.pdf", "../../etc/passwd", "..pdf", "CON.txt", "Skripsi Final (rev 3).docx",
             "na\u202eme.pdf", "a\r\nb.txt", "\u00e9t\u00e9.pptx"]:
    write("file_name_fuzz", name)

write("content_sniffer_fuzz", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
write("content_sniffer_fuzz", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
write("content_sniffer_fuzz", b"PK\x03\x04" + b"\x14\x00" * 13 + b"[Content_Types].xml")
write("content_sniffer_fuzz", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
write("content_sniffer_fuzz", b"GIF89a\x01\x00\x01\x00")

# The shape transcripts::seal produces (the hashes cannot be right: that is what verify checks).
messages = [{"seq": 1, "senderId": "student-1", "type": "text", "content": {"text": "halo"}},
            {"seq": 2, "senderId": "tutor-1", "type": "text", "content": {"text": "baik"}}]
chain = {"algorithm": "sha256", "entries": [{"seq": 1, "hash": "ab" * 32}, {"seq": 2, "hash": "cd" * 32}],
         "head": "cd" * 32}
sealed = {"transcript": {"consultationId": "k-1", "messages": messages, "chain": chain},
          "signature": {"algorithm": "ed25519", "keyId": "key-1", "value": "AAAA"}}
write("transcript_fuzz", json.dumps(sealed))
write("transcript_fuzz", json.dumps({"data": sealed}))

# bus_envelope_fuzz: the Redis bus envelope (src/bus/envelope.cpp): "W1", kind, u32-length strings.
def bus_string(s):
    s = s.encode() if isinstance(s, str) else s
    return struct.pack(">I", len(s)) + s


def bus_delivery(audience, users, conversation, except_user, frame):
    out = b"W1D" + bus_string("node-a") + audience + struct.pack(">I", len(users))
    for u in users:
        out += bus_string(u)
    return out + bus_string(conversation) + bus_string(except_user) + bus_string(frame)


write("bus_envelope_fuzz", bus_delivery(b"u", ["u-1", "u-2"], "", "", '{"event":"message_received","data":{}}'))
write("bus_envelope_fuzz", bus_delivery(b"j", [], "c-1", "u-1", '{"event":"user_typing","data":{"isTyping":true}}'))
write("bus_envelope_fuzz", b"W1I" + bus_string("node-b") + bus_string("c-1"))


def bus_users(users):
    out = struct.pack(">I", len(users))
    for user, activity in users:
        out += bus_string(user) + struct.pack(">Q", activity)
    return out


# Presence (one user, here or gone) and activity (every user of the node with its latest activity).
write("bus_envelope_fuzz", b"W1P" + bus_string("node-b") + b"1" + bus_users([("u-1", 1780000000123)]))
write("bus_envelope_fuzz", b"W1A" + bus_string("node-b") + bus_users([("u-1", 1780000000123), ("u-2", 0)]))
