import { expect } from '@playwright/test';
import { test, open, signIn } from './helpers';

test('admin adds a one-off day off and the deadline engine honours it, then undoes it', async ({ page, request }) => {
  // Wednesday 12 June 2030, 09:00 Costa Rica; Premium high (4 h) is due 13:00 the same day.
  const url = '/api/v1/sla/deadline?plan=premium&priority=high&received=2030-06-12T09:00:00-06:00';
  expect((await (await request.get(url)).json()).due).toBe('2030-06-12T19:00:00Z');

  await signIn(page, 'admin@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, '/admin/calendario?anio=2030');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Calendario de feriados 2030');
  const table = page.getByTestId('calendar-table');
  await expect(table).toContainText('Jueves Santo');
  await expect(table).toContainText('Día de la Independencia');
  const form = page.getByTestId('calendar-form');
  await form.getByLabel('Fecha').fill('2030-06-12');
  await form.getByLabel('Motivo').fill('Cierre por inventario');
  await form.getByRole('button', { name: 'Agregar día libre' }).click();
  const row = table.locator('tr[data-day="2030-06-12"]');
  await expect(row).toContainText('Cierre por inventario');
  await expect(row).toContainText('No laborable');
  // The clock now starts Thursday 08:00: due Thursday 12:00 Costa Rica.
  expect((await (await request.get(url)).json()).due).toBe('2030-06-13T18:00:00Z');

  await row.getByRole('button', { name: 'Deshacer cambio' }).click();
  await expect(table.locator('tr[data-day="2030-06-12"]')).toHaveCount(0);
  expect((await (await request.get(url)).json()).due).toBe('2030-06-12T19:00:00Z');
});

test('agents see the SLA report and can download it as CSV', async ({ page }) => {
  await signIn(page, 'agente@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, '/admin/reportes/sla');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reporte de SLA');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Descargar CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('reporte-sla.csv');
});
