// Screenshots of the identity pages (not a test): node identity-shots.cjs <baseURL> <outdir>
// The account's WhatsApp number waiting for staff, the staff lists on Usuarios (numbers to
// confirm, requests to join), the organisations' auto-join switch and the address
// confirmation page, at 1280 px and on a 390 px phone.
require('./shot-kit.cjs').open(process.argv.slice(2)).then((kit) => kit.run(async () => {
  const { page, signIn, shot, desktop, phone } = kit;
  const olga = await signIn(phone, 'cliente2@otra.test');
  await shot(olga, '/cuenta', 'account-phone-mobile', async (p) => {
    await p.fill('[data-testid=phone-form] input[name=phone]', '+506 7000 1111');
    await p.click('[data-testid=phone-form] button[type=submit]');
    await p.waitForSelector('[data-testid=phone-awaiting-staff], [data-testid=phone-code-sent]');
  });
  const admin = await signIn(desktop, 'admin@demo.test');
  await shot(admin, '/admin/usuarios', 'users-staff-lists');
  await shot(admin, '/admin/organizaciones', 'orgs-auto-join');
  await shot(await page(phone), '/confirmar-correo?token=abc', 'confirm-address-mobile');
}));
