import { defineConfig, devices } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Each run gets its own portal on its own port with a fresh SQLite database and demo data.
const port = Number(process.env.E2E_PORT ?? 3111);
// A fake Stripe on loopback for card payments (see fake-stripe.cjs).
const stripePort = port + 1;
const stripe = { STRIPE_SECRET_KEY: 'sk_test_e2e', STRIPE_WEBHOOK_SECRET: 'whsec_e2e' };
// A fake Graph API on loopback for WhatsApp / Messenger replies (see fake-graph.cjs).
const graphPort = port + 2;
const meta = { META_APP_SECRET: 'meta-secret-e2e', META_VERIFY_TOKEN: 'verify-e2e', META_ACCESS_TOKEN: 'graph-e2e' };
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-e2e-'));
const root = path.resolve(__dirname, '..');

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    locale: 'es-CR',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: [{
    command: `node ${path.join(__dirname, 'fake-stripe.cjs')}`,
    url: `http://127.0.0.1:${stripePort}/health`,
    reuseExistingServer: false,
    timeout: 20_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: { ...stripe, FAKE_STRIPE_PORT: String(stripePort), PORTAL_URL: `http://127.0.0.1:${port}` },
  }, {
    command: `node ${path.join(__dirname, 'fake-graph.cjs')}`,
    url: `http://127.0.0.1:${graphPort}/health`,
    reuseExistingServer: false,
    timeout: 20_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: { ...meta, FAKE_GRAPH_PORT: String(graphPort) },
  }, {
    command: path.join(root, 'target', 'release', 'server'),
    cwd: root,
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: path.join(root, 'target', 'site'),
      PORTAL_DATA_DIR: dataDir,
      PORTAL_DEMO: '1',
      // Journeys must not depend on the hour they run at; business hours are unit-tested.
      PORTAL_CHAT_HOURS: 'always',
      RUST_LOG: 'warn',
      ...stripe,
      STRIPE_API_BASE: `http://127.0.0.1:${stripePort}`,
      ...meta,
      META_GRAPH_BASE: `http://127.0.0.1:${graphPort}`,
      // WhatsApp numbers customers give are proven by a code sent from this number id.
      META_WHATSAPP_PHONE_ID: 'PN-E2E',
      // The inbound-mail webhook (email.spec.ts posts raw messages to it).
      INBOUND_MAIL_TOKEN: 'mail-e2e',
    },
  }],
});
