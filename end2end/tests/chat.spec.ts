import { expect, Page } from '@playwright/test';
import { test, open, signIn, latestMailTo, linkIn } from './helpers';

// One agent's presence decides whether the widget offers a live chat, so these journeys run in
// order: first nobody is online (the visitor leaves a message), then the agent comes online.
test.describe.configure({ mode: 'serial' });

async function setPresence(agent: Page, label: string) {
  await agent.getByTestId('presence').selectOption({ label });
  await expect(agent.getByTestId('presence')).toHaveValue(label === 'En línea' ? 'online' : label === 'Ausente' ? 'away' : 'offline');
}

test('with no agent online, a visitor leaves a message that becomes a ticket', async ({ browser }) => {
  const visitorCtx = await browser.newContext();
  const visitor = await visitorCtx.newPage();
  await open(visitor, '/');
  await visitor.getByTestId('chat-launcher').click();
  const panel = visitor.getByTestId('chat-panel');
  await expect(panel.getByTestId('chat-after-hours')).toBeVisible();
  await expect(panel).toContainText(/no hay agentes disponibles|fuera de horario/);
  await panel.getByTestId('chat-name').fill('Valeria Visitante');
  const email = `valeria.${Date.now()}@visita.test`;
  await panel.getByTestId('chat-email').fill(email);
  await panel.getByTestId('chat-leave-body').fill('La impresora de recepción no imprime desde ayer');
  // Matching public articles are suggested while typing.
  await expect(panel.getByTestId('chat-suggestions')).toContainText('La impresora no imprime');
  await panel.getByTestId('chat-leave').click();
  await expect(panel.getByTestId('chat-left')).toContainText(/Número de ticket: T-\d+/);
  const number = (await panel.getByTestId('chat-left').locator('strong').textContent())!.trim();

  const agentCtx = await browser.newContext();
  const agent = await agentCtx.newPage();
  await signIn(agent, 'agente@demo.test');
  await expect(agent).toHaveURL(/\/panel$/);
  await open(agent, '/tickets');
  await expect(agent.getByText('Mensaje del chat: La impresora de recepción no imprime desde ayer')).toBeVisible();
  await expect(agent.getByText(number)).toBeVisible();

  // The address the visitor typed names nobody until it confirms: the mail carries no text of
  // theirs, and the link asks before it confirms (mail scanners open links).
  const adminCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  await signIn(admin, 'admin@demo.test');
  await expect(admin).toHaveURL(/\/panel$/);
  const confirmation = await latestMailTo(admin, email);
  expect(confirmation).toContain('chat de soporte de Any2cloud');
  expect(confirmation).not.toContain('impresora');
  await open(visitor, linkIn(confirmation));
  await expect(visitor.getByRole('heading', { name: 'Confirmar su correo' })).toBeVisible();
  await visitor.getByRole('button', { name: 'Confirmar mi correo' }).click();
  await expect(visitor.getByText('Listo: su correo quedó confirmado.')).toBeVisible();
  await adminCtx.close();
  await visitorCtx.close();
  await agentCtx.close();
});

