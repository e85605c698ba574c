import { test, expect, request as pwRequest, Page } from '@playwright/test';
import { DEMO_PASSWORD, open, signIn } from './helpers';

// One story in order: Demo S.A. asks for a change with no hours, buys SC Básico by card (fake
// Stripe on loopback, fulfilled by the signed webhook) and SC Medio by transfer (confirmed by an
// admin), approves the estimate, and the agent's work is paid by the purchase expiring first.
test.describe.configure({ mode: 'serial' });

async function apiToken(baseURL: string, email: string) {
  const api = await pwRequest.newContext({ baseURL });
  const auth = await (await api.post('/api/v1/auth/token', { data: { email, password: DEMO_PASSWORD } })).json();
  return { api, token: auth.token as string };
}

async function hoursOf(baseURL: string) {
  const { api, token } = await apiToken(baseURL, 'cliente@demo.test');
  const res = await api.get('/api/v1/hours', { headers: { authorization: `Bearer ${token}` } });
  expect(res.ok()).toBeTruthy();
  const body = await res.json();
  await api.dispose();
  return body;
}

function inAYear(): string {
  // The expiry is the payment date + 12 months, shown as a Costa Rica date.
  const now = new Date(Date.now() - 6 * 3_600_000);
  const d = new Date(Date.UTC(now.getUTCFullYear() + 1, now.getUTCMonth(), now.getUTCDate()));
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}

let changeUrl = '';

test('a customer asks for a change and cannot approve it without hours', async ({ browser }) => {
  const customer = await (await browser.newContext()).newPage();
  await signIn(customer, 'cliente@demo.test');
  await expect(customer).toHaveURL(/\/panel$/);
  await open(customer, '/horas');
  await expect(customer.getByTestId('balance')).toHaveText('0 min');
  await expect(customer.getByTestId('no-purchases')).toBeVisible();
  await open(customer, '/cambios');
  await expect(customer.getByTestId('changes-empty')).toBeVisible();
  // Bad input: a desired date in the past is refused in Spanish, nothing is lost.
  await customer.getByLabel('Título').fill('Buzón compartido para ventas');
  await customer.getByLabel('Descripción').fill('Crear ventas@demo.test con acceso para 5 personas.');
  await customer.getByLabel('Proyecto').selectOption({ label: 'Implementación de Microsoft 365' });
  await customer.getByLabel('Fecha deseada').fill('2020-01-01');
  await customer.getByRole('button', { name: 'Enviar solicitud' }).click();
  await expect(customer.locator('[data-code="date_invalid"]')).toBeVisible();
  await expect(customer.getByLabel('Título')).toHaveValue('Buzón compartido para ventas');
  await customer.getByLabel('Fecha deseada').fill('');
  await customer.getByRole('button', { name: 'Enviar solicitud' }).click();
  await expect(customer).toHaveURL(/\/cambios\/\d+$/);
  await expect(customer.getByTestId('cr-status')).toHaveText('Solicitada');
  changeUrl = new URL(customer.url()).pathname;

  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, 'agente@demo.test');
  await expect(agent).toHaveURL(/\/panel$/);
  await open(agent, '/cambios');
  await agent.getByRole('link', { name: 'Buzón compartido para ventas' }).click();
  await expect(agent.getByTestId('cr-status')).toHaveText('Solicitada');
  await agent.getByLabel('Horas estimadas en total (p. ej. 2, 2:30)').fill('dos horas');
  await agent.getByRole('button', { name: 'Enviar estimación al cliente' }).click();
  await expect(agent.locator('[data-code="minutes_invalid"]')).toBeVisible();
  await agent.getByLabel('Horas estimadas en total (p. ej. 2, 2:30)').fill('2:30');
  await agent.getByLabel('Riesgo').selectOption('medio');
  await agent.getByLabel('Alcance').fill('Buzón, licencias y permisos de envío.');
  await agent.getByRole('button', { name: 'Enviar estimación al cliente' }).click();
  await expect(agent.getByTestId('cr-status')).toHaveText('Esperando su aprobación');
  await expect(agent.getByTestId('cr-estimate')).toHaveText('2 h 30 min');

  await open(customer, changeUrl);
  await expect(customer.getByTestId('cr-risk')).toHaveText('Medio');
  await expect(customer.getByTestId('short')).toContainText('Su saldo no alcanza');
  await customer.getByTestId('approve').click();
  await expect(customer.locator('[data-code="balance_short"]')).toContainText('Compre un paquete de horas en la tienda');
  await expect(customer.getByTestId('cr-status')).toHaveText('Esperando su aprobación');
  await customer.context().close();
  await agent.context().close();
});

