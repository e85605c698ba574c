import AxeBuilder from '@axe-core/playwright';
import { expect, Page } from '@playwright/test';
import { test, open, signIn } from './helpers';

/**
 * axe-core on every page each role uses, at a desktop (1366 px) and a phone (390 px) width:
 * 0 violations of any impact (WCAG 2.x A and AA rules plus axe's best practices).
 */
const widths = [{ width: 1366, height: 900 }, { width: 390, height: 844 }];

const pages: Record<string, { email?: string; paths: string[] }> = {
  visitor: { paths: ['/', '/kb', '/kb/soporte-y-sla', '/kb/soporte-y-sla/como-abrir-un-ticket-y-elegir-su-prioridad', '/kb/buscar?q=vpn', '/ingresar', '/tienda', '/no-existe'] },
  customer: { email: 'cliente@demo.test', paths: ['/panel', '/tickets', '/tickets/nuevo', '/proyectos', '/cambios', '/horas', '/tienda', '/tienda/pedidos', '/organizacion', '/cuenta'] },
  agent: { email: 'agente@demo.test', paths: ['/panel', '/tickets', '/agente/chat', '/proyectos', '/cambios', '/admin/reportes/sla', '/admin/organizaciones'] },
  editor: { email: 'editor@demo.test', paths: ['/panel', '/editor/articulos'] },
  admin: { email: 'admin@demo.test', paths: ['/admin/usuarios', '/admin/calendario', '/admin/tienda', '/admin/correo', '/admin/respuestas'] },
};

async function violations(page: Page, path: string, width: number): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) =>
    `${width}px ${path}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

for (const [role, { email, paths }] of Object.entries(pages)) {
  test(`axe-core finds nothing on the ${role}'s pages at 1366 and 390 px`, async ({ page }) => {
    test.setTimeout(180_000);
    if (email) await signIn(page, email);
    if (email) await expect(page).toHaveURL(/\/panel$/);
    const found: string[] = [];
    for (const size of widths) {
      await page.setViewportSize(size);
      for (const path of paths) {
        await open(page, path);
        found.push(...await violations(page, path, size.width));
      }
    }
    expect(found).toEqual([]);
  });
}

test('axe-core finds nothing on a ticket and a project page', async ({ page }) => {
  test.setTimeout(120_000);
  // A ticket of the customer's own, opened through the API (another organisation's customer:
  // the demo customer's first journey starts without tickets).
  const auth = await (await page.request.post('/api/v1/auth/token', { data: { email: 'cliente2@otra.test', password: 'Demo-2026!' } })).json();
  const created = await page.request.post('/api/v1/tickets', {
    headers: { authorization: `Bearer ${auth.token}` },
    data: { subject: 'Revisión de accesibilidad', body: 'La impresora del segundo piso no imprime.', kind: 'incident', priority: 'medium' },
  });
  expect(created.status()).toBe(201);
  const ticket = `/tickets/${(await created.json()).id}`;
  // Seen by an agent: the ticket page with its staff controls, and a project's Gantt chart.
  await signIn(page, 'agente@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, '/proyectos');
  const project = await page.locator('main a[href^="/proyectos/"]').first().getAttribute('href');
  expect(project).toMatch(/^\/proyectos\/\d+$/);
  const found: string[] = [];
  for (const target of [ticket, project!]) {
    for (const size of widths) {
      await page.setViewportSize(size);
      await open(page, target);
      found.push(...await violations(page, target, size.width));
    }
  }
  expect(found).toEqual([]);
});
