// A stand-in for Meta's Graph API on loopback for the browser journeys: takes WhatsApp and
// Messenger sends like the real API (answering with message ids), and lets tests read what it
// received at GET /sent. Never talks to the internet.
const http = require('http');

const port = Number(process.env.FAKE_GRAPH_PORT ?? 3113);
const sent = [];

function readBody(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
  });
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://127.0.0.1:${port}`);
  if (req.method === 'GET' && url.pathname === '/health') return json(res, 200, { ok: true });
  if (req.method === 'GET' && url.pathname === '/sent') return json(res, 200, sent);
  const send = url.pathname.match(/^\/([^/]+)\/messages$/);
  if (req.method === 'POST' && send) {
    if (req.headers.authorization !== `Bearer ${process.env.META_ACCESS_TOKEN ?? 'graph-e2e'}`) {
      return json(res, 401, { error: { message: 'Invalid OAuth access token', code: 190 } });
    }
    const body = JSON.parse(await readBody(req));
    sent.push({ account: send[1], body });
    const n = sent.length;
    if (send[1] === 'me') return json(res, 200, { recipient_id: body.recipient.id, message_id: `m_e2e_${n}` });
    return json(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.E2E${n}` }] });
  }
  json(res, 404, { error: { message: 'Unknown path', code: 803 } });
}).listen(port, '127.0.0.1');
