import { expect } from '@playwright/test';
import { test, latestMailTo, linkIn, open, signIn } from './helpers';

test('admin invites a person, who sets a password, then resets it via the outbox', async ({ browser }) => {
  const email = `nueva.${Date.now()}@demo.test`;
  const adminCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  await signIn(admin, 'admin@demo.test');
  await expect(admin).toHaveURL(/\/panel$/);

  // Invite a customer of Demo S.A.
  await open(admin, '/admin/usuarios');
  const form = admin.getByTestId('invite-form');
  await form.getByLabel('Nombre').fill('Nueva Persona');
  await form.getByLabel('Correo electrónico').fill(email);
  await form.getByLabel('Rol').selectOption('customer');
  await form.getByLabel('Organización').selectOption({ label: 'Demo S.A.' });
  await form.getByRole('button', { name: 'Enviar invitación' }).click();
  await expect(admin.getByText('Invitación enviada.')).toBeVisible();
  await expect(admin.getByTestId('users-table')).toContainText(email);

  // A second invite with the same email is refused with a clear message.
  await form.getByRole('button', { name: 'Enviar invitación' }).click();
  await expect(form.getByRole('alert')).toHaveText('Ya existe una cuenta con ese correo.');

  // The invitation link from the outbox sets the first password.
  const invite = await latestMailTo(admin, email);
  expect(invite).toContain('le invitó a Any2cloud Portal');
  const userCtx = await browser.newContext();
  const user = await userCtx.newPage();
  await open(user, linkIn(invite));
  await user.getByLabel('Nueva contraseña').fill('password');
  await user.getByRole('button', { name: 'Guardar contraseña' }).click();
  await expect(user.getByRole('alert')).toContainText('más usadas');
  await user.getByLabel('Nueva contraseña').fill('mi primera clave larga');
  await user.getByRole('button', { name: 'Guardar contraseña' }).click();
  await expect(user.getByText('Su contraseña fue guardada.')).toBeVisible();
  await signIn(user, email, 'mi primera clave larga');
  await expect(user).toHaveURL(/\/panel$/);
  await user.getByRole('button', { name: 'Salir' }).click();

  // Forgotten password: request a reset, follow the emailed link once.
  await open(user, '/recuperar-contrasena');
  await user.getByLabel('Correo electrónico').fill(email);
  await user.getByRole('button', { name: 'Enviar enlace' }).click();
  await expect(user.getByText('Si existe una cuenta con ese correo')).toBeVisible();
  const resetMail = await latestMailTo(admin, email);
  expect(resetMail).toContain('Recibimos una solicitud para restablecer la contraseña');
  const reset = linkIn(resetMail);
  await open(user, reset);
  await user.getByLabel('Nueva contraseña').fill('otra clave bien larga');
  await user.getByRole('button', { name: 'Guardar contraseña' }).click();
  await expect(user.getByText('Su contraseña fue guardada.')).toBeVisible();
  // The link works only once.
  await open(user, reset);
  await user.getByLabel('Nueva contraseña').fill('una tercera clave larga');
  await user.getByRole('button', { name: 'Guardar contraseña' }).click();
  await expect(user.getByRole('alert')).toHaveText('El enlace no es válido o ya venció. Solicite uno nuevo.');
  // Old password no longer works; the new one does.
  await signIn(user, email, 'mi primera clave larga');
  await expect(user.getByRole('alert')).toHaveText('Correo o contraseña incorrectos.');
  await signIn(user, email, 'otra clave bien larga');
  await expect(user).toHaveURL(/\/panel$/);
  await adminCtx.close();
  await userCtx.close();
});
