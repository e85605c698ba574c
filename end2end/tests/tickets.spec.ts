import { expect, request as pwRequest } from '@playwright/test';
import { test, DEMO_PASSWORD, open, signIn } from './helpers';

async function apiTicket(baseURL: string, email: string, id: string) {
  const api = await pwRequest.newContext({ baseURL });
  const auth = await (await api.post('/api/v1/auth/token', { data: { email, password: DEMO_PASSWORD } })).json();
  const res = await api.get(`/api/v1/tickets/${id}`, { headers: { authorization: `Bearer ${auth.token}` } });
  expect(res.ok()).toBeTruthy();
  const body = await res.json();
  await api.dispose();
  return body;
}

test('customer opens a ticket, watches the countdown, agent answers on time', async ({ browser, baseURL }, testInfo) => {
  const customerCtx = await browser.newContext();
  const customer = await customerCtx.newPage();
  await signIn(customer, 'cliente@demo.test');
  await expect(customer).toHaveURL(/\/panel$/);
  await open(customer, '/tickets');
  // The demo customer starts without tickets; a retry finds the first attempt's ticket.
  if (testInfo.retry === 0) {
    await expect(customer.getByText('Todavía no ha abierto tickets')).toBeVisible();
  }
  await customer.getByRole('link', { name: 'Nuevo ticket' }).click();
  await expect(customer.getByRole('heading', { name: 'Abrir un ticket' })).toBeVisible();

  const subject = `Correo caído ${Date.now()}`;
  await customer.getByLabel('Asunto').fill(subject);
  await customer.getByLabel('Tipo de solicitud').selectOption('incident');
  await customer.getByLabel('Prioridad').selectOption('high');
  await expect(customer.getByTestId('due-preview')).toContainText('Respuesta a más tardar:');
  await customer.getByLabel('Descripción').fill('Nadie en la oficina **recibe** correos desde las 8.');
  await customer.getByRole('button', { name: 'Abrir ticket' }).click();
  await expect(customer).toHaveURL(/\/tickets\/\d+$/);
  await expect(customer.getByRole('heading', { level: 1 })).toHaveText(subject);
  await expect(customer.getByTestId('status')).toHaveText('Nuevo');
  await expect(customer.locator('.ticket-body strong')).toHaveText('recibe');
  const id = customer.url().split('/').pop()!;

  // Freeze the browser clock shortly before the deadline; every state is computed in the browser.
  const ticket = await apiTicket(baseURL!, 'cliente@demo.test', id);
  const due = new Date(ticket.first_response_due).getTime();
  const clockPage = await customerCtx.newPage();
  const badge = clockPage.getByTestId('sla');
  // Costa Rica is UTC-6 all year; business days open at 08:00.
  const crOffset = -6 * 3_600_000;
  const dueLocal = new Date(due + crOffset);
  const opening =
    Date.UTC(dueLocal.getUTCFullYear(), dueLocal.getUTCMonth(), dueLocal.getUTCDate(), 8) - crOffset;
  if (due - opening >= 100_000) {
    // 90 s before the deadline the badge is amber and ticks each second.
    await clockPage.clock.install({ time: due - 100_000 });
    await open(clockPage, `/tickets/${id}`);
    await clockPage.clock.pauseAt(due - 90_000);
    await expect(badge).toHaveAttribute('data-state', 'AtRisk');
    await expect(badge).toHaveClass(/at-risk/);
    await expect(badge).toHaveText(/^Quedan 1 min (29|30|31) s$/);
    await clockPage.clock.runFor(3_000);
    await expect(badge).toHaveText(/^Quedan 1 min (26|27|28) s$/);
  } else {
    // The deadline falls in the first seconds of a business day (the ticket came in just before
    // a closing): before the opening the countdown is paused with exactly that time left, then
    // it runs from 08:00.
    const left = Math.floor((due - opening) / 1000);
    const secs = (n: number) => `(${[n - 1, n, n + 1].filter((v) => v >= 0).map((v) => String(v).padStart(2, '0')).join('|')})`;
    await clockPage.clock.install({ time: opening - 70_000 });
    await open(clockPage, `/tickets/${id}`);
    await clockPage.clock.pauseAt(opening - 60_000);
    await expect(badge).toHaveAttribute('data-state', 'AtRisk');
    await expect(badge).toHaveClass(/at-risk/);
    await expect(badge).toHaveText(new RegExp(`^Quedan 0 min ${secs(left)} s \\(en pausa fuera de horario hábil\\)$`));
    if (left >= 6) {
      await clockPage.clock.runFor(63_000);
      await expect(badge).toHaveText(new RegExp(`^Quedan 0 min ${secs(left - 3)} s$`));
    }
  }
  await clockPage.clock.runFor(125_000);
  await expect(badge).toHaveClass(/breached/);
  await expect(badge).toHaveAttribute('data-state', 'Breached');
  await expect(badge).toContainText('Vencido');
  await clockPage.close();

  // The agent finds it in the queue and answers publicly.
  const agentCtx = await browser.newContext();
  const agent = await agentCtx.newPage();
  await signIn(agent, 'agente@demo.test');
  await expect(agent).toHaveURL(/\/panel$/);
  await open(agent, '/tickets');
  await expect(agent.getByRole('heading', { name: 'Cola de atención' })).toBeVisible();
  await agent.getByRole('link', { name: subject }).click();
  await expect(agent.getByRole('heading', { level: 1 })).toHaveText(subject);
  await agent.getByLabel('Responder').fill('Ya estamos revisando el servidor de correo.');
  await agent.getByRole('button', { name: 'Enviar' }).click();
  await expect(agent.getByTestId('thread')).toContainText('Ya estamos revisando el servidor de correo.');
  // A sent reply leaves the box empty, so it is not sent twice.
  await expect(agent.getByLabel('Responder')).toHaveValue('');
  await expect(agent.getByTestId('sla')).toHaveText(/^Respondido a tiempo · \S+ \d+ \S+, \d\d:\d\d$/);

  // The customer sees the answer and the SLA outcome.
  await open(customer, `/tickets/${id}`);
  await expect(customer.getByTestId('sla')).toHaveText(/^Respondido a tiempo · \S+ \d+ \S+, \d\d:\d\d$/);
  await expect(customer.getByTestId('status')).toHaveText('Abierto');
  await expect(customer.getByTestId('thread')).toContainText('Ya estamos revisando');
  await customer.getByLabel('Responder').fill('Gracias, quedo atento.');
  await customer.getByRole('button', { name: 'Enviar' }).click();
  await expect(customer.getByTestId('thread')).toContainText('Gracias, quedo atento.');
  await expect(customer.getByLabel('Responder')).toHaveValue('');
  await customerCtx.close();
  await agentCtx.close();
});

