// Screenshots of the knowledge-base pages (not a test): node shots.cjs <baseURL> <outdir>
const { chromium } = require('@playwright/test');
(async () => {
  const [base, out] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const shot = async (page, path, name, setup) => {
    await page.goto(base + path);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30000 });
    if (setup) await setup(page);
    await page.waitForTimeout(600);
    await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  };
  const anon = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await shot(anon, '/kb', 'kb-home');
  await shot(anon, '/kb', 'kb-typing', async (p) => { await p.fill('[data-testid=kb-search]', 'configuracion'); await p.waitForSelector('.hits'); });
  await shot(anon, '/kb/buscar?q=impresoras', 'kb-results');
  await shot(anon, '/kb/equipos-e-impresoras/la-impresora-no-imprime-aparece-fuera-de-linea-o-la-cola-se-atasca', 'kb-article');
  await shot(anon, '/kb/soporte-y-sla', 'kb-category');
  const mobile = await browser.newPage({ viewport: { width: 360, height: 740 } });
  await shot(mobile, '/kb/cuentas-y-acceso/como-restablecer-la-contrasena-del-portal', 'kb-article-mobile');
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const ed = await ctx.newPage();
  await ed.goto(base + '/ingresar'); await ed.waitForSelector('body[data-hydrated="true"]');
  await ed.fill('#email', 'editor@demo.test'); await ed.fill('#password', 'Demo-2026!');
  await ed.click('button[type=submit]'); await ed.waitForURL('**/panel');
  await shot(ed, '/editor/articulos', 'editor-dashboard');
  await shot(ed, '/editor/articulos/1', 'editor-edit');
  await shot(ed, '/editor/articulos/1/historial', 'editor-history');
  await shot(ed, '/editor/categorias', 'editor-categories');
  const cctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const cu = await cctx.newPage();
  await cu.goto(base + '/ingresar'); await cu.waitForSelector('body[data-hydrated="true"]');
  await cu.fill('#email', 'cliente@demo.test'); await cu.fill('#password', 'Demo-2026!');
  await cu.click('button[type=submit]'); await cu.waitForURL('**/panel');
  await shot(cu, '/tickets/nuevo', 'ticket-suggestions', async (p) => { await p.type('#subject', 'No puedo conectarme a la VPN', { delay: 20 }); await p.waitForSelector('[data-testid=suggestions]'); });
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
