// Screenshots of the project pages (not a test): node project-shots.cjs <baseURL> <outdir>
const { chromium } = require('@playwright/test');
(async () => {
  const [base, out] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const signIn = async (ctx, email) => {
    const p = await ctx.newPage();
    await p.goto(base + '/ingresar'); await p.waitForSelector('body[data-hydrated="true"]');
    await p.fill('#email', email); await p.fill('#password', 'Demo-2026!');
    await p.click('button[type=submit]'); await p.waitForURL('**/panel');
    return p;
  };
  const shot = async (page, path, name, setup) => {
    if (!page._logging) { page._logging = true; page.on('console', m => { if (m.type() === 'error') console.log(name, 'console:', m.text().slice(0, 300)); }); page.on('pageerror', e => console.log(name, 'pageerror:', e.message.slice(0, 300))); }
    await page.goto(base + path);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30000 });
    if (setup) await setup(page);
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  };
  const desk = await signIn(await browser.newContext({ viewport: { width: 1280, height: 900 } }), 'cliente@demo.test');
  await shot(desk, '/proyectos', 'projects-list');
  const link = await desk.locator('.project-card a', { hasText: 'Migración a AWS' }).getAttribute('href');
  await shot(desk, link, 'project-week');
  await shot(desk, link + '?escala=dia', 'project-day');
  await shot(desk, link + '?escala=mes', 'project-month', async (p) => { await p.locator('g[data-state="blocked"]').focus(); });
  const mobile = await signIn(await browser.newContext({ viewport: { width: 360, height: 740 } }), 'cliente@demo.test');
  await shot(mobile, '/proyectos', 'projects-list-mobile');
  await shot(mobile, link, 'project-mobile');
  const staff = await signIn(await browser.newContext({ viewport: { width: 1280, height: 900 } }), 'agente@demo.test');
  await shot(staff, link + '?escala=dia', 'project-staff-drag', async (p) => {
    const bar = p.locator('g.g-item', { hasText: 'Migrar servidor de archivos' }).locator('.g-bar');
    await bar.scrollIntoViewIfNeeded();
    const b = await bar.boundingBox();
    await p.mouse.move(b.x + b.width / 2, b.y + 9); await p.mouse.down();
    await p.mouse.move(b.x + b.width / 2 + 120, b.y + 9, { steps: 8 }); await p.mouse.up();
    await p.waitForSelector('[data-testid=pending-move]');
  });
  await shot(staff, '/proyectos', 'projects-staff');
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