test('a maintenance ticket cannot be Alta', async ({ page }) => {
  await signIn(page, 'cliente2@otra.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, '/tickets/nuevo');
  const priority = page.getByLabel('Prioridad');
  await page.getByLabel('Tipo de solicitud').selectOption('incident');
  await priority.selectOption('high');
  await page.getByLabel('Tipo de solicitud').selectOption('maintenance');
  await expect(priority).toHaveValue('normal');
  await expect(priority.locator('option[value="high"]')).toBeDisabled();
  await expect(priority.locator('option[value="medium"]')).toBeDisabled();
  await expect(page.getByText('Solo las fallas directas (incidentes) pueden ser Alta o Media.')).toBeVisible();
  // Estándar plan: remote support only.
  await expect(page.getByText('Su plan Estándar incluye solo soporte remoto.')).toBeVisible();
});

test('customer attaches a log file; an executable is refused with a clear message', async ({ page }) => {
  await signIn(page, 'cliente@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, '/tickets/nuevo');
  await page.getByLabel('Asunto').fill(`Adjuntos ${Date.now()}`);
  await page.getByLabel('Tipo de solicitud').selectOption('question');
  await page.getByLabel('Descripción').fill('Adjunto el registro.');
  await page.getByRole('button', { name: 'Abrir ticket' }).click();
  await expect(page).toHaveURL(/\/tickets\/\d+$/);
  await expect(page.getByText('Sin adjuntos.')).toBeVisible();

  const form = page.getByTestId('upload-form');
  await form.locator('input[type=file]').setInputFiles({ name: 'servidor.log', mimeType: 'text/plain', buffer: Buffer.from('ERROR 08:01 disco lleno\n') });
  await form.getByRole('button', { name: 'Adjuntar archivo' }).click();
  await expect(page.getByTestId('attachments')).toContainText('servidor.log');

  await form.locator('input[type=file]').setInputFiles({ name: 'instalar.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00binary') });
  await form.getByRole('button', { name: 'Adjuntar archivo' }).click();
  await expect(page.getByRole('alert')).toContainText('Ese tipo de archivo no se acepta.');
  await expect(page.getByTestId('attachments').locator('li')).toHaveCount(1);

  const download = page.waitForEvent('download');
  await page.getByTestId('attachments').getByRole('link', { name: 'servidor.log' }).click();
  expect((await download).suggestedFilename()).toBe('servidor.log');

  // Closing asks once, then the badge shows the outcome, never a running countdown.
  await expect(page.getByTestId('sla')).toContainText('Quedan');
  await page.getByTestId('close-ticket').click();
  await expect(page.getByRole('group', { name: 'Cerrar ticket' })).toContainText('puede reabrirlo');
  await page.getByTestId('close-ticket-yes').click();
  await expect(page.getByTestId('status')).toHaveText('Cerrado');
  await expect(page.getByTestId('sla')).toHaveText('Cerrado sin respuesta, antes del plazo');
  await expect(page.getByTestId('sla')).not.toContainText('Quedan');
});

test('the agent reloads the queue: served from the cache, still live, new tickets at once', async ({ browser, baseURL }) => {
  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, 'agente@demo.test');
  await expect(agent).toHaveURL(/\/panel$/);
  await open(agent, '/tickets');
  await expect(agent.getByRole('heading', { name: 'Cola de atención' })).toBeVisible();

  // Reloading serves the page kept for this session (other journeys writing at the same time
  // may drop it once or twice), and the kept page hydrates like a rendered one.
  await expect.poll(async () => (await agent.reload())?.headers()['x-cache'], { timeout: 20_000 }).toBe('hit');
  await expect(agent.locator('body[data-hydrated="true"]')).toBeAttached({ timeout: 30_000 });
  await expect(agent.getByTestId('filters')).toBeVisible();

  // A customer of another organisation opens a ticket: the next reload renders it.
  const subject = `Pantalla azul en recepción ${Date.now()}`;
  const api = await pwRequest.newContext({ baseURL });
  const auth = await (await api.post('/api/v1/auth/token', { data: { email: 'cliente2@otra.test', password: DEMO_PASSWORD } })).json();
  const created = await api.post('/api/v1/tickets', {
    headers: { authorization: `Bearer ${auth.token}` },
    data: { subject, body: 'Se reinicia sola desde esta mañana.', kind: 'incident', priority: 'media' },
  });
  expect(created.status()).toBe(201);
  await api.dispose();
  const fresh = await agent.reload();
  expect(fresh?.headers()['x-cache']).toBeUndefined();
  await expect(agent.locator('body[data-hydrated="true"]')).toBeAttached({ timeout: 30_000 });
  const link = agent.getByRole('link', { name: subject });
  await expect(link).toBeVisible();
  await link.click();
  await expect(agent).toHaveURL(/\/tickets\/\d+$/);
  await expect(agent.getByRole('heading', { level: 1 })).toHaveText(subject);
});

