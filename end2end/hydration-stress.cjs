// Loads signed-in pages many times in fresh browser contexts while the data behind them
// changes, and reports any hydration failure with the browser's errors and the requests the
// page made while hydrating. Usage: PORTAL_URL=http://127.0.0.1:3210 node hydration-stress.cjs
const { chromium } = require('playwright-core');
const base = process.env.PORTAL_URL ?? 'http://127.0.0.1:3210';
const rounds = Number(process.env.ROUNDS ?? 40);
const paths = (process.env.PATHS ?? '/horas,/proyectos,/admin/usuarios,/editor/articulos,/cambios').split(',');

async function signIn(page, email) {
  await page.goto(base + '/ingresar');
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached' });
  await page.getByLabel('Correo electrónico').fill(email);
  await page.getByLabel('Contraseña').fill('Demo-2026!');
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await page.waitForURL(/\/panel$/);
}

/** Keeps changing what the pages show (new staff users, tickets, hour adjustments) while they
 * load. */
async function mutate(stop) {
  const auth = await (await fetch(base + '/api/v1/auth/token', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.test', password: 'Demo-2026!' }) })).json();
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${auth.token}` };
  const customer = await (await fetch(base + '/api/v1/auth/token', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'cliente@demo.test', password: 'Demo-2026!' }) })).json();
  const asCustomer = { 'content-type': 'application/json', authorization: `Bearer ${customer.token}` };
  let n = 0;
  while (!stop.done) {
    n++;
    await fetch(base + '/api/v1/users', { method: 'POST', headers, body: JSON.stringify({ email: `stress${Date.now()}${n}@demo.test`, name: `Stress ${n}`, role: 'agent' }) });
    await fetch(base + '/api/v1/tickets', { method: 'POST', headers: asCustomer, body: JSON.stringify({ subject: `Stress ${n}`, body: 'Cambia la cola', kind: 'question', priority: 'normal' }) });
    await fetch(base + '/api/v1/hours/adjustments', { method: 'POST', headers, body: JSON.stringify({ organization_id: 1, minutes: 30, reason: `stress ${n}`, validity_months: 12 }) });
    await new Promise((r) => setTimeout(r, 150));
  }
}

(async () => {
  const stop = { done: false };
  const mutator = process.env.MUTATE ? mutate(stop) : Promise.resolve();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  let failures = 0;
  for (let i = 0; i < rounds; i++) {
    const path = paths[i % paths.length];
    const email = path.startsWith('/admin') || path.startsWith('/editor') ? 'admin@demo.test'
      : path.startsWith('/tickets') || path.startsWith('/agente') ? 'agente@demo.test' : 'cliente@demo.test';
    const ctx = await browser.newContext({ locale: 'es-CR' });
    const page = await ctx.newPage();
    const log = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') log.push(`console.${m.type()}: ${m.text().slice(0, 400)}`); });
    page.on('pageerror', (e) => log.push(`pageerror: ${e.message.slice(0, 400)}`));
    page.on('request', (r) => { if (r.method() === 'POST') log.push(`POST ${r.url()}`); });
    await signIn(page, email);
    log.length = 0;
    await page.goto(base + path);
    try {
      await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached', timeout: 15000 });
      const posts = log.filter((l) => l.startsWith('POST'));
      if (posts.length) console.log(`${path}: hydrated but requested ${posts.join(', ')}`);
    } catch {
      failures++;
      console.log(`FAILED ${path}:\n  ${log.join('\n  ')}`);
    }
    await ctx.close();
  }
  console.log(`${failures} failures in ${rounds} loads`);
  stop.done = true;
  await mutator;
  await browser.close();
})();
