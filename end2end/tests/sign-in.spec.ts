import { expect } from '@playwright/test';
import { test, freshUser, open, signIn } from './helpers';

const roles: { email: string; role: string; label: string; links: string[]; menu?: string[] }[] = [
  { email: 'admin@demo.test', role: 'admin', label: 'Administrador', links: ['Mi panel', 'Cola de atención', 'Chat en vivo', 'Proyectos', 'Cambios', 'Base de conocimiento', 'Mi cuenta'],
    menu: ['Artículos', 'Reporte SLA', 'Calendario', 'Organizaciones', 'Usuarios', 'Tienda', 'Correo saliente', 'Respuestas rápidas'] },
  { email: 'agente@demo.test', role: 'agent', label: 'Agente', links: ['Mi panel', 'Cola de atención', 'Chat en vivo', 'Proyectos', 'Cambios', 'Base de conocimiento', 'Reporte SLA', 'Organizaciones', 'Mi cuenta'] },
  { email: 'editor@demo.test', role: 'editor', label: 'Editor de contenido', links: ['Mi panel', 'Base de conocimiento', 'Artículos', 'Mi cuenta'] },
  { email: 'cliente@demo.test', role: 'customer', label: 'Cliente', links: ['Mi panel', 'Tickets', 'Proyectos', 'Cambios', 'Horas', 'Tienda', 'Base de conocimiento', 'Mi organización', 'Mi cuenta'] },
];

for (const r of roles) {
  test(`${r.role} signs in, sees their navigation and signs out`, async ({ page }) => {
    await signIn(page, r.email);
    await expect(page).toHaveURL(/\/panel$/);
    await expect(page.getByTestId('role')).toHaveText(r.label);
    const nav = page.locator(`ul.nav-links[data-role="${r.role}"]`);
    await expect(nav.getByRole('link')).toHaveText(r.links);
    if (r.menu) {
      // Administration pages sit in one menu: the header keeps one row at 1366 px.
      await page.setViewportSize({ width: 1366, height: 900 });
      const header = await page.locator('.site-header').boundingBox();
      expect(header!.height).toBeLessThan(80);
      await nav.getByText('Administración').click();
      await expect(page.getByTestId('nav-menu-admin').getByRole('link')).toHaveText(r.menu);
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('nav-menu-admin').getByRole('link')).toHaveCount(0);
      await nav.getByText('Administración').click();
      await page.getByTestId('nav-menu-admin').getByRole('link', { name: 'Usuarios' }).click();
      await expect(page).toHaveURL(/\/admin\/usuarios$/);
      await expect(page.getByTestId('nav-menu-admin').getByRole('link')).toHaveCount(0);
    }
    await page.getByRole('button', { name: 'Salir' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('link', { name: 'Ingresar', exact: true })).toBeVisible();
    await open(page, '/panel');
    await expect(page).toHaveURL(/\/ingresar\?volver=%2Fpanel$/);
  });
}

