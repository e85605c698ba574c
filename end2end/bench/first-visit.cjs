// First-visit benchmark: how long a page takes to become interactive (hydrated) on a throttled
// connection with an empty browser cache, and what it downloads. Not a test: it prints figures.
//
//   node end2end/bench/first-visit.cjs http://127.0.0.1:3000 [runs] [page filter, e.g. KB]
//
// Needs a running portal with demo data (`bash .ci/serve`). For each network profile and page it
// opens a fresh browser context `runs` times (default 5), signs in first where the page needs it
// (unthrottled, before the cache is dropped), then loads the page throttled and waits for
// `body[data-hydrated]`. Reports the median time, the bytes received and the WASM requests.
const { chromium } = require('@playwright/test');

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const runs = Number(process.argv[3] ?? 5);
const profiles = [
  // Chrome DevTools' "Slow 4G" and a good mobile/office connection.
  { name: 'slow 4G (1.6 Mbit/s, 150 ms)', latency: 150, down: 1.6e6 / 8, up: 750e3 / 8 },
  { name: 'fast (10 Mbit/s, 40 ms)', latency: 40, down: 10e6 / 8, up: 5e6 / 8 },
];
const pages = [
  { name: 'KB home (visitor)', path: '/kb' },
  { name: 'sign-in (visitor)', path: '/ingresar' },
  { name: 'ticket list (customer)', path: '/tickets', user: 'cliente@demo.test' },
  { name: 'project Gantt (customer)', path: '/proyectos', user: 'cliente@demo.test', first: 'a[href^="/proyectos/"]' },
];

const only = process.argv[4];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function visit(browser, profile, page) {
  const context = await browser.newContext({ locale: 'es-CR' });
  const tab = await context.newPage();
  let path = page.path;
  if (page.user) {
    await tab.goto(`${base}/ingresar`);
    await tab.waitForSelector('body[data-hydrated="true"]');
    await tab.getByLabel('Correo electrónico').fill(page.user);
    await tab.getByLabel('Contraseña').fill('Demo-2026!');
    await tab.getByRole('button', { name: 'Ingresar' }).click();
    await tab.waitForURL(/\/panel$/);
    if (page.first) {
      await tab.goto(`${base}${page.path}`);
      path = await tab.locator(page.first).first().getAttribute('href');
    }
    // Let the signed-in page finish its own downloads (its area's chunks): started before the
    // measurement, they would be counted with it, and fetched again after the cache is dropped.
    await tab.waitForSelector('body[data-hydrated="true"]');
    await tab.waitForLoadState('networkidle');
  }
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Network.enable');
  // An empty HTTP cache (what signing in loaded is dropped); not "cache disabled", which would
  // also keep the page's preloads (`Link: rel=preload`) from being used.
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: profile.latency, downloadThroughput: profile.down, uploadThroughput: profile.up,
  });
  let bytes = 0, wasm = 0;
  const urls = new Map();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    if ((urls.get(e.requestId) ?? '').endsWith('.wasm')) wasm += 1;
  });
  const fetched = new Map();
  cdp.on('Network.responseReceived', (e) => {
    if (!e.response.fromDiskCache && !e.response.fromPrefetchCache) fetched.set(e.response.url, (fetched.get(e.response.url) ?? 0) + 1);
  });
  const start = Date.now();
  await tab.goto(`${base}${path}`, { waitUntil: 'commit', timeout: 120_000 });
  await tab.waitForSelector('body[data-hydrated="true"]', { timeout: 120_000 });
  const ms = Date.now() - start;
  const twice = [...fetched].filter(([, n]) => n > 1).map(([u]) => u);
  if (twice.length > 0) console.log(`    downloaded twice: ${twice.join(' ')}`);
  await context.close();
  return { ms, bytes, wasm };
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  for (const profile of profiles) {
    console.log(`\n${profile.name}, ${runs} cold visits each: median time to interactive, received, WASM requests`);
    for (const page of pages.filter((p) => !only || p.name.includes(only))) {
      const results = [];
      for (let i = 0; i < runs; i++) results.push(await visit(browser, profile, page));
      const ms = median(results.map((r) => r.ms));
      const kb = Math.round(median(results.map((r) => r.bytes)) / 1024);
      const wasm = median(results.map((r) => r.wasm));
      console.log(`  ${page.name.padEnd(28)} ${String(ms).padStart(6)} ms  ${String(kb).padStart(6)} KiB  ${wasm} WASM`);
    }
  }
  await browser.close();
})();
