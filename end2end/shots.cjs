// Screenshots of the knowledge-base pages (not a test): node shots.cjs <baseURL> <outdir>
require('./shot-kit.cjs').open(process.argv.slice(2)).then((kit) => kit.run(async () => {
  const { page, signIn, shot, desktop } = kit;
  const anon = await page(desktop);
  await shot(anon, '/kb', 'kb-home');
  await shot(anon, '/kb', 'kb-typing', async (p) => { await p.fill('[data-testid=kb-search]', 'configuracion'); await p.waitForSelector('.hits'); });
  await shot(anon, '/kb/buscar?q=impresoras', 'kb-results');
  await shot(anon, '/kb/equipos-e-impresoras/la-impresora-no-imprime-aparece-fuera-de-linea-o-la-cola-se-atasca', 'kb-article');
  await shot(anon, '/kb/soporte-y-sla', 'kb-category');
  await shot(await page({ width: 360, height: 740 }), '/kb/cuentas-y-acceso/como-restablecer-la-contrasena-del-portal', 'kb-article-mobile');
  const ed = await signIn(desktop, 'editor@demo.test');
  await shot(ed, '/editor/articulos', 'editor-dashboard');
  await shot(ed, '/editor/articulos/1', 'editor-edit');
  await shot(ed, '/editor/articulos/1/historial', 'editor-history');
  await shot(ed, '/editor/categorias', 'editor-categories');
  const cu = await signIn(desktop, 'cliente@demo.test');
  await shot(cu, '/tickets/nuevo', 'ticket-suggestions', async (p) => { await p.type('#subject', 'No puedo conectarme a la VPN', { delay: 20 }); await p.waitForSelector('[data-testid=suggestions]'); });
}));
