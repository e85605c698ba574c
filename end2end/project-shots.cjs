// Screenshots of the project pages (not a test): node project-shots.cjs <baseURL> <outdir>
require('./shot-kit.cjs').open(process.argv.slice(2)).then((kit) => kit.run(async () => {
  const { page, signIn, shot, desktop } = kit;
  const desk = await signIn(desktop, 'cliente@demo.test');
  await shot(desk, '/proyectos', 'projects-list');
  const link = await desk.locator('.project-card a', { hasText: 'Migración a AWS' }).getAttribute('href');
  await shot(desk, link, 'project-week');
  await shot(desk, link + '?escala=dia', 'project-day');
  await shot(desk, link + '?escala=mes', 'project-month', async (p) => { await p.locator('g[data-state="blocked"]').focus(); });
  const mobile = await signIn({ width: 360, height: 740 }, 'cliente@demo.test');
  await shot(mobile, '/proyectos', 'projects-list-mobile');
  await shot(mobile, link, 'project-mobile');
  const staff = await signIn(desktop, 'agente@demo.test');
  await shot(staff, link + '?escala=dia', 'project-staff-drag', async (p) => {
    const bar = p.locator('g.g-item', { hasText: 'Migrar servidor de archivos' }).locator('.g-bar');
    await bar.scrollIntoViewIfNeeded();
    const b = await bar.boundingBox();
    await p.mouse.move(b.x + b.width / 2, b.y + 9); await p.mouse.down();
    await p.mouse.move(b.x + b.width / 2 + 120, b.y + 9, { steps: 8 }); await p.mouse.up();
    await p.waitForSelector('[data-testid=pending-move]');
  });
  await shot(staff, '/proyectos', 'projects-staff');
}));
