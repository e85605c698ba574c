// Screenshots of the chat widget and the agent console (not a test): node chat-shots.cjs <baseURL> <outdir>
const { chromium } = require('@playwright/test');
(async () => {
  const [base, out] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const hydrated = (p) => p.waitForSelector('body[data-hydrated="true"]', { timeout: 30000 });
  const signIn = async (ctx, email) => {
    const p = await ctx.newPage();
    await p.goto(base + '/ingresar'); await hydrated(p);
    await p.fill('#email', email); await p.fill('#password', 'Demo-2026!');
    await p.click('button[type=submit]'); await p.waitForURL('**/panel'); await hydrated(p);
    return p;
  };
  const snap = async (p, name) => { await p.waitForTimeout(500); await p.screenshot({ path: `${out}/${name}.png` }); };

  // Nobody online: the after-hours form.
  const visitor = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  await visitor.goto(base + '/'); await hydrated(visitor);
  await visitor.click('[data-testid=chat-launcher]');
  await visitor.waitForSelector('[data-testid=chat-after-hours]');
  await visitor.fill('[data-testid=chat-leave-body]', 'La impresora no imprime');
  await visitor.waitForSelector('[data-testid=chat-suggestions]');
  await snap(visitor, 'chat-after-hours');

  // Agent online; the customer starts a chat; the agent accepts and answers.
  const agent = await signIn(await browser.newContext({ viewport: { width: 1280, height: 860 } }), 'agente@demo.test');
  await agent.goto(base + '/agente/chat'); await hydrated(agent);
  await agent.selectOption('[data-testid=presence]', 'online');
  await agent.waitForTimeout(500);
  const mobileCtx = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const customer = await signIn(mobileCtx, 'cliente@demo.test');
  await customer.click('[data-testid=chat-launcher]');
  await customer.fill('[data-testid=chat-first]', 'Hola, no puedo imprimir desde la computadora de recepción');
  await snap(customer, 'chat-prechat-mobile');
  await customer.click('[data-testid=chat-start]');
  await customer.waitForSelector('[data-testid=chat-waiting]');
  await agent.waitForSelector('[data-testid=queue-item]');
  await snap(agent, 'console-queue');
  await agent.click('[data-testid=accept]');
  await agent.waitForSelector('[data-testid=conversation]');
  await agent.fill('[data-testid=chat-input]', '¡Hola Carlos! ¿La impresora muestra algún error en pantalla?');
  await agent.press('[data-testid=chat-input]', 'Enter');
  await customer.waitForSelector('.msg.theirs');
  await customer.type('[data-testid=chat-input]', 'Dice "fuera de línea"', { delay: 30 });
  await agent.waitForSelector('[data-testid=chat-typing]:not(:empty)');
  await snap(agent, 'console-chat');
  await snap(customer, 'chat-live-mobile');
  await customer.press('[data-testid=chat-input]', 'Enter');
  await mobileCtx.setOffline(true);
  await customer.waitForSelector('[data-testid=chat-link]');
  await snap(customer, 'chat-offline-mobile');
  await mobileCtx.setOffline(false);
  await agent.click('[data-testid=close-chat]');
  await customer.waitForSelector('[data-testid=chat-ended]');
  await snap(customer, 'chat-ended-mobile');
  await agent.selectOption('[data-testid=presence]', 'offline');
  const admin = await signIn(await browser.newContext({ viewport: { width: 1280, height: 860 } }), 'admin@demo.test');
  await admin.goto(base + '/admin/respuestas'); await hydrated(admin);
  await snap(admin, 'canned-admin');
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