// Before the page's script has loaded (a slow connection) the form is an ordinary POST.
test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a customer opens a ticket: a blank subject is refused in Spanish, then the ticket opens', async ({ page }) => {
    await page.goto('/ingresar');
    await page.getByLabel('Correo electrónico').fill('cliente2@otra.test');
    await page.getByLabel('Contraseña').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await expect(page).toHaveURL(/\/panel$/);
    await page.goto('/tickets/nuevo');
    await page.getByLabel('Asunto').fill('   ');
    await page.getByLabel('Descripción').fill('   ');
    await page.getByRole('button', { name: 'Abrir ticket' }).click();
    await expect(page.getByRole('alert')).toHaveText('Escriba un asunto (máximo 200 caracteres).');
    const subject = `Sin JavaScript ${Date.now()}`;
    await page.getByLabel('Asunto').fill(subject);
    await page.getByLabel('Descripción').fill('La impresora no responde desde esta mañana.');
    await page.getByRole('button', { name: 'Abrir ticket' }).click();
    await expect(page).toHaveURL(/\/tickets\/\d+$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(subject);
  });
});

test('ticket lists: cards with the countdown first on a phone, the whole queue at 1366 px', async ({ browser, page }) => {
  // Another organisation's customer: the demo customer's first journey starts without tickets.
  const auth = await (await page.request.post('/api/v1/auth/token', { data: { email: 'cliente2@otra.test', password: 'Demo-2026!' } })).json();
  const created = await page.request.post('/api/v1/tickets', {
    headers: { authorization: `Bearer ${auth.token}` },
    data: { subject: `Pantalla del teléfono ${Date.now()}`, body: 'La VPN se desconecta cada hora.', kind: 'incident', priority: 'high' },
  });
  expect(created.status()).toBe(201);
  const id = (await created.json()).id;

  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, 'cliente2@otra.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, '/tickets');
  const card = page.locator(`tr[data-ticket="${id}"]`);
  const sla = await card.getByTestId('sla').boundingBox();
  const subject = await card.locator('.t-subject').boundingBox();
  expect(sla!.x + sla!.width).toBeLessThanOrEqual(390);
  expect(sla!.y).toBeLessThan(subject!.y);
  // Nothing scrolls sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  const agentCtx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const agent = await agentCtx.newPage();
  await signIn(agent, 'agente@demo.test');
  await expect(agent).toHaveURL(/\/panel$/);
  await open(agent, '/tickets');
  const wrap = agent.locator('.table-wrap').first();
  const fits = await wrap.evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
  expect(fits, 'the queue table fits without scrolling sideways').toBe(true);
  await expect(agent.getByRole('columnheader', { name: 'Asignado a' })).toBeInViewport();
  await agentCtx.close();
});
