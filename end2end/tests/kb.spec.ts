import { expect } from '@playwright/test';
import { test, open, signIn } from './helpers';

/** A 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const INTERNAL = '/kb/soporte-y-sla/guia-interna-clasificar-escalar-y-cerrar-tickets';

test('an anonymous visitor searches without accents, reads the article and rates it once', async ({ page }) => {
  await open(page, '/kb');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Base de conocimiento');
  await expect(page.getByTestId('categories').getByRole('link', { name: 'Cuentas y acceso' })).toBeVisible();

  // Results as you type: "contrasena" (no ñ) finds "contraseña", highlighted.
  await page.getByTestId('kb-search').fill('contrasena');
  const dropdown = page.getByTestId('kb-suggest');
  const hit = dropdown.getByRole('link', { name: 'Cómo restablecer la contraseña del portal' });
  await expect(hit).toBeVisible();
  await expect(dropdown.locator('mark').first()).toHaveText(/contraseña/i);

  // The full results page, then the article.
  await page.getByTestId('kb-search').press('Enter');
  await expect(page).toHaveURL(/\/kb\/buscar\?q=contrasena/);
  await expect(page.getByTestId('results').locator('li').first()).toContainText('contraseña');
  await page.getByTestId('results').getByRole('link', { name: 'Cómo restablecer la contraseña del portal' }).click();
  await expect(page).toHaveURL(/\/kb\/cuentas-y-acceso\/como-restablecer-la-contrasena-del-portal$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cómo restablecer la contraseña del portal');
  await expect(page.getByTestId('toc').getByRole('link').first()).toBeVisible();
  await expect(page.locator('link[rel="canonical"]')).toHaveAttribute('href', /\/kb\/cuentas-y-acceso\/como-restablecer-la-contrasena-del-portal$/);
  await expect(page.locator('meta[property="og:title"]')).toHaveAttribute('content', 'Cómo restablecer la contraseña del portal');

  // "¿Te fue útil este artículo?": once per visitor.
  const feedback = page.getByTestId('feedback');
  await feedback.getByRole('button', { name: 'Sí' }).click();
  await feedback.getByLabel('¿Quiere contarnos algo más? (opcional)').fill('Muy claro, gracias');
  await feedback.getByRole('button', { name: 'Enviar opinión' }).click();
  await expect(feedback.getByText('¡Gracias por su opinión!')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('feedback').getByText('¡Gracias por su opinión!')).toBeVisible();
  await expect(page.getByTestId('feedback').getByRole('button', { name: 'Sí' })).toHaveCount(0);

  // Plural/singular through the stemmer.
  await open(page, '/kb/buscar?q=impresoras');
  await expect(page.getByTestId('results').locator('li').first()).toContainText('impresora');
});

test('an editor writes, previews, publishes, meets a conflict and restores a revision', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, 'editor@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, '/editor/articulos');
  await page.getByRole('link', { name: 'Nuevo artículo' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nuevo artículo');

  const title = `Impresora térmica ${Date.now()}`;
  await page.getByLabel('Título', { exact: true }).fill(title);
  await page.getByLabel('Contenido (Markdown)').fill('## Instalación\n\nConecte el **cable** USB.');
  // Live preview with the article renderer.
  await expect(page.getByTestId('preview').locator('strong')).toHaveText('cable');
  await page.getByLabel('Categoría').selectOption('equipos-e-impresoras');
  await page.getByRole('button', { name: 'Guardar' }).click();
  await expect(page).toHaveURL(/\/editor\/articulos\/\d+\?creado=1$/);
  // The URL changes before the edit page has loaded the article; until then the new-article
  // form (already saying "saved") is still the one on screen.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Editar artículo');
  await expect(page.getByTestId('saved')).toContainText('1');
  const editUrl = page.url();

  // Drafts are invisible to readers; publishing makes the article public.
  const anon = await browser.newPage();
  await open(anon, `/kb/buscar?q=${encodeURIComponent('impresora termica')}`);
  await expect(anon.getByTestId('results')).toHaveCount(0);
  await page.getByLabel('Estado').selectOption('published');
  await page.getByLabel('Contenido (Markdown)').fill('## Instalación\n\nConecte el **cable** USB-C y encienda.');
  await page.getByRole('button', { name: 'Guardar' }).click();
  await expect(page.getByTestId('saved')).toContainText('2');
  await open(anon, `/kb/buscar?q=${encodeURIComponent('impresora termica')}`);
  // One result reads in the singular.
  await expect(anon.getByTestId('results-count')).toHaveText('1 resultado para «impresora termica»');
  await anon.getByTestId('results').getByRole('link', { name: title }).click();
  await expect(anon.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(anon.getByTestId('article')).toContainText('USB-C');

  // A second editor tab saves first: this tab gets a conflict showing both versions.
  const other = await ctx.newPage();
  await open(other, editUrl.replace(/^https?:\/\/[^/]+/, '').replace('?creado=1', ''));
  // The form inside the page's Suspense hydrates a moment after the page: the live preview
  // (rendered only in the browser) says its input handlers are attached.
  await expect(other.getByTestId('preview').locator('strong')).toHaveText('cable');
  await other.getByLabel('Contenido (Markdown)').fill('## Instalación\n\nVersión de la otra pestaña.');
  await other.getByRole('button', { name: 'Guardar' }).click();
  await expect(other.getByTestId('saved')).toContainText('3');
  await page.getByLabel('Contenido (Markdown)').fill('## Instalación\n\nMi versión local.');
  await page.getByRole('button', { name: 'Guardar' }).click();
  await expect(page.getByRole('alert').first()).toContainText('Otra persona guardó este artículo');
  await expect(page.getByTestId('their-body')).toHaveValue(/Versión de la otra pestaña/);
  await expect(page.getByLabel('Contenido (Markdown)')).toHaveValue(/Mi versión local/);
  await other.close();

  // History: compare revisions and restore the first one.
  await page.getByRole('link', { name: 'Historial' }).click();
  await expect(page.getByTestId('revision')).toHaveCount(3);
  await page.getByRole('button', { name: 'Ver diferencias' }).click();
  await expect(page.getByTestId('diff').locator('.added')).toContainText('otra pestaña');
  await page.getByRole('button', { name: 'Restaurar #1' }).click();
  await expect(page.getByTestId('revision')).toHaveCount(4);
  await open(anon, `/kb/buscar?q=${encodeURIComponent('impresora termica')}`);
  await anon.getByTestId('results').getByRole('link', { name: title }).click();
  await expect(anon.getByTestId('article')).toContainText('Conecte el cable USB.');
  await expect(anon.getByTestId('article')).not.toContainText('otra pestaña');
  await ctx.close();
});

test('a customer typing a ticket subject sees suggestions and opening one counts as a deflection', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, 'cliente@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, '/tickets/nuevo');
  await page.getByLabel('Asunto').pressSequentially('Mi impresora no imprime', { delay: 20 });
  const suggestions = page.getByTestId('suggestions');
  await expect(suggestions.getByText('Quizás esto te ayude')).toBeVisible();
  const link = suggestions.getByRole('link').filter({ hasText: /impresora/i }).first();
  await expect(link).toBeVisible();
  const recorded = page.waitForResponse((r) => r.url().includes('kb_suggestion_opened') && r.ok());
  const [article] = await Promise.all([ctx.waitForEvent('page'), link.click()]);
  await recorded;
  await article.waitForLoadState();
  await expect(article.getByRole('heading', { level: 1 })).toContainText(/impresora/i);
  // The form kept what was typed.
  await expect(page.getByLabel('Asunto')).toHaveValue('Mi impresora no imprime');
  await ctx.close();

  const editorCtx = await browser.newContext();
  const editor = await editorCtx.newPage();
  await signIn(editor, 'editor@demo.test');
  await expect(editor).toHaveURL(/\/panel$/);
  await open(editor, '/editor/articulos');
  await expect(editor.getByTestId('deflection-total').locator('strong')).not.toHaveText('0');
  await editorCtx.close();
});

test('internal articles never reach customers, anonymous visitors or the sitemap', async ({ browser, request }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, 'cliente@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, '/kb/buscar?q=escalamiento');
  await expect(page.getByTestId('no-results')).toBeVisible();
  await open(page, INTERNAL);
  await expect(page.getByRole('alert')).toHaveText('No encontramos lo que busca.');
  await ctx.close();

  const sitemap = await (await request.get('/sitemap.xml')).text();
  expect(sitemap).toContain('/kb/cuentas-y-acceso/como-restablecer-la-contrasena-del-portal');
  expect(sitemap).not.toContain('guia-interna');

  const agentCtx = await browser.newContext();
  const agent = await agentCtx.newPage();
  await signIn(agent, 'agente@demo.test');
  await expect(agent).toHaveURL(/\/panel$/);
  await open(agent, '/kb/buscar?q=escalamiento');
  await expect(agent.getByTestId('results').getByRole('link')).toHaveCount(1);
  await agentCtx.close();
});

test('a stored XSS attempt in an article renders inert', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, 'editor@demo.test');
  await expect(page).toHaveURL(/\/panel$/);
  await open(page, '/editor/articulos/nuevo');
  const title = `Prueba de seguridad ${Date.now()}`;
  await page.getByLabel('Título', { exact: true }).fill(title);
  await page.getByLabel('Contenido (Markdown)').fill(
    'Texto normal.\n\n<script>window.__xss = 1</script>\n\n<img src="x" onerror="window.__xss = 2">\n\n' +
    '[enlace](javascript:window.__xss=3) <a href="javascript:window.__xss=4" onclick="window.__xss=5">otro</a>',
  );
  await expect(page.getByTestId('preview')).toContainText('Texto normal.');
  // An image upload lands at the cursor as markdown and shows in the preview.
  await page.getByLabel('Insertar imagen').setInputFiles({ name: 'captura.png', mimeType: 'image/png', buffer: Buffer.from(PNG, 'base64') });
  await expect(page.getByLabel('Contenido (Markdown)')).toHaveValue(/!\[captura\]\(\/imagenes\/[0-9a-f]{32}\)/);
  await expect(page.getByTestId('preview').locator('img[src^="/imagenes/"]')).toHaveJSProperty('naturalWidth', 1);
  await page.getByLabel('Estado').selectOption('published');
  await page.getByRole('button', { name: 'Guardar' }).click();
  await expect(page.getByTestId('saved')).toBeVisible();
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();

  const reader = await browser.newPage();
  await open(reader, `/kb/buscar?q=${encodeURIComponent('prueba seguridad')}`);
  await reader.getByTestId('results').getByRole('link', { name: title }).click();
  const body = reader.getByTestId('article');
  await expect(body).toContainText('Texto normal.');
  // Neutralised links keep their text but lose the script URL.
  await expect(body.getByText('enlace')).toBeVisible();
  expect(await reader.evaluate(() => (window as any).__xss)).toBeUndefined();
  expect(await body.locator('script').count()).toBe(0);
  expect(await body.locator('[onerror], [onclick]').count()).toBe(0);
  expect(await body.locator('a[href^="javascript"]').count()).toBe(0);
  await expect(body.locator('img[src^="/imagenes/"]')).toHaveJSProperty('naturalWidth', 1);
  await ctx.close();
});
