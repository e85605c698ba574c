import { expect } from '@playwright/test';
import { test, signIn } from './helpers';

test('the customer home shows tickets, hours, approvals, orders and the next milestone at once', async ({ page }) => {
  await signIn(page, 'cliente@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  for (const id of ['home-tickets', 'home-hours', 'home-approvals', 'home-orders', 'home-milestone']) {
    await expect(page.getByTestId(id)).toBeVisible();
  }
  // Every section says something: a list, a figure or a plain "nothing to do".
  await expect(page.getByTestId('home-hours')).toContainText(/\d+ (h|min)|aún no tiene horas/);
  // The demo projects are active: the nearest milestone links to its project.
  await expect(page.getByTestId('home-milestone').getByRole('link')).toHaveAttribute('href', /^\/proyectos\/\d+$/);
  // No "use the menu" filler.
  await expect(page.getByText('Use el menú')).toHaveCount(0);
});

test('the agent home puts their tickets by urgency, the queue, chats and email first', async ({ page }) => {
  // A new unanswered ticket from a customer: it is in the queue's count.
  const auth = await (await page.request.post('/api/v1/auth/token', { data: { email: 'cliente2@otra.test', password: 'Demo-2026!' } })).json();
  const created = await page.request.post('/api/v1/tickets', {
    headers: { authorization: `Bearer ${auth.token}` },
    data: { subject: `Panel del agente ${Date.now()}`, body: 'No hay internet en la oficina.', kind: 'incident', priority: 'high' },
  });
  expect(created.status()).toBe(201);
  await signIn(page, 'agente@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  await expect(page.getByTestId('home-counters')).toContainText('vencidos hoy');
  await expect(page.getByTestId('home-counters')).toContainText('chats en espera');
  await expect(page.getByTestId('home-counters')).toContainText('correos sin respuesta');
  await expect(page.getByTestId('home-mine')).toBeVisible();
  const unassigned = page.getByTestId('home-unassigned');
  await expect(unassigned.locator('.badge')).not.toHaveText('0');
  await expect(unassigned.getByTestId('home-ticket').first().getByTestId('sla')).toBeVisible();
});
