// Screenshots of the store, hour bank and change-request pages (not a test):
// node store-shots.cjs <baseURL> <outdir>   (after the store journeys ran against that portal)
require('./shot-kit.cjs').open(process.argv.slice(2)).then((kit) => kit.run(async () => {
  const { page, signIn, shot, desktop } = kit;
  const anon = await page(desktop);
  await shot(anon, '/tienda', 'store-anonymous');
  const desk = await signIn(desktop, 'cliente@demo.test');
  await shot(desk, '/tienda', 'store-customer');
  await shot(desk, '/horas', 'hours');
  await shot(desk, '/cambios', 'changes');
  await shot(desk, '/cambios/1', 'change-detail');
  await shot(desk, '/tienda/pedidos', 'orders');
  await shot(desk, '/tienda/pedidos/2', 'receipt');
  const mobile = await signIn({ width: 360, height: 740 }, 'cliente@demo.test');
  await shot(mobile, '/tienda', 'store-mobile');
  await shot(mobile, '/horas', 'hours-mobile');
  const admin = await signIn(desktop, 'admin@demo.test');
  await shot(admin, '/admin/tienda', 'store-admin');
  await shot(admin, '/horas', 'hours-admin');
  const agent = await signIn(desktop, 'agente@demo.test');
  await shot(agent, '/cambios/1', 'change-agent');
}));
