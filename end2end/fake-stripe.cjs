// A stand-in for Stripe on loopback for the browser journeys: creates Checkout Sessions like
// Stripe's API, shows a payment page, and on "Pagar" sends the signed
// `checkout.session.completed` webhook to the portal (twice, as Stripe's retries would) before
// sending the browser back to the success URL. Never talks to the internet.
const http = require('http');
const crypto = require('crypto');

const port = Number(process.env.FAKE_STRIPE_PORT ?? 3112);
const portal = process.env.PORTAL_URL ?? 'http://127.0.0.1:3111';
const secretKey = process.env.STRIPE_SECRET_KEY ?? 'sk_test_e2e';
const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_e2e';
const sessions = new Map();
let counter = 0;

function readBody(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
  });
}

async function sendWebhook(session) {
  const event = {
    id: `evt_e2e_${session.id}`,
    type: 'checkout.session.completed',
    data: { object: { id: session.id, object: 'checkout.session', client_reference_id: session.clientReferenceId,
      payment_status: 'paid', amount_total: session.amount, currency: 'usd' } },
  };
  const body = JSON.stringify(event);
  const t = Math.floor(Date.now() / 1000);
  const v1 = crypto.createHmac('sha256', webhookSecret).update(`${t}.${body}`).digest('hex');
  for (let attempt = 0; attempt < 2; attempt++) {
    const res = await fetch(`${portal}/api/v1/webhooks/stripe`, {
      method: 'POST', body, headers: { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` },
    });
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  }
}

http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://127.0.0.1:${port}`);
  if (req.method === 'GET' && url.pathname === '/health') {
    res.end('ok');
    return;
  }
  if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
    if (req.headers.authorization !== `Bearer ${secretKey}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Invalid API Key provided' } }));
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    const id = `cs_test_e2e_${++counter}`;
    sessions.set(id, {
      id,
      clientReferenceId: form.get('client_reference_id'),
      amount: Number(form.get('line_items[0][price_data][unit_amount]')),
      name: form.get('line_items[0][price_data][product_data][name]'),
      success: form.get('success_url'),
      cancel: form.get('cancel_url'),
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id, object: 'checkout.session', url: `http://127.0.0.1:${port}/pay/${id}` }));
    return;
  }
  const match = url.pathname.match(/^\/pay\/([\w]+)$/);
  const session = match && sessions.get(match[1]);
  if (session && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="es"><title>Fake Stripe Checkout</title><h1>Pago de prueba</h1>
      <p>${session.name}: US$${(session.amount / 100).toFixed(2)}</p>
      <form method="post"><button type="submit">Pagar</button></form>
      <a href="${session.cancel}">Cancelar</a></html>`);
    return;
  }
  if (session && req.method === 'POST') {
    try {
      await sendWebhook(session);
      res.writeHead(303, { location: session.success });
      res.end();
    } catch (e) {
      res.writeHead(500);
      res.end(String(e));
    }
    return;
  }
  res.writeHead(404);
  res.end('not found');
}).listen(port, '127.0.0.1');