test('customer and agent chat live, the network drops without losing a message, the chat becomes a ticket', async ({ browser }) => {
  test.setTimeout(120_000);
  const agentCtx = await browser.newContext();
  const agent = await agentCtx.newPage();
  await signIn(agent, 'agente@demo.test');
  await expect(agent).toHaveURL(/\/panel$/);
  await open(agent, '/agente/chat');
  await expect(agent.getByRole('heading', { name: 'Chat en vivo' })).toBeVisible();
  await setPresence(agent, 'En línea');

  const customerCtx = await browser.newContext();
  const customer = await customerCtx.newPage();
  // Otra Empresa's customer: the ticket this chat becomes must not show up in journeys that
  // expect Demo S.A. to start without tickets.
  await signIn(customer, 'cliente2@otra.test');
  await expect(customer).toHaveURL(/\/panel$/);
  await customer.getByTestId('chat-launcher').click();
  const panel = customer.getByTestId('chat-panel');
  // An empty first message starts nothing: the customer is asked for it first.
  await panel.getByTestId('chat-start').click();
  await expect(panel.getByTestId('chat-first-error')).toHaveText('Escriba su consulta para empezar el chat: así el agente sabe en qué ayudarle.');
  await expect(panel.getByTestId('chat-waiting')).toHaveCount(0);
  await panel.getByTestId('chat-first').fill('Hola, la impresora no imprime');
  await expect(panel.getByTestId('chat-first-error')).toHaveCount(0);
  await panel.getByTestId('chat-start').click();
  await expect(panel.getByTestId('chat-waiting')).toBeVisible();
  await expect(panel.locator('.msg.mine')).toContainText('Hola, la impresora no imprime');

  // The console hears about the new chat without a reload, with its wait time.
  const item = agent.getByTestId('queue-item').filter({ hasText: 'Olga Otra' });
  await expect(item).toBeVisible();
  await expect(item).toContainText('Espera:');
  await expect(agent).toHaveTitle(/^\(\d+\) Chat en vivo/);
  await item.getByTestId('accept').click();
  const convo = agent.getByTestId('conversation');
  await expect(convo).toContainText('Hola, la impresora no imprime');
  await expect(agent.getByTestId('customer-context')).toContainText('Otra Empresa S.R.L.');
  await expect(agent.getByTestId('customer-context')).toContainText('Estándar');
  await expect(panel.locator('.chat-agent')).toContainText('Andrés Agente');
  // The agent has read the customer's message.
  await expect(panel.locator('.msg.mine .receipt.read').first()).toBeVisible();

  // Typing indicators both ways.
  await panel.getByTestId('chat-input').pressSequentially('Es la del segundo piso');
  await expect(agent.getByTestId('chat-typing')).toContainText('Olga Otra está escribiendo…');
  await panel.getByTestId('chat-input').press('Enter');
  await expect(convo).toContainText('Es la del segundo piso');
  await convo.getByTestId('chat-input').pressSequentially('Reviso');
  await expect(panel.getByTestId('chat-typing')).toContainText('Andrés Agente está escribiendo…');
  // Emptying the box clears the indicator at once; typing then pausing lets it expire (5 s).
  await convo.getByTestId('chat-input').fill('');
  await expect(panel.getByTestId('chat-typing')).not.toContainText('escribiendo');
  await convo.getByTestId('chat-input').pressSequentially('Un momento');
  await expect(panel.getByTestId('chat-typing')).toContainText('Andrés Agente está escribiendo…');
  await expect(panel.getByTestId('chat-typing')).not.toContainText('escribiendo', { timeout: 9_000 });
  await convo.getByTestId('chat-input').fill('');

  // A canned response: "/saludo" + Enter expands it, Enter again sends it.
  await convo.getByTestId('chat-input').fill('/saludo');
  await convo.getByTestId('chat-input').press('Enter');
  await expect(convo.getByTestId('chat-input')).toHaveValue(/Gracias por escribir a Any2cloud/);
  await convo.getByTestId('chat-input').press('Enter');
  await expect(panel).toContainText('Gracias por escribir a Any2cloud');

  // An internal note never reaches the customer.
  await convo.getByTestId('chat-internal').check();
  await convo.getByTestId('chat-input').fill('Nota: revisar cola de impresión');
  await convo.getByTestId('chat-input').press('Enter');
  await expect(convo.locator('.msg.internal')).toContainText('revisar cola de impresión');
  await convo.getByTestId('chat-internal').uncheck();

  // The customer's network drops: the widget says so; messages typed meanwhile wait.
  await customerCtx.setOffline(true);
  await expect(panel.getByTestId('chat-link')).toContainText('Sin conexión');
  for (const text of ['Primero reinicie la impresora', 'Luego imprima una página de prueba']) {
    await convo.getByTestId('chat-input').fill(text);
    await convo.getByTestId('chat-input').press('Enter');
    await expect(convo.locator('.msg.mine').filter({ hasText: text })).toHaveCount(1);
  }
  await panel.getByTestId('chat-input').fill('Sigo aquí');
  await panel.getByTestId('chat-input').press('Enter');
  await expect(panel.getByTestId('chat-pending')).toContainText('Sin enviar');
  // Back online: it reconnects, catches up, and sends what waited, each exactly once.
  await customerCtx.setOffline(false);
  await expect(panel.getByTestId('chat-link')).toHaveCount(0, { timeout: 20_000 });
  await expect(panel.getByTestId('chat-pending')).toHaveCount(0);
  for (const text of ['Primero reinicie la impresora', 'Luego imprima una página de prueba']) {
    await expect(panel.locator('.msg.theirs').filter({ hasText: text })).toHaveCount(1);
  }
  await expect(convo.locator('.msg.theirs').filter({ hasText: 'Sigo aquí' })).toHaveCount(1);
  await expect(panel.locator('.msg.mine').filter({ hasText: 'Sigo aquí' })).toHaveCount(1);
  await expect(panel).not.toContainText('revisar cola de impresión');
  // Ids are strictly increasing, with no duplicates, on both sides.
  for (const side of [panel, convo]) {
    const ids = (await side.locator('[data-testid="chat-message"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id')))));
    expect(ids.length).toBeGreaterThan(5);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  }

  // The agent turns the chat into a ticket with the transcript, then ends it.
  await agent.getByTestId('to-ticket').click();
  const link = agent.getByTestId('chat-ticket-link');
  await expect(link).toBeVisible();
  await expect(convo).toContainText('Se creó el ticket T-');
  await agent.getByTestId('close-chat').click();
  await expect(panel.getByTestId('chat-ended')).toBeVisible();
  await panel.getByTestId('chat-star-5').check({ force: true });
  await panel.getByTestId('chat-rate').click();
  await expect(panel.getByTestId('chat-rated')).toBeVisible();
  await panel.getByTestId('chat-transcript').click();
  await expect(panel.getByTestId('chat-transcript-sent')).toBeVisible();

  await link.click();
  await expect(agent).toHaveURL(/\/tickets\/\d+$/);
  await expect(agent.locator('.ticket-body')).toContainText('Hola, la impresora no imprime');
  await expect(agent.locator('.ticket-body')).toContainText('Sigo aquí');
  await expect(agent.locator('.ticket-body')).not.toContainText('revisar cola de impresión');

  await open(agent, '/agente/chat');
  await setPresence(agent, 'Desconectado');
  await customerCtx.close();
  await agentCtx.close();
});

test('the transcript email and the canned responses admin', async ({ browser }) => {
  const ctx = await browser.newContext();
  const admin = await ctx.newPage();
  await signIn(admin, 'admin@demo.test');
  await expect(admin).toHaveURL(/\/panel$/);
  const mail = await latestMailTo(admin, 'cliente2@otra.test');
  expect(mail).toContain('transcripción');
  expect(mail).toContain('Hola, la impresora no imprime');
  expect(mail).not.toContain('revisar cola de impresión');

  await open(admin, '/admin/respuestas');
  await expect(admin.getByTestId('canned-table')).toContainText('/saludo');
  await admin.getByTestId('canned-shortcut').fill('Mal Atajo');
  await admin.getByTestId('canned-title').fill('Prueba');
  await admin.getByTestId('canned-body').fill('Texto');
  await admin.getByTestId('canned-save').click();
  await expect(admin.getByRole('alert')).toContainText('El atajo debe tener');
  await admin.getByTestId('canned-shortcut').fill('vpn-casa');
  await admin.getByTestId('canned-save').click();
  await expect(admin.getByTestId('canned-table')).toContainText('/vpn-casa');
  await ctx.close();
});
