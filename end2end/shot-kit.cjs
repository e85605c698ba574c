// What every screenshot script (the *-shots.cjs files, not tests) shares: a headless Chromium,
// signing in as a demo account, and a full-page screenshot once the page has hydrated, with the
// page's console errors and panics printed so a broken page is noticed.
// Usage: const kit = await require('./shot-kit.cjs').open(process.argv.slice(2));
const { chromium } = require('@playwright/test');

const HYDRATED = 'body[data-hydrated="true"]';

async function open([base, out]) {
  if (!base || !out) throw new Error('usage: node <script> <baseURL> <outdir>');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const hydrated = (page) => page.waitForSelector(HYDRATED, { timeout: 30000 });
  const watch = (page, label) => {
    if (page._watched) return;
    page._watched = true;
    page.on('console', (m) => { if (m.type() === 'error') console.log(label, 'console:', m.text().slice(0, 300)); });
    page.on('pageerror', (e) => console.log(label, 'pageerror:', e.message.slice(0, 300)));
  };
  const page = async (viewport = { width: 1280, height: 900 }) => (await browser.newContext({ viewport })).newPage();
  const signIn = async (viewport, email) => {
    const p = await page(viewport);
    await p.goto(base + '/ingresar'); await hydrated(p);
    await p.fill('#email', email); await p.fill('#password', 'Demo-2026!');
    await p.click('button[type=submit]'); await p.waitForURL('**/panel'); await hydrated(p);
    return p;
  };
  // Opens `path` (when given), runs `setup`, and saves `<outdir>/<name>.png`.
  const shot = async (p, path, name, setup) => {
    watch(p, name);
    if (path) { await p.goto(base + path); await hydrated(p); }
    if (setup) await setup(p);
    await p.waitForTimeout(500);
    await p.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  };
  const run = (body) => body().then(() => browser.close()).catch((e) => { console.error(e); process.exit(1); });
  return { base, out, browser, hydrated, page, signIn, shot, run, desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };
}

module.exports = { open };
