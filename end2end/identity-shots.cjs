// Screenshots of the identity pages (not a test): node identity-shots.cjs <baseURL> <outdir>
// The account's WhatsApp number waiting for staff, the staff lists on Usuarios (numbers to
// confirm, requests to join), the organisations' auto-join switch and the address
// confirmation page, at 1280 px and on a 390 px phone.
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
  const signIn = async (width, email) => {
    const ctx = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(base + '/ingresar'); await page.waitForSelector('body[data-hydrated="true"]');
    await page.fill('#email', email); await page.fill('#password', 'Demo-2026!');
    await page.click('button[type=submit]'); await page.waitForURL('**/panel');
    return page;
  };
  const olga = await signIn(390, 'cliente2@otra.test');
  await shot(olga, '/cuenta', 'account-phone-mobile', async (p) => {
    await p.fill('[data-testid=phone-form] input[name=phone]', '+506 7000 1111');
    await p.click('[data-testid=phone-form] button[type=submit]');
    await p.waitForSelector('[data-testid=phone-awaiting-staff], [data-testid=phone-code-sent]');
  });
  const admin = await signIn(1280, 'admin@demo.test');
  await shot(admin, '/admin/usuarios', 'users-staff-lists');
  await shot(admin, '/admin/organizaciones', 'orgs-auto-join');
  const anon = await browser.newPage({ viewport: { width: 390, height: 800 } });
  await shot(anon, '/confirmar-correo?token=abc', 'confirm-address-mobile');
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
