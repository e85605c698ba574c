import { Browser, expect, Page, test as base } from '@playwright/test';

export const DEMO_PASSWORD = 'Demo-2026!';

const consoleErrors = new WeakMap<Page, string[]>();
/** Browser errors of every page opened with `open` during the current test. */
const pagesErrors: string[][] = [];

/**
 * Playwright's `test`, failing any journey in which the browser code panicked on a page opened
 * with `open` (a Rust panic is logged by console_error_panic_hook, then the WASM call traps): a
 * page can go on looking right after one, so the journeys' own checks would not notice.
 */
export const test = base.extend<{ noPanics: void }>({
  noPanics: [async ({}, use) => {
    pagesErrors.length = 0;
    await use();
    const panics = pagesErrors.flat().filter((e) => /panicked at|RuntimeError: unreachable/.test(e));
    pagesErrors.length = 0;
    expect(panics, 'the browser code panicked').toEqual([]);
  }, { auto: true }],
});

/** Opens a page and waits until the WASM bundle has hydrated it; reports browser errors if not. */
export async function open(page: Page, path: string) {
  if (!consoleErrors.has(page)) {
    const errors: string[] = [];
    consoleErrors.set(page, errors);
    pagesErrors.push(errors);
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text().slice(0, 500)); });
    page.on('pageerror', (e) => errors.push(e.message.slice(0, 500)));
  }
  await page.goto(path);
  try {
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached({ timeout: 30_000 });
  } catch (e) {
    // The errors are read after the wait: a panic during hydration is what explains a timeout.
    throw new Error(`hydration of ${path} failed; browser errors: ${consoleErrors.get(page)?.join(' | ')}\n${e}`);
  }
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await open(page, '/ingresar');
  await page.getByLabel('Correo electrónico').fill(email);
  await page.getByLabel('Contraseña').fill(password);
  await page.getByRole('button', { name: 'Ingresar' }).click();
}

/** The newest mail to `to` in the admin outbox, as text. */
export async function latestMailTo(page: Page, to: string): Promise<string> {
  await open(page, '/admin/correo');
  const item = page.locator('[data-testid="outbox"] li', { hasText: to }).first();
  // textContent works on a closed <details>: no click needed (background pages throttle rAF).
  return (await item.locator('.mail-body').textContent()) ?? '';
}

export function linkIn(mail: string): string {
  const match = mail.match(/https?:\/\/\S+token=[A-Za-z0-9_-]+/);
  if (!match) throw new Error(`no link in mail: ${mail}`);
  return new URL(match[0]).pathname + new URL(match[0]).search;
}

/** A fresh staff account (invited by the admin, password set from the emailed link), for tests
 * that must not disturb the shared demo accounts. Returns its email. */
export async function freshUser(browser: Browser, role: 'agent' | 'editor', password: string): Promise<string> {
  const email = `${role}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@demo.test`;
  const adminCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  await signIn(admin, 'admin@demo.test');
  await expect(admin).toHaveURL(/\/panel$/);
  await open(admin, '/admin/usuarios');
  const form = admin.getByTestId('invite-form');
  await form.getByLabel('Nombre').fill('Persona de prueba');
  await form.getByLabel('Correo electrónico').fill(email);
  await form.getByLabel('Rol').selectOption(role);
  await form.getByRole('button', { name: 'Enviar invitación' }).click();
  await expect(admin.getByText('Invitación enviada.')).toBeVisible();
  const invite = await latestMailTo(admin, email);
  const userCtx = await browser.newContext();
  const user = await userCtx.newPage();
  await open(user, linkIn(invite));
  await user.getByLabel('Nueva contraseña').fill(password);
  await user.getByRole('button', { name: 'Guardar contraseña' }).click();
  await expect(user.getByText('Su contraseña fue guardada.')).toBeVisible();
  await adminCtx.close();
  await userCtx.close();
  return email;
}
