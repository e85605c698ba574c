import { APIRequestContext, expect } from '@playwright/test';
import { test, DEMO_PASSWORD, open, signIn } from './helpers';

async function token(request: APIRequestContext, email: string): Promise<string> {
  const res = await request.post('/api/v1/auth/token', { data: { email, password: DEMO_PASSWORD } });
  expect(res.status()).toBe(200);
  return (await res.json()).token;
}

function day(offset: number): string {
  // Costa Rica is UTC-6 all year.
  const cr = new Date(Date.now() - 6 * 3600_000 + offset * 86_400_000);
  return cr.toISOString().slice(0, 10);
}

async function projectId(request: APIRequestContext, name: string): Promise<number> {
  const admin = await token(request, 'admin@demo.test');
  const list = await (await request.get('/api/v1/projects', { headers: { Authorization: `Bearer ${admin}` } })).json();
  return list.find((p: { name: string }) => p.name === name).id;
}

test('a customer follows the AWS migration and sees the blocked activity and the deviation', async ({ page }) => {
  await signIn(page, 'cliente@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  await page.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Proyectos' }).click();
  await expect(page.getByRole('heading', { name: 'Proyectos', level: 1 })).toBeVisible();
  const card = page.locator('.project-card', { hasText: 'Migración a AWS' });
  await expect(card.getByTestId('health')).toHaveText('En riesgo');
  await expect(card.getByTestId('blocked-count')).toHaveText('1');
  await expect(card.getByTestId('deviated-count')).toHaveText('2');
  await card.getByRole('link', { name: 'Migración a AWS' }).click();

  const chart = page.getByTestId('gantt');
  await expect(chart).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached({ timeout: 30_000 });
  const blocked = chart.locator('g[data-state="blocked"]');
  await expect(blocked).toHaveCount(1);
  await expect(blocked).toHaveAttribute('aria-label', /Migrar ERP/);
  await expect(chart.locator('.g-deviated')).toHaveCount(2);
  await expect(chart.locator('.g-baseline')).toHaveCount(2);
  await expect(chart.locator('.g-today')).toHaveCount(1);
  // Customers read the plan; they cannot move it.
  await expect(page.getByText('Arrastre una barra')).toHaveCount(0);
  await expect(page.getByTestId('staff-tools')).toHaveCount(0);

  const table = page.getByTestId('plan-table');
  const erp = table.locator('tr', { hasText: 'Migrar ERP' });
  await expect(erp).toContainText('Bloqueado');
  await expect(erp).toContainText('Esperando las credenciales');
  await expect(table.locator('tr', { hasText: 'Migrar servidor de archivos' })).toContainText('3 días de atraso');

  // Details on focus, and a comment on the blocked activity.
  await blocked.focus();
  const panel = page.getByTestId('item-panel');
  await expect(panel.getByRole('heading', { name: 'Migrar ERP' })).toBeVisible();
  await expect(panel).toContainText('Motivo del bloqueo');
  await panel.getByLabel('Agregar un comentario').fill('Ya solicitamos las credenciales al proveedor.');
  await panel.getByRole('button', { name: 'Comentar' }).click();
  await expect(page.getByTestId('comments')).toContainText('Ya solicitamos las credenciales al proveedor.');
  await expect(page.getByTestId('comments')).toContainText('Carlos Cliente');
});

