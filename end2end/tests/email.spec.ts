import { expect, request as pwRequest } from '@playwright/test';
import { test, open, signIn } from './helpers';

// Email in the one inbox: a message to the support mailbox (here through the inbound-mail
// webhook) becomes a ticket, waits in the agent console next to the chats with an email tag,
// the agent answers it from the ticket, and the customer's emailed reply threads into it.

async function deliver(baseURL: string, raw: string) {
  const api = await pwRequest.newContext({ baseURL });
  const res = await api.post('/api/v1/webhooks/email', {
    data: raw,
    headers: { 'content-type': 'message/rfc822', authorization: 'Bearer mail-e2e' },
  });
  const out = { status: res.status(), body: await res.json().catch(() => null) };
  await api.dispose();
  return out;
}

function mail(from: string, subject: string, id: string, body: string) {
  return `From: ${from}\r\nTo: soporte@any2cloud.com\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;
}

test('an email becomes a ticket in the agent console and the customer\'s reply threads into it', async ({ browser, baseURL }) => {
  // A sender of its own per run (a retry starts over with a new one).
  const run = String(Date.now()).slice(-7);
  const name = `Ana Correo ${run}`;
  const from = `${name} <ana.${run}@gmail.com>`;
  const subject = `La VPN no conecta ${run}`;
  const first = await deliver(baseURL!, mail(from, subject, `vpn-${run}@gmail.com`, 'Desde ayer la VPN me rechaza la contraseña.'));
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ outcome: 'opened' });
  const id = first.body.ticket_id;
  // The mail server delivers it again: nothing new.
  expect((await deliver(baseURL!, mail(from, subject, `vpn-${run}@gmail.com`, 'Desde ayer la VPN me rechaza la contraseña.'))).body)
    .toMatchObject({ outcome: 'duplicate' });

  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, 'admin@demo.test');
  await expect(agent).toHaveURL(/\/panel$/);
  await open(agent, '/agente/chat');
  const item = agent.getByTestId('email-item').filter({ hasText: subject });
  await expect(item).toHaveCount(1);
  await expect(item.getByTestId('channel')).toHaveText('Correo');
  await expect(item).toContainText(name);

  // The queue tags it too.
  await open(agent, '/tickets');
  const row = agent.locator(`tr[data-ticket="${id}"]`);
  await expect(row.getByTestId('source')).toHaveText('Correo');

  // The agent answers from the ticket; the answer leaves by email and the console clears.
  await open(agent, `/tickets/${id}`);
  await expect(agent.getByRole('heading', { level: 1 })).toHaveText(subject);
  await expect(agent.locator('.ticket-body')).toContainText('la VPN me rechaza la contraseña');
  await agent.getByLabel('Responder').fill('Hola Ana, restablecimos su contraseña de la VPN.');
  await agent.getByRole('button', { name: 'Enviar' }).click();
  await expect(agent.getByTestId('thread')).toContainText('restablecimos su contraseña');
  await open(agent, '/agente/chat');
  await expect(agent.getByRole('heading', { name: /Correo por responder/ })).toBeVisible();
  await expect(agent.getByTestId('email-item').filter({ hasText: subject })).toHaveCount(0);

  // Ana answers that email: the reply (quote removed) lands in the same ticket.
  const number = `T-${String(id).padStart(5, '0')}`;
  const reply = await deliver(baseURL!, mail(from, `Re: [${number}] ${subject}`, `vpn-${run}-2@gmail.com`,
    `Ya funciona, gracias.\r\n\r\nEl jue, Soporte escribió:\r\n> restablecimos su contraseña`));
  expect(reply.body).toMatchObject({ outcome: 'replied', ticket_id: id });
  await open(agent, `/tickets/${id}`);
  await expect(agent.getByTestId('thread')).toContainText('Ya funciona, gracias.');
  await expect(agent.getByTestId('thread')).not.toContainText('Soporte escribió');
});
