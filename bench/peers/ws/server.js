// Ceiling peer: the storage-less broadcast server a team writes with the `ws` package. A client
// joins rooms with {"event":"join_conversation","data":{"conversationId"}} (answered "joined");
// a send_message frame is relayed as is to every member of its room, the sender included (the
// sender's copy is its acknowledgement). Nothing is stored.
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.env.PORT || 8090);
const host = process.env.HOST || '127.0.0.1';
const rooms = new Map();  // room id -> Set of sockets

const wss = new WebSocketServer({ host, port, perMessageDeflate: false });
wss.on('connection', (socket) => {
  socket.rooms = new Set();
  socket.on('message', (raw) => {
    let frame;
    try { frame = JSON.parse(raw); } catch { return; }
    const data = frame && frame.data;
    if (!data || typeof data.conversationId !== 'string') return;
    if (frame.event === 'join_conversation') {
      let room = rooms.get(data.conversationId);
      if (!room) rooms.set(data.conversationId, room = new Set());
      room.add(socket);
      socket.rooms.add(data.conversationId);
      socket.send(JSON.stringify({ event: 'joined', data: { conversationId: data.conversationId } }));
    } else if (frame.event === 'send_message') {
      const room = rooms.get(data.conversationId);
      if (!room) return;
      for (const member of room) member.send(raw, { binary: false });
    }
  });
  socket.on('close', () => {
    for (const id of socket.rooms) rooms.get(id)?.delete(socket);
  });
});
wss.on('listening', () => console.log(`ws peer listening on ${host}:${port}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