test('staff drag a bar, the dependent activity warns, and the change is logged', async ({ page, request }) => {
  const agent = await token(request, 'agente@demo.test');
  const auth = { Authorization: `Bearer ${agent}` };
  const orgs = await (await request.get('/api/v1/organizations', { headers: auth })).json();
  const org = orgs.find((o: { name: string }) => o.name === 'Otra Empresa S.R.L.').id;
  const created = await request.post('/api/v1/projects', { headers: auth, data: { organization_id: org, name: `Renovación de red ${Date.now()}`, status: 'active', start: day(0), target_end: day(30) } });
  expect(created.status()).toBe(201);
  const pid = (await created.json()).id;
  const a = await (await request.post(`/api/v1/projects/${pid}/items`, { headers: auth, data: { name: 'Cableado', phase: 'Obra', start: day(1), end: day(5) } })).json();
  await request.post(`/api/v1/projects/${pid}/items`, { headers: auth, data: { name: 'Configurar switches', phase: 'Obra', start: day(6), end: day(9), depends_on: [a.id] } });

  await signIn(page, 'agente@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, `/proyectos/${pid}?escala=dia`);
  await expect(page.getByText('Arrastre una barra')).toBeVisible();

  // Keyboard alternative first: arrows propose new dates, Escape drops them.
  const bar = page.locator(`[data-testid="gantt"] g[data-item="${a.id}"]`);
  await bar.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('pending-move')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('pending-move')).toHaveCount(0);

  // Drag "Cableado" three days later (30 px per day on the day scale).
  const box = await bar.locator('.g-bar').boundingBox();
  if (!box) throw new Error('bar not rendered');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 45, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + box.width / 2 + 90, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  const pending = page.getByTestId('pending-move');
  await expect(pending).toBeVisible();
  const warning = pending.getByTestId('dependency-warning');
  await expect(warning).toContainText('«Configurar switches» depende de «Cableado»');
  await pending.getByRole('button', { name: 'Guardar nuevas fechas' }).click();

  await expect(page.getByTestId('saved-warning')).toContainText('Configurar switches');
  await expect(page.getByTestId('changelog')).toContainText('Nuevas fechas de «Cableado»');
  const plan = await (await request.get(`/api/v1/projects/${pid}`, { headers: auth })).json();
  const moved = plan.items.find((i: { name: string }) => i.name === 'Cableado');
  expect([moved.start, moved.end]).toEqual([day(4), day(8)]);
  // The broken dependency is drawn in red.
  await expect(page.locator('[data-testid="gantt"] .g-arrow-bad')).toHaveCount(1);
});

test('a customer of another organisation gets not found for a Demo S.A. project', async ({ page, request }) => {
  const id = await projectId(request, 'Migración a AWS');
  const olga = await token(request, 'cliente2@otra.test');
  const api = await request.get(`/api/v1/projects/${id}`, { headers: { Authorization: `Bearer ${olga}` } });
  expect(api.status()).toBe(404);

  await signIn(page, 'cliente2@otra.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, `/proyectos/${id}`);
  await expect(page.getByRole('alert')).toHaveText('No encontramos lo que busca.');
  await expect(page.getByTestId('gantt')).toHaveCount(0);
  await expect(page.getByText('Migración a AWS')).toHaveCount(0);
});

test('staff create a project and plan it by form; bad dates get a clear message', async ({ page }) => {
  await signIn(page, 'agente@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, '/proyectos');
  await page.getByText('Nuevo proyecto').click();
  const form = page.getByTestId('new-project');
  await form.getByLabel('Organización').selectOption({ label: 'Otra Empresa S.R.L.' });
  await form.getByLabel('Líder del proyecto').selectOption({ label: 'Andrés Agente' });
  const name = `Respaldo en la nube ${Date.now()}`;
  await form.getByLabel('Nombre').fill(name);
  await form.getByLabel('Inicio').fill(day(0));
  await form.getByLabel('Fecha objetivo').fill(day(20));
  await form.getByRole('button', { name: 'Crear proyecto' }).click();
  await expect(page).toHaveURL(/\/proyectos\/\d+$/);
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await expect(page.getByText('Este proyecto aún no tiene actividades.')).toBeVisible();
  await expect(page.getByTestId('baseline-at')).toHaveText('Aún no se ha guardado');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached({ timeout: 30_000 });

  await page.getByTestId('add-item').click();
  const item = page.getByTestId('item-form');
  await item.getByLabel('Nombre').fill('Configurar respaldos diarios');
  await item.getByLabel('Fase o sprint').fill('Implementación');
  await item.getByLabel('Inicio').fill(day(3));
  await item.getByLabel('Fin').fill(day(1));
  await item.getByRole('button', { name: 'Agregar' }).click();
  await expect(item.getByRole('alert')).toHaveText('La fecha final no puede ser anterior a la inicial.');
  await expect(item.getByLabel('Nombre')).toHaveValue('Configurar respaldos diarios');
  await item.getByLabel('Fin').fill(day(6));
  await item.getByRole('button', { name: 'Agregar' }).click();
  await expect(page.getByTestId('saved')).toHaveText('Cambios guardados.');
  await expect(page.locator('[data-testid="gantt"] g.g-item')).toHaveCount(1);
  await expect(page.getByTestId('plan-table')).toContainText('Configurar respaldos diarios');

  await page.getByTestId('save-baseline').click();
  await expect(page.getByTestId('baseline-at')).not.toHaveText('Aún no se ha guardado');
  await expect(page.getByTestId('changelog')).toContainText('Se guardó la línea base');
});
