import { expect, request as pwRequest, Page, APIRequestContext } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { test, open, signIn } from './helpers';

// Stored XSS: every payload in xss-payloads.txt (script tags, event handlers, javascript: and
// data: URLs, SVG, markdown link tricks, attribute breakouts) is stored as knowledge-base
// article bodies, a ticket description and replies, chat messages and names; then every page
// that shows them is rendered in Chromium. No dialog may open, and the rendered DOM may hold
// no event-handler attribute, no javascript:/data:text/html URL, no injected script, frame,
// object, base or meta refresh. (The CSP would also stop inline scripts; this checks that the
// markup never gets that far.)

const payloads = fs.readFileSync(path.join(__dirname, '..', 'xss-payloads.txt'), 'utf8')
  .split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.replace(/\\n/g, '\n'));

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function api(baseURL: string, email?: string): Promise<APIRequestContext> {
  if (!email) return pwRequest.newContext({ baseURL });
  const anon = await pwRequest.newContext({ baseURL });
  const res = await anon.post('/api/v1/auth/token', { data: { email, password: 'Demo-2026!' } });
  expect(res.status()).toBe(200);
  const { token } = await res.json();
  await anon.dispose();
  return pwRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
}

/** What in the rendered DOM could run script. */
async function dangerous(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    const urlAttrs = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'poster', 'background', 'to'];
    const inspect = (root: ParentNode, where: string) => {
      for (const el of Array.from(root.querySelectorAll('*'))) {
        for (const a of Array.from(el.attributes)) {
          const name = a.name.toLowerCase();
          const value = a.value.toLowerCase().replace(/[\s\u0000-\u001f]/g, '');
          if (name.startsWith('on')) bad.push(`${where}${el.tagName} ${name}`);
          if (name === 'srcdoc') bad.push(`${where}${el.tagName} srcdoc`);
          if (urlAttrs.includes(name) && (value.startsWith('javascript:') || value.startsWith('data:text/html'))) {
            bad.push(`${where}${el.tagName} ${name}=${value.slice(0, 40)}`);
          }
          if (name === 'style' && value.includes('javascript:')) bad.push(`${where}${el.tagName} style`);
        }
      }
      // The portal's own scripts carry the CSP nonce (its hydration data holds the payloads as
      // escaped JSON strings, which is fine); an executable script without it was injected.
      for (const s of Array.from(root.querySelectorAll('script')) as HTMLScriptElement[]) {
        const executable = ['', 'text/javascript', 'module', 'application/javascript'].includes(s.type.toLowerCase());
        const empty = !s.src && !(s.textContent ?? '').trim(); // Leptos emits one empty <script>
        if (executable && !empty && !s.nonce) bad.push(`${where}script without nonce: ${(s.textContent ?? s.src).slice(0, 60)}`);
      }
      for (const s of Array.from(root.querySelectorAll('style'))) {
        if ((s.textContent ?? '').includes('javascript:')) bad.push(`${where}injected style`);
      }
      for (const sel of ['iframe', 'object', 'embed', 'base', 'meta[http-equiv]', 'math', 'marquee']) {
        if (root.querySelector(sel)) bad.push(`${where}element ${sel}`);
      }
    };
    inspect(document, '');
    // Leptos may stream <template>s of its own: what they hold must be as clean.
    for (const t of Array.from(document.querySelectorAll('template'))) inspect(t.content, 'template: ');
    return bad;
  });
}

test('stored XSS payloads never run on any page that shows them', async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  expect(payloads.length).toBeGreaterThanOrEqual(100);
  const run = String(Date.now()).slice(-6);
  const groups = chunks(payloads, 10);
  const body = (group: string[], i: number) => [`MARCA-XSS-${run}-${i}`, ...group].join('\n\n');

  // Knowledge base: an editor publishes the payloads, ten per article, one in each title.
  const editor = await api(baseURL!, 'editor@demo.test');
  const articles: string[] = [];
  for (const [i, group] of groups.entries()) {
    let res = await editor.post('/api/v1/kb/articles', {
      data: {
        title: `Prueba XSS ${run} ${i} ${group[0]}`, body_md: body(group, i), lang: 'es',
        category: 'soporte-y-sla', visibility: 'public', status: 'published', summary: group[1] ?? '',
      },
    });
    if (res.status() === 422) {
      // A title the portal refuses is fine too: then the body alone carries the payloads.
      res = await editor.post('/api/v1/kb/articles', {
        data: { title: `Prueba XSS ${run} ${i}`, body_md: body(group, i), lang: 'es', category: 'soporte-y-sla', visibility: 'public', status: 'published' },
      });
    }
    expect(res.status(), await res.text()).toBe(201);
    articles.push(`/kb/soporte-y-sla/${(await res.json()).slug}`);
  }

  // Tickets: a customer (Otra Empresa) files one with every payload, and replies ten at a time.
  const customer = await api(baseURL!, 'cliente2@otra.test');
  const created = await customer.post('/api/v1/tickets', {
    data: { subject: `XSS ${run} ${payloads[1]}`, body: body(payloads.slice(0, 60), 0), kind: 'question', priority: 'normal' },
  });
  expect(created.status(), await created.text()).toBe(201);
  const ticket = (await created.json()).id;
  for (const [i, group] of groups.entries()) {
    const res = await customer.post(`/api/v1/tickets/${ticket}/replies`, { data: { body: body(group, i) } });
    expect(res.status(), await res.text()).toBeLessThan(300);
  }

  // Chat: a visitor whose name is a payload (or a plain one if names refuse markup) sends them.
  const visitor = await api(baseURL!);
  let started = await visitor.post('/api/v1/chats', { data: { name: `Vera ${payloads[1]}`, email: `vera.${run}@visita.test` } });
  if (started.status() === 422) {
    started = await visitor.post('/api/v1/chats', { data: { name: `Vera XSS ${run}`, email: `vera.${run}@visita.test` } });
  }
  expect(started.status(), await started.text()).toBe(201);
  const chat = await started.json();
  for (const [i, group] of groups.entries()) {
    const res = await visitor.post(`/api/v1/chats/${chat.id}/messages`, {
      data: { body: body(group, i), client_id: `xss-${run}-${i}` },
      headers: { authorization: `Bearer ${chat.token}` },
    });
    expect(res.status(), await res.text()).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 300));
  }

  const dialogs: string[] = [];
  const check = async (page: Page, where: string, marker?: string) => {
    page.on('dialog', (d) => { dialogs.push(`${where}: ${d.message()}`); void d.dismiss(); });
    await open(page, where);
    if (marker) await expect(page.locator('body')).toContainText(marker);
    expect(await dangerous(page), where).toEqual([]);
  };

  const reader = await (await browser.newContext()).newPage();
  for (const [i, url] of articles.entries()) await check(reader, url, `MARCA-XSS-${run}-${i}`);
  await check(reader, `/kb/buscar?q=${encodeURIComponent('Prueba XSS ' + run)}`);

  const owner = await (await browser.newContext()).newPage();
  await signIn(owner, 'cliente2@otra.test');
  await expect(owner).toHaveURL(/\/panel$/);
  await check(owner, '/tickets');
  await check(owner, `/tickets/${ticket}`, `MARCA-XSS-${run}-${groups.length - 1}`);

  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, 'agente@demo.test');
  await expect(agent).toHaveURL(/\/panel$/);
  await check(agent, '/tickets');
  await check(agent, `/tickets/${ticket}`, `MARCA-XSS-${run}-0`);
  await check(agent, '/agente/chat');

  expect(dialogs).toEqual([]);
  for (const ctx of [editor, customer, visitor]) await ctx.dispose();
});