test('a customer buys SC Básico by card and sees 10 h valid for a year', async ({ page, baseURL }) => {
  await signIn(page, 'cliente@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, '/tienda');
  const basic = page.getByTestId('package-sc-basico');
  await expect(basic).toContainText('US$900');
  await expect(basic).toContainText('US$90');
  await expect(page.getByTestId('package-sc-avanzado')).toContainText('US$81.67');
  await expect(page.getByTestId('comparison')).toContainText('SC Medio');
  await basic.getByRole('button', { name: 'Pagar con tarjeta' }).click();
  // The (fake) Stripe Checkout page, then back to the receipt once the webhook credited it.
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/pay\/cs_test_e2e_\d+/);
  await expect(page.getByText('US$900.00')).toBeVisible();
  await page.getByRole('button', { name: 'Pagar' }).click();
  await expect(page).toHaveURL(/\/tienda\/pedidos\/\d+\?pago=ok$/);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached({ timeout: 30_000 });
  await expect(page.getByTestId('order-status')).toHaveText('Pagado');
  await expect(page.getByTestId('order-hours')).toHaveText('10 h');
  await expect(page.getByTestId('order-amount')).toHaveText('US$900 (USD)');
  await expect(page.getByTestId('order-expires')).toHaveText(inAYear());

  await open(page, '/horas');
  await expect(page.getByTestId('balance')).toHaveText('10 h');
  await expect(page.getByTestId('lot-expires').first()).toContainText(inAYear());
  const hours = await hoursOf(baseURL!);
  expect(hours.balance_minutes).toBe(600);
  expect(hours.purchases).toHaveLength(1);
});

test('a customer buys SC Medio by transfer and an admin confirms it', async ({ browser, baseURL }) => {
  const customer = await (await browser.newContext()).newPage();
  await signIn(customer, 'cliente@demo.test');
  await expect(customer).toHaveURL(/\/panel$/);
  await open(customer, '/tienda');
  await customer.getByTestId('package-sc-medio').getByRole('button', { name: 'Pagar por transferencia / SINPE' }).click();
  await expect(customer).toHaveURL(/\/tienda\/pedidos\/\d+$/);
  await expect(customer.getByTestId('order-status')).toHaveText('Pendiente de pago');
  await expect(customer.getByTestId('transfer-instructions')).toContainText('SINPE Móvil');
  const reference = (await customer.getByTestId('reference').textContent())!.trim();
  expect(reference).toMatch(/^SC-\d{5}$/);
  const receiptPath = new URL(customer.url()).pathname;

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin@demo.test');
  await expect(admin).toHaveURL(/\/panel$/);
  await open(admin, '/admin/tienda');
  await expect(admin.getByTestId(`order-${reference}`)).toContainText('Pendiente de pago');
  await admin.getByTestId(`order-${reference}`).getByRole('link', { name: reference }).click();
  await expect(admin).toHaveURL(new RegExp(`${receiptPath}$`));
  await admin.getByTestId('confirm-transfer').click();
  await expect(admin.getByTestId('order-status')).toHaveText('Pagado');

  await open(customer, receiptPath);
  await expect(customer.getByTestId('order-status')).toHaveText('Pagado');
  await open(customer, '/horas');
  await expect(customer.getByTestId('balance')).toHaveText('30 h');
  await expect(customer.getByTestId('lot')).toHaveCount(2);
  expect((await hoursOf(baseURL!)).balance_minutes).toBe(1800);
  await customer.context().close();
  await admin.context().close();
});

test('the customer approves, the agent logs work and the oldest purchase pays', async ({ browser, baseURL }) => {
  const customer = await (await browser.newContext()).newPage();
  await signIn(customer, 'cliente@demo.test');
  await expect(customer).toHaveURL(/\/panel$/);
  await open(customer, changeUrl);
  await customer.getByTestId('approve').click();
  await expect(customer.getByTestId('cr-status')).toHaveText('Aprobada');
  await expect(customer.getByTestId('cr-approved')).toHaveText('2 h 30 min');

  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, 'agente@demo.test');
  await expect(agent).toHaveURL(/\/panel$/);
  await open(agent, changeUrl);
  await agent.getByLabel('Tiempo (p. ej. 1:30, 45 min)').fill('3');
  await agent.getByLabel('Nota').fill('Buzón y licencias');
  await agent.getByRole('button', { name: 'Registrar y descontar' }).click();
  await expect(agent.locator('[data-code="over_estimate"]')).toBeVisible();
  await expect(agent.getByTestId('cr-used')).toHaveText('0 min');
  await agent.getByLabel('Tiempo (p. ej. 1:30, 45 min)').fill('1:30');
  await agent.getByRole('button', { name: 'Registrar y descontar' }).click();
  await expect(agent.getByTestId('cr-status')).toHaveText('En curso');
  await expect(agent.getByTestId('cr-used')).toHaveText('1 h 30 min');
  await expect(agent.getByTestId('cr-history')).toContainText('Trabajo registrado');

  await open(customer, '/horas');
  await expect(customer.getByTestId('balance')).toHaveText('28 h 30 min');
  // The card purchase (paid first, so it expires first) paid for the work.
  await expect(customer.getByTestId('lot-remaining')).toHaveText(['8 h 30 min', '20 h']);
  await expect(customer.getByTestId('ledger')).toContainText('Buzón y licencias');
  const hours = await hoursOf(baseURL!);
  expect(hours.balance_minutes).toBe(1710);
  expect(hours.purchases.map((p: { remaining_minutes: number }) => p.remaining_minutes)).toEqual([510, 1200]);

  // The project page lists the request.
  await open(customer, '/proyectos');
  await customer.getByRole('link', { name: 'Implementación de Microsoft 365' }).click();
  await expect(customer.getByTestId('project-change-requests')).toContainText('Buzón compartido para ventas');
  await customer.context().close();
  await agent.context().close();
});
