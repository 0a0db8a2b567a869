// Peer: what a typical team writes with Socket.IO and PostgreSQL. Each send_message is INSERTed
// (durable: synchronous_commit on, PostgreSQL's default), then emitted to the rest of the room,
// then acknowledged to the sender through Socket.IO's ack callback.
// With REDIS_URL set it runs as one node of a cluster: Socket.IO's official Redis adapter
// publishes every room emit to the other nodes (what a team scaling Socket.IO out deploys);
// several such nodes share one PostgreSQL and sit behind nginx without sticky sessions
// (WebSocket transport only, so no long-polling session has to stay on one node).
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

// Several nodes may start at once: an advisory lock makes the schema's creation one at a time
// (CREATE TABLE IF NOT EXISTS alone can fail with a duplicate type when run concurrently).
async function createSchema() {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(8091)');
    await client.query(`CREATE TABLE IF NOT EXISTS messages (
      id bigserial PRIMARY KEY,
      conversation_id text NOT NULL,
      sender_id text NOT NULL,
      client_message_id text NOT NULL,
      text text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (sender_id, client_message_id))`);
  } finally {
    await client.query('SELECT pg_advisory_unlock(8091)').catch(() => {});
    client.release();
  }
}

async function redisAdapter(url) {
  const { createClient } = require('redis');
  const { createAdapter } = require('@socket.io/redis-adapter');
  const pubClient = createClient({ url });
  const subClient = pubClient.duplicate();
  for (const client of [pubClient, subClient])
    client.on('error', (e) => console.error(`redis: ${e.message}`));
  await Promise.all([pubClient.connect(), subClient.connect()]);
  return createAdapter(pubClient, subClient);
}

async function main() {
  await createSchema();
  const options = {
    transports: ['websocket'], serveClient: false, perMessageDeflate: false, cors: { origin: '*' },
  };
  if (process.env.REDIS_URL) options.adapter = await redisAdapter(process.env.REDIS_URL);
  const io = new Server(port, options);
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
  console.log(`socket.io peer listening on 127.0.0.1:${port}` +
              (process.env.REDIS_URL ? ` (Redis adapter: ${process.env.REDIS_URL})` : ''));
}
main().catch((e) => { console.error(e); process.exit(1); });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
