import { expect } from '@playwright/test';
import { test, open } from './helpers';

// The browser code is split by area (`cargo leptos build --split`, `app/src/routes.rs`): a visit
// downloads the main module plus the chunks of the areas it opens, and the server names those
// chunks with the page (`Link: rel=preload`).

const part = (name: string) => new RegExp(`/pkg/split_${name}_\\d+\\.wasm$`);

test('a visitor downloads only the code of the parts of the portal they use', async ({ page }) => {
  const head = await page.request.get('/kb');
  const link = head.headers()['link'] ?? '';
  expect(link).toContain('__wasm_split.');
  expect(link).toMatch(/<\/pkg\/split_public_area_\d+\.wasm>; rel=preload; as=fetch; crossorigin/);

  const wasm: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm')) wasm.push(path);
  });
  const loaded = (name: string) => wasm.some((p) => part(name).test(p));
  await open(page, '/kb');
  await expect(page.getByTestId('categories').getByRole('link', { name: 'Cuentas y acceso' })).toBeVisible();
  expect(wasm).toContain('/pkg/portal.wasm');
  expect(loaded('public_area')).toBe(true);
  for (const other of ['workspace_area', 'projects_area', 'staff_area', 'editor_area', 'panel_contents']) {
    expect(loaded(other), other).toBe(false);
  }

  // The chat's code (its state, the conversation) comes when the chat is first opened.
  await page.getByTestId('chat-launcher').click();
  await expect(page.getByTestId('chat-panel').getByTestId('chat-name')).toBeVisible();
  expect(loaded('panel_contents')).toBe(true);
  await page.getByTestId('chat-launcher').click();

  // Signing in moves on to the customer's workspace without a page load: its code comes then.
  await page.locator('header').getByRole('link', { name: 'Ingresar' }).click();
  await page.getByLabel('Correo electrónico').fill('cliente2@otra.test');
  await page.getByLabel('Contraseña').fill('Demo-2026!');
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await expect(page).toHaveURL(/\/panel$/);
  await expect(page.getByTestId('org-card')).toContainText('Otra Empresa');
  expect(loaded('workspace_area')).toBe(true);
  for (const other of ['projects_area', 'staff_area', 'editor_area']) {
    expect(loaded(other), other).toBe(false);
  }
});
