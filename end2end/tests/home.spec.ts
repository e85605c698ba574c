import { expect } from '@playwright/test';
import { test, open } from './helpers';

test('home page is in Spanish, lists the contact channels and hydrates', async ({ page }) => {
  const wasm = page.waitForResponse((r) => r.url().endsWith('/pkg/portal.wasm') && r.ok());
  await open(page, '/');
  await wasm;
  await expect(page).toHaveTitle('Any2cloud Portal');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Soporte de TI que responde a tiempo');
  await expect(page.locator('[data-channel="whatsapp"]')).toContainText('+506 6303 6361');
  await expect(page.locator('[data-channel="messenger"]')).toContainText('m.me/any2cloud');
  await expect(page.locator('[data-channel="email"]')).toContainText('soporte@any2cloud.com');
  await expect(page.locator('[data-channel="instagram"]')).toBeVisible();
  // Premium / Alta is 4 business hours in the service model.
  await expect(page.locator('.sla-table tbody tr').first()).toContainText('4 h');
});

test('language switch goes to English and is remembered', async ({ page }) => {
  await open(page, '/');
  // Its accessible name contains what it shows (label in name).
  await expect(page.getByTestId('lang-switch')).toHaveAccessibleName('English · Idioma');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('lang-switch')).toHaveAccessibleName('Español · Language');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('IT support that answers on time');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await open(page, '/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('IT support that answers on time');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Soporte de TI que responde a tiempo');
});

test('a language picked on an inner page holds across the whole portal and later visits', async ({ page, context }) => {
  await open(page, '/kb/buscar?q=correo');
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  const cookie = (await context.cookies()).find((c) => c.name === 'i18n_pref_locale');
  expect(cookie?.value).toBe('en');
  expect(cookie?.path).toBe('/');
  expect(cookie?.sameSite).toBe('Lax');
  // Kept for a year, not only for this browser session.
  expect(cookie!.expires * 1000).toBeGreaterThan(Date.now() + 300 * 24 * 3600 * 1000);
  // Visited again in English: the server reads the choice and leaves the cookie alone.
  await open(page, '/kb/buscar?q=correo');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await open(page, '/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('IT support that answers on time');
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  // Spanish again on the inner page too: no copy of the old choice scoped to its folder.
  await open(page, '/kb/buscar?q=correo');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  expect((await context.cookies()).filter((c) => c.name === 'i18n_pref_locale')).toHaveLength(1);
});

test('unknown pages answer 404 with a Spanish page', async ({ page }) => {
  const res = await page.goto('/no-existe');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Página no encontrada');
  await expect(page.getByRole('link', { name: 'Volver al inicio' })).toBeVisible();
});

test('narrow screens get a menu button', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await open(page, '/');
  const nav = page.locator('#main-nav');
  await expect(nav).toBeHidden();
  await page.getByRole('button', { name: 'Menú' }).click();
  await expect(nav).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Ingresar' })).toBeVisible();
  // Escape closes it and puts the keyboard back on the button.
  await page.keyboard.press('Escape');
  await expect(nav).toBeHidden();
  await expect(page.getByRole('button', { name: 'Menú' })).toBeFocused();
});

test('Spanish is the default even for an English-speaking browser', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'en-US', extraHTTPHeaders: { 'accept-language': 'en-US,en;q=0.9' } });
  const page = await context.newPage();
  await open(page, '/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Soporte de TI que responde a tiempo');
  await context.close();
});
