import { expect, request as pwRequest } from '@playwright/test';
import * as crypto from 'crypto';
import { test, open, signIn } from './helpers';

// An agent answers a WhatsApp conversation from the portal: the customer's message arrives by
// Meta's signed webhook, the reply leaves through the (fake, loopback) Graph API, and the
// delivery reports show up live.
const appSecret = 'meta-secret-e2e';
const graph = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3111) + 2}`;

function whatsapp(value: object) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '50663036361', phone_number_id: 'PN-E2E' }, ...value } }] }] });
}

/** Delivers `body` to the portal signed as Meta would sign `signed`. */
async function deliver(baseURL: string, body: string, signed = body) {
  const api = await pwRequest.newContext({ baseURL });
  const signature = 'sha256=' + crypto.createHmac('sha256', appSecret).update(signed).digest('hex');
  const res = await api.post('/api/v1/webhooks/whatsapp', { data: body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } });
  const out = { status: res.status(), body: await res.json().catch(() => null) };
  await api.dispose();
  return out;
}

/** The contact's WhatsApp profile name: unique per run, like the number. */
const nameOf = (phone: string) => `Marta ${phone.slice(-5)}`;

function text(phone: string, id: string, body: string) {
  return whatsapp({ contacts: [{ profile: { name: nameOf(phone) }, wa_id: phone }],
    messages: [{ from: phone, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body } }] });
}

test('an agent answers a WhatsApp conversation and sees it delivered and read', async ({ browser, baseURL }) => {
  // A number of its own per run, so a retry starts a conversation of its own.
  const phone = `5068${String(Date.now()).slice(-7)}`;
  const display = `+506 ${phone.slice(3, 7)} ${phone.slice(7)}`;
  const hello = text(phone, `wamid.in.${phone}.1`, 'Hola, el correo no me sincroniza en el celular');

  // A forged delivery is refused; the real one is stored once however often Meta retries it.
  expect((await deliver(baseURL!, hello.replace('celular', 'teléfono'), hello)).status).toBe(400);
  expect((await deliver(baseURL!, hello)).body).toMatchObject({ stored: 1 });
  expect((await deliver(baseURL!, hello)).body).toMatchObject({ stored: 0, duplicates: 1 });

  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, 'admin@demo.test');
  await expect(agent).toHaveURL(/\/panel$/);
  await open(agent, '/agente/chat');
  const item = agent.getByTestId('queue-item').filter({ hasText: nameOf(phone) });
  await expect(item).toHaveCount(1);
  await expect(item.getByTestId('channel')).toHaveText('WhatsApp');
  await item.getByTestId('accept').click();

  const convo = agent.getByTestId('conversation');
  await expect(convo.locator('.msg.theirs')).toContainText('el correo no me sincroniza en el celular');
  await expect(agent.getByTestId('contact')).toContainText(display);
  await expect(agent.getByTestId('reply-window')).toHaveAttribute('data-open', 'true');
  await expect(agent.getByTestId('reply-window')).toContainText('Puede responder hasta el');

  // The reply: stored, sent through the Graph API to that number, marked "Enviado".
  const reply = 'Hola Marta, ¿usa la app de Outlook o la de Gmail?';
  await convo.getByTestId('chat-input').fill(reply);
  await convo.getByTestId('chat-input').press('Enter');
  const mine = convo.locator('.msg.mine').filter({ hasText: reply });
  await expect(mine).toHaveCount(1);
  await expect(mine.getByTestId('delivery')).toHaveAttribute('data-delivery', 'sent', { timeout: 15_000 });
  await expect(mine.getByTestId('delivery')).toContainText('Enviado');
  const api = await pwRequest.newContext();
  const sent: { account: string; body: { to: string; text: { body: string } } }[] = await (await api.get(`${graph}/sent`)).json();
  const index = sent.findIndex((s) => s.body.to === phone);
  expect(index).toBeGreaterThanOrEqual(0);
  expect(sent[index]).toMatchObject({ account: 'PN-E2E', body: { text: { body: reply } } });
  expect(sent.filter((s) => s.body.to === phone)).toHaveLength(1);
  await api.dispose();

  // WhatsApp reports it delivered, then read: the agent sees it change without reloading.
  const status = (s: string) => whatsapp({ statuses: [{ id: `wamid.E2E${index + 1}`, status: s, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: phone }] });
  expect((await deliver(baseURL!, status('delivered'))).status).toBe(200);
  await expect(mine.getByTestId('delivery')).toHaveAttribute('data-delivery', 'delivered');
  expect((await deliver(baseURL!, status('read'))).status).toBe(200);
  await expect(mine.getByTestId('delivery')).toHaveAttribute('data-delivery', 'read');
  await expect(mine.getByTestId('delivery')).toContainText('Leído');

  // The customer answers on WhatsApp: it appears in the open conversation live.
  expect((await deliver(baseURL!, text(phone, `wamid.in.${phone}.2`, 'Uso Outlook'))).status).toBe(200);
  await expect(convo.locator('.msg.theirs').filter({ hasText: 'Uso Outlook' })).toHaveCount(1);
});

test('a customer proves their WhatsApp number with the code sent to it, and their conversations carry their plan', async ({ browser, baseURL }) => {
  const customer = await (await browser.newContext()).newPage();
  await signIn(customer, 'cliente@demo.test');
  await expect(customer).toHaveURL(/\/panel$/);
  await open(customer, '/cuenta');
  const form = customer.getByTestId('phone-form');
  await form.getByLabel('WhatsApp (con código de país)').fill('llámeme');
  await form.getByRole('button', { name: 'Guardar número' }).click();
  await expect(form.locator('[data-code="phone_invalid"]')).toContainText('código de país');
  await expect(form.getByLabel('WhatsApp (con código de país)')).toHaveValue('llámeme');
  // A new number of this run: a code goes to it over WhatsApp; nothing is linked yet.
  const phone = `5067${String(Date.now()).slice(-7)}`;
  await form.getByLabel('WhatsApp (con código de país)').fill(`+${phone}`);
  await form.getByRole('button', { name: 'Guardar número' }).click();
  await expect(customer.getByTestId('phone-code-sent')).toContainText(`+506 ${phone.slice(3, 7)} ${phone.slice(7)}`);
  const api = await pwRequest.newContext();
  const sent: { account: string; body: { to: string; type: string; template?: { components: { parameters: { text: string }[] }[] } } }[] =
    await (await api.get(`${graph}/sent`)).json();
  await api.dispose();
  const code = sent.filter((s) => s.body.to === phone && s.body.type === 'template').pop()?.body.template?.components[0].parameters[0].text;
  expect(code).toMatch(/^\d{6}$/);
  const codeForm = customer.getByTestId('phone-code-form');
  await codeForm.getByLabel('Código recibido por WhatsApp').fill(code === '000000' ? '111111' : '000000');
  await codeForm.getByRole('button', { name: 'Verificar número' }).click();
  await expect(codeForm.locator('[data-code="code_invalid"]')).toContainText('no es válido');
  await codeForm.getByLabel('Código recibido por WhatsApp').fill(code!);
  await codeForm.getByRole('button', { name: 'Verificar número' }).click();
  await expect(customer.getByTestId('phone-saved')).toContainText(`+506 ${phone.slice(3, 7)} ${phone.slice(7)}`);

  const note = `Necesito una licencia más (${Date.now()})`;
  expect((await deliver(baseURL!, text(phone, `wamid.known.${Date.now()}`, note))).status).toBe(200);
  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, 'admin@demo.test');
  await expect(agent).toHaveURL(/\/panel$/);
  await open(agent, '/agente/chat');
  const item = agent.getByTestId('queue-item').filter({ hasText: note });
  await expect(item).toContainText('Carlos Cliente');
  await expect(item).toContainText('Demo S.A.');
  await expect(item.getByTestId('channel')).toHaveText('WhatsApp');
});
