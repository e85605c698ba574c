// Screenshots of the omnichannel inbox (not a test): sends a signed WhatsApp message and a
// Messenger message to a portal started with META_APP_SECRET=meta-secret-e2e, then shows the
// agent console (desktop and phone width) and the customer's WhatsApp number form.
// node channels-shots.cjs <baseURL> <outdir>
const { chromium } = require('@playwright/test');
const crypto = require('crypto');
(async () => {
  const [base, out] = process.argv.slice(2);
  const post = async (path, body) => {
    const sig = 'sha256=' + crypto.createHmac('sha256', 'meta-secret-e2e').update(body).digest('hex');
    const res = await fetch(base + path, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig } });
    console.log(path, res.status, await res.text());
  };
  const now = Math.floor(Date.now() / 1000);
  await post('/api/v1/webhooks/whatsapp', JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    metadata: { phone_number_id: 'PN1' }, contacts: [{ profile: { name: 'Marta Rojas' }, wa_id: '50688887777' }],
    messages: [{ from: '50688887777', id: `wamid.shot.${now}`, timestamp: String(now), type: 'text', text: { body: 'Hola, el correo no me sincroniza en el celular' } }] } }] }] }));
  await post('/api/v1/webhooks/messenger', JSON.stringify({ object: 'page', entry: [{ id: 'P', messaging: [
    { sender: { id: '99887766554433' }, recipient: { id: 'P' }, timestamp: Date.now(), message: { mid: `m_shot_${now}`, text: '¿Atienden los sábados?' } }] }] }));
  await post('/api/v1/webhooks/whatsapp', JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    metadata: { phone_number_id: 'PN1' }, contacts: [{ profile: { name: 'Carlos' }, wa_id: '50660001234' }],
    messages: [{ from: '50660001234', id: `wamid.shot2.${now}`, timestamp: String(now), type: 'text', text: { body: 'Necesito una licencia más' } }] } }] }] }));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const signIn = async (viewport, email) => {
    const p = await (await browser.newContext({ viewport })).newPage();
    p.on('console', m => { if (m.type() === 'error') console.log(email, 'console:', m.text().slice(0, 300)); });
    p.on('pageerror', e => console.log(email, 'pageerror:', e.message.slice(0, 300)));
    await p.goto(base + '/ingresar'); await p.waitForSelector('body[data-hydrated="true"]');
    await p.fill('#email', email); await p.fill('#password', 'Demo-2026!');
    await p.click('button[type=submit]'); await p.waitForURL('**/panel');
    return p;
  };
  const agent = await signIn({ width: 1280, height: 900 }, 'admin@demo.test');
  await agent.goto(base + '/agente/chat'); await agent.waitForSelector('body[data-hydrated="true"]');
  await agent.waitForTimeout(800);
  await agent.screenshot({ path: `${out}/inbox-queue.png`, fullPage: true });
  await agent.getByTestId('queue-item').filter({ hasText: 'Marta Rojas' }).getByTestId('accept').click();
  await agent.getByTestId('conversation').waitFor();
  await agent.getByTestId('chat-input').fill('Hola Marta, ¿usa la app de Outlook?');
  await agent.getByTestId('chat-input').press('Enter');
  await agent.waitForTimeout(3500);
  await agent.screenshot({ path: `${out}/inbox-whatsapp.png`, fullPage: true });
  const phone = await signIn({ width: 360, height: 740 }, 'agente@demo.test');
  await phone.goto(base + '/agente/chat'); await phone.waitForSelector('body[data-hydrated="true"]');
  await phone.waitForTimeout(800);
  await phone.screenshot({ path: `${out}/inbox-mobile.png`, fullPage: true });
  const customer = await signIn({ width: 1280, height: 900 }, 'cliente@demo.test');
  await customer.goto(base + '/cuenta'); await customer.waitForSelector('body[data-hydrated="true"]');
  await customer.fill('input[name=phone]', 'abc');
  await customer.getByRole('button', { name: 'Guardar número' }).click();
  await customer.waitForTimeout(800);
  await customer.screenshot({ path: `${out}/account-phone-error.png`, fullPage: true });
  await browser.close();
})();
