// Peer: what a typical team writes with Socket.IO and PostgreSQL. Each send_message is INSERTed
// (durable: synchronous_commit on, PostgreSQL's default), then emitted to the rest of the room,
// then acknowledged to the sender through Socket.IO's ack callback.
'use strict';
const { Server } = require('socket.io');
const { Pool } = require('pg');

const port = Number(process.env.PORT || 8091);
const pool = new Pool({
  host: process.env.PGHOST || '127.0.0.1',
  port: Number(process.env.PGPORT || 5432),
  user: process.env.PGUSER || 'postgres',
  database: process.env.PGDATABASE || 'postgres',
  max: Number(process.env.PG_POOL || 20),
});

const insert = `INSERT INTO messages (conversation_id, sender_id, client_message_id, text)
                VALUES ($1, $2, $3, $4) RETURNING id, created_at`;

async function main() {
  await pool.query(`CREATE TABLE IF NOT EXISTS messages (
      id bigserial PRIMARY KEY,
      conversation_id text NOT NULL,
      sender_id text NOT NULL,
      client_message_id text NOT NULL,
      text text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (sender_id, client_message_id))`);
  const io = new Server(port, {
    transports: ['websocket'], serveClient: false, perMessageDeflate: false, cors: { origin: '*' },
  });
  io.on('connection', (socket) => {
    socket.on('join_conversation', (data, ack) => {
      if (!data || typeof data.conversationId !== 'string') return;
      socket.join(data.conversationId);
      if (typeof ack === 'function') ack({ conversationId: data.conversationId });
    });
    socket.on('send_message', async (data, ack) => {
      if (!data || typeof data.conversationId !== 'string' || !data.content) return;
      try {
        const { rows } = await pool.query(insert, [
          data.conversationId, socket.id, String(data.clientMessageId), String(data.content.text)]);
        const message = {
          id: String(rows[0].id), conversationId: data.conversationId, senderId: socket.id,
          type: 'text', content: { text: data.content.text }, clientMessageId: data.clientMessageId,
          createdAt: rows[0].created_at,
        };
        socket.to(data.conversationId).emit('message_received', { message });
        if (typeof ack === 'function') ack({ clientMessageId: data.clientMessageId, message });
      } catch (e) {
        socket.emit('error_event', { code: 'internal', message: e.message });
      }
    });
  });
  console.log(`socket.io peer listening on 127.0.0.1:${port}`);
}
main().catch((e) => { console.error(e); process.exit(1); });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
