// Screenshots of the store, hour bank and change-request pages (not a test):
// node store-shots.cjs <baseURL> <outdir>   (after the store journeys ran against that portal)
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
  const shot = async (page, path, name) => {
    if (!page._logging) { page._logging = true; page.on('console', m => { if (m.type() === 'error') console.log(name, 'console:', m.text().slice(0, 300)); }); page.on('pageerror', e => console.log(name, 'pageerror:', e.message.slice(0, 300))); }
    await page.goto(base + path);
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  };
  const anon = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await shot(anon, '/tienda', 'store-anonymous');
  const desk = await signIn(await browser.newContext({ viewport: { width: 1280, height: 900 } }), 'cliente@demo.test');
  await shot(desk, '/tienda', 'store-customer');
  await shot(desk, '/horas', 'hours');
  await shot(desk, '/cambios', 'changes');
  await shot(desk, '/cambios/1', 'change-detail');
  await shot(desk, '/tienda/pedidos', 'orders');
  await shot(desk, '/tienda/pedidos/2', 'receipt');
  const mobile = await signIn(await browser.newContext({ viewport: { width: 360, height: 740 } }), 'cliente@demo.test');
  await shot(mobile, '/tienda', 'store-mobile');
  await shot(mobile, '/horas', 'hours-mobile');
  const admin = await signIn(await browser.newContext({ viewport: { width: 1280, height: 900 } }), 'admin@demo.test');
  await shot(admin, '/admin/tienda', 'store-admin');
  await shot(admin, '/horas', 'hours-admin');
  const agent = await signIn(await browser.newContext({ viewport: { width: 1280, height: 900 } }), 'agente@demo.test');
  await shot(agent, '/cambios/1', 'change-agent');
  await browser.close();
})();
