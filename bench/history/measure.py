#!/usr/bin/env python3
"""The measuring step of the `history` benchmark: requests against a running writeen-chat whose
data directory was filled by history_load, timed from the client side (keep-alive HTTP/1.1 on
loopback, one request at a time). Prints a table and writes JSON.

  measure.py --url http://127.0.0.1:PORT --secret SECRET --plan DIR/history-plan.json
             [--repeat 50] [--json OUT]

Each figure is p50/p99/max over --repeat requests (the first one, which warms the caches, is
left out and reported on its own as `cold`).
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import socket
import struct
import sys
import time
import urllib.parse


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(secret, user, name, role="student"):
    """An HS256 token like the Writeen main application's (see `writeen-chat token`)."""
    now = int(time.time())
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps({"sub": user, "name": name, "role": role, "iat": now, "exp": now + 3600}).encode())
    signature = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64url(signature)}"


class client:
    def __init__(self, url, bearer):
        parsed = urllib.parse.urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.bearer = bearer
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def get(self, path):
        self.conn.request("GET", path, headers={"Authorization": f"Bearer {self.bearer}"})
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
        return json.loads(body)


class websocket:
    """Just enough of RFC 6455 for text frames from a client (masked) and to the client."""

    def __init__(self, host, port, path):
        self.sock = socket.create_connection((host, port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("WebSocket handshake: connection closed")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"WebSocket handshake refused: {head[:200]!r}")

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("WebSocket closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def send(self, obj):
        payload = json.dumps(obj).encode()
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            length = bytes([0x80 | n])
        elif n < 65536:
            length = bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            length = bytes([0x80 | 127]) + struct.pack("!Q", n)
        header = bytes([0x81]) + length
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            n = second & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(n)
            opcode = first & 0x0F
            if opcode == 0x9:  # ping: answer, keep reading
                self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
                continue
            if opcode == 0x8:
                raise RuntimeError("WebSocket closed by the server")
            message += payload
            if first & 0x80:
                return json.loads(message)

    def wait_for(self, event):
        while True:
            frame = self.receive()
            if frame.get("event") == event:
                return frame.get("data")
            if frame.get("event") == "error":
                raise RuntimeError(f"WebSocket error: {frame}")


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(p * (len(sorted_values) - 1) + 0.5))]


def timed(repeat, action):
    cold_start = time.perf_counter()
    result = action()
    cold = (time.perf_counter() - cold_start) * 1000
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"cold": cold, "p50": percentile(samples, 0.5), "p99": percentile(samples, 0.99),
            "max": samples[-1], "n": repeat}, result


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--plan", required=True)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--json")
    parser.add_argument("--server-pid", type=int)
    parser.add_argument("--extra", default="{}", help="JSON merged into the results (start-up, disk)")
    args = parser.parse_args()
    plan = json.load(open(args.plan))
    results = {"plan": plan, **json.loads(args.extra), "figures": {}}
    figures = results["figures"]

    heavy = client(args.url, token(args.secret, plan["heavyUser"], "Dr. Banyak Kelas", "tutor"))
    typical = client(args.url, token(args.secret, plan["typicalUser"], "Mahasiswa 7"))
    big, small = plan["bigConversation"], plan["smallConversation"]
    quote = urllib.parse.quote

    # History pages of 50: the newest, and one deep in the big conversation (before a seq near
    # its start), as a client scrolling back asks for them.
    figures["history newest 50 (big conversation)"], page = timed(
        args.repeat, lambda: heavy.get(f"/api/conversations/{big}/messages?limit=50"))
    last_seq = page["data"]["messages"][0]["seq"]
    deep = max(60, last_seq // 20)
    figures[f"history deep 50 (before seq {deep} of {last_seq})"], _ = timed(
        args.repeat, lambda: heavy.get(f"/api/conversations/{big}/messages?limit=50&before={deep}"))

    # Search: across the heavy user's 500 conversations and a typical user's, inside the big
    # conversation and inside a small one; the most frequent words, a middle one and the rarest.
    words = [("common", w) for w in plan["commonWords"]] + [("mid", w) for w in plan["midWords"]] + \
            [("rare", w) for w in plan["rareWords"]]
    hits = {}
    for kind, word in words:
        q = quote(word)
        for label, c, path in [
            ("all of heavy user's", heavy, f"/api/search?q={q}&limit=20"),
            ("all of typical user's", typical, f"/api/search?q={q}&limit=20"),
            ("inside big conversation", heavy, f"/api/search?q={q}&conversationId={big}&limit=20"),
            ("inside small conversation", heavy, f"/api/search?q={q}&conversationId={small}&limit=20"),
        ]:
            name = f"search {kind} '{word}' {label}"
            figures[name], body = timed(args.repeat, lambda: c.get(path))
            hits[name] = len(body["data"]["messages"])
    results["searchHits"] = hits

    # Conversation list of the user in 500 conversations (first page of 20, the API's default).
    figures["conversation list (user in 500)"], _ = timed(args.repeat, lambda: heavy.get("/api/conversations?limit=20"))

    # sync after 10,000 missed messages: a client that last saw last_seq - 10,000 catches up
    # with sync until hasMore is false; the time is the whole catch-up.
    missed = min(10000, last_seq - 1)
    parsed = urllib.parse.urlparse(args.url)

    def catch_up():
        ws = websocket(parsed.hostname, parsed.port, f"/ws?token={heavy.bearer}")
        after, got = last_seq - missed, 0
        while True:
            ws.send({"event": "sync", "data": {"conversationId": big, "afterSeq": after, "limit": 500}})
            data = ws.wait_for("sync_result")
            got += len(data["messages"])
            if data["messages"]:
                after = data["messages"][-1]["seq"]
            if not data["hasMore"] or not data["messages"]:
                break
        ws.sock.close()
        if got < missed:
            raise RuntimeError(f"sync returned {got} of {missed} messages")
        return got

    figures[f"sync after {missed} missed messages (connect + sync pages of 500)"], _ = timed(
        max(5, args.repeat // 10), catch_up)

    if args.server_pid:
        results["rssKiB"] = rss_kib(args.server_pid)

    print(f"history: {plan['messages']:,} messages over {plan['conversations']:,} conversations")
    print(f"{'measurement':86s} {'cold':>8s} {'p50':>8s} {'p99':>8s} {'max':>8s}  (ms, n)")
    for name, f in figures.items():
        print(f"{name:86s} {f['cold']:8.2f} {f['p50']:8.2f} {f['p99']:8.2f} {f['max']:8.2f}  n={f['n']}"
              + (f"  hits={hits[name]}" if name in hits else ""))
    for key in ("firstStartSeconds", "startSeconds", "idleRssKiB", "rssKiB", "bytesPerMessage", "dbBytes", "writeRate", "writeRateEmpty"):
        if key in results:
            print(f"{key}: {results[key]}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