test('a deep link survives signing in, and only to pages of this site', async ({ page }) => {
  // A link from an email to a page behind sign-in: the sign-in page remembers it...
  const res = await page.request.get('/tickets/nuevo?tipo=incident', {
    maxRedirects: 0,
    headers: { accept: 'text/html,application/xhtml+xml' },
  });
  expect(res.status()).toBe(302);
  expect(res.headers()['location']).toBe('/ingresar?volver=%2Ftickets%2Fnuevo%3Ftipo%3Dincident');
  await open(page, '/tickets/nuevo?tipo=incident');
  await expect(page).toHaveURL(/\/ingresar\?volver=%2Ftickets%2Fnuevo%3Ftipo%3Dincident$/);
  await page.getByLabel('Correo electrónico').fill('cliente@demo.test');
  await page.getByLabel('Contraseña').fill('Demo-2026!');
  await page.getByRole('button', { name: 'Ingresar' }).click();
  // ...and goes there once signed in.
  await expect(page).toHaveURL(/\/tickets\/nuevo\?tipo=incident$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Abrir un ticket');
  await page.getByRole('button', { name: 'Salir' }).click();
  await expect(page).toHaveURL(/\/$/);

  // Another site in the link is never followed.
  await open(page, '/ingresar?volver=https%3A%2F%2Fevil.test%2F');
  await page.getByLabel('Correo electrónico').fill('cliente@demo.test');
  await page.getByLabel('Contraseña').fill('Demo-2026!');
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await expect(page).toHaveURL(/\/panel$/);
});

test('customer sees their organisation, plan and targets', async ({ page }) => {
  await signIn(page, 'cliente@demo.test');
  await expect(page.getByTestId('org-card')).toContainText('Demo S.A.');
  await expect(page.getByTestId('plan')).toHaveText('Premium');
  await open(page, '/organizacion');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Demo S.A.');
});

test('customers cannot open administration pages', async ({ page }) => {
  await signIn(page, 'cliente2@otra.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, '/admin/usuarios');
  // Said as a permissions matter, not as a failure.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sin permiso para esta página');
  await expect(page.getByRole('alert')).toHaveText('Su cuenta no tiene acceso a esta página. Si lo necesita, pídalo a un administrador de Any2cloud.');
});

test('a wrong password shows a clear Spanish message and keeps the email', async ({ page }) => {
  await signIn(page, 'editor@demo.test', 'no-es-la-clave');
  await expect(page.getByRole('alert')).toHaveText('Correo o contraseña incorrectos.');
  await expect(page.getByLabel('Correo electrónico')).toHaveValue('editor@demo.test');
  await expect(page).toHaveURL(/\/ingresar$/);
});

test('account page lists sessions and signs out other devices', async ({ browser }) => {
  // Its own account: signing out "everywhere" must not end other tests' demo sessions.
  const password = 'clave de sesiones larga';
  const email = await freshUser(browser, 'agent', password);
  const first = await browser.newContext();
  const second = await browser.newContext();
  const a = await first.newPage();
  const b = await second.newPage();
  await signIn(a, email, password);
  await expect(a).toHaveURL(/\/panel$/);
  await signIn(b, email, password);
  await expect(b).toHaveURL(/\/panel$/);
  await open(a, '/cuenta');
  await expect(a.getByTestId('sessions').locator('li.current')).toHaveCount(1);
  // Sessions read as a browser and a system (the Desktop Chrome profile's user agent), not a raw header.
  await expect(a.getByTestId('session-client').first()).toHaveText(/^Chrome en Windows 10 · /);
  await expect(a.getByTestId('session-client').first()).not.toContainText('Mozilla/5.0');
  await a.getByRole('button', { name: 'Cerrar sesión en todos los demás dispositivos' }).click();
  await expect(a.getByText('Cerramos sus otras sesiones.')).toBeVisible();
  await open(b, '/panel');
  await expect(b).toHaveURL(/\/ingresar\?volver=%2Fpanel$/);
  await first.close();
  await second.close();
});

// Before the page's script has loaded (a slow connection) the form is an ordinary POST: the
// server answers it, and a refusal comes back in the URL for the page to show.
test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('signing in says when the password is wrong and opens the dashboard when it is right', async ({ page }) => {
    await page.goto('/ingresar');
    await page.getByLabel('Correo electrónico').fill('editor@demo.test');
    await page.getByLabel('Contraseña').fill('no-es-la-clave');
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await expect(page.getByRole('alert')).toHaveText('Correo o contraseña incorrectos.');
    await page.getByLabel('Correo electrónico').fill('editor@demo.test');
    await page.getByLabel('Contraseña').fill('Demo-2026!');
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await expect(page).toHaveURL(/\/panel$/);
    await expect(page.getByTestId('role')).toHaveText('Editor de contenido');
    // A later visit to the sign-in page starts clean.
    await page.goto('/ingresar');
    await expect(page.getByRole('alert')).toHaveCount(0);
  });
});
