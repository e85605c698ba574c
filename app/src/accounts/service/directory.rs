//! Organisations and users: creating and listing them, invitations, join requests for new
//! contacts, the outbox view, and the demo accounts.

use super::*;
use crate::accounts::command::{CreateOrg, InviteUser};

impl Accounts {
    /// New senders at customers' mail domains waiting to join (staff).
    pub async fn join_requests(&self, principal: &Principal) -> Result<Vec<JoinRequest>, AppError> {
        principal.require(&[Role::Admin, Role::Agent])?;
        Ok(self.store.join_requests().await?)
    }

    /// Staff let a sender into the organisation they wrote from (their tickets follow them),
    /// or leave them a contact of their own.
    pub async fn decide_join(
        &self,
        principal: &Principal,
        user_id: i64,
        approve: bool,
    ) -> Result<(), AppError> {
        principal.require(&[Role::Admin, Role::Agent])?;
        let request = self
            .store
            .join_requests()
            .await?
            .into_iter()
            .find(|r| r.user_id == user_id)
            .ok_or(ErrorCode::NotFound)?;
        if approve {
            self.store
                .take_over_contact(
                    user_id,
                    &request.name,
                    Role::Customer,
                    Some(request.org_id),
                    self.clock.now(),
                )
                .await?;
        } else {
            self.store.clear_join(user_id).await?;
        }
        tracing::info!(
            user.id = user_id,
            org.id = request.org_id,
            approve,
            staff.id = principal.user.id,
            "join request decided"
        );
        Ok(())
    }

    /// Whether new senders at the organisation's domain join it by themselves (admins).
    pub async fn set_auto_join(
        &self,
        principal: &Principal,
        org_id: i64,
        on: bool,
    ) -> Result<(), AppError> {
        principal.require(&[Role::Admin])?;
        Ok(self.store.set_auto_join(org_id, on).await?)
    }

    pub async fn create_org(
        &self,
        principal: &Principal,
        CreateOrg { name, plan }: CreateOrg,
    ) -> Result<OrgSummary, AppError> {
        principal.require(&[Role::Admin])?;
        let id = self
            .store
            .create_org(name.as_str(), plan, self.clock.now())
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::field(ErrorCode::OrgNameTaken, "name"),
                other => other.into(),
            })?;
        self.store
            .get_org(id)
            .await?
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    /// Staff see every organisation; a customer sees only their own.
    pub async fn list_orgs(&self, principal: &Principal) -> Result<Vec<OrgSummary>, AppError> {
        match principal.role() {
            Role::Admin | Role::Agent => Ok(self.store.list_orgs().await?),
            Role::Customer => match principal.org_id() {
                Some(id) => Ok(self.store.get_org(id).await?.into_iter().collect()),
                None => Ok(vec![]),
            },
            Role::Editor => Err(ErrorCode::Forbidden.into()),
        }
    }

    /// One organisation. Another organisation's id answers 404 to a customer, like a missing one.
    pub async fn get_org(&self, principal: &Principal, id: i64) -> Result<OrgSummary, AppError> {
        match principal.role() {
            Role::Admin | Role::Agent => {}
            Role::Customer if principal.org_id() == Some(id) => {}
            Role::Customer => return Err(ErrorCode::NotFound.into()),
            Role::Editor => return Err(ErrorCode::Forbidden.into()),
        }
        self.store
            .get_org(id)
            .await?
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    pub async fn list_users(&self, principal: &Principal) -> Result<Vec<UserSummary>, AppError> {
        principal.require(&[Role::Admin])?;
        Ok(self.store.list_users().await?)
    }

    /// Creates an account without a password and emails a link to set one.
    pub async fn invite_user(
        &self,
        principal: &Principal,
        invite: InviteUser,
    ) -> Result<UserSummary, AppError> {
        principal.require(&[Role::Admin])?;
        let InviteUser {
            email,
            name,
            role,
            org_id,
        } = invite;
        if let Some(org) = org_id {
            self.store
                .get_org(org)
                .await?
                .ok_or_else(|| AppError::field(ErrorCode::OrgRequired, "organization_id"))?;
        }
        let now = self.clock.now();
        let created = self
            .store
            .create_user(NewUser {
                email: email.as_str(),
                name: name.as_str(),
                role,
                org_id,
                password_hash: None,
                now,
            })
            .await;
        let id = match created {
            Ok(id) => id,
            Err(StoreError::Conflict(_)) => {
                // A contact made from someone's email, chat or confirmed address (no password,
                // an organisation of their own) becomes the invited person instead of
                // blocking the invitation.
                let existing = self.store.find_user_by_email(email.as_str()).await?;
                match existing {
                    Some(u) if is_contact(&u) => {
                        self.store
                            .take_over_contact(u.id, name.as_str(), role, org_id, now)
                            .await?;
                        tracing::info!(user.id = u.id, "invitation took over a contact");
                        u.id
                    }
                    _ => return Err(AppError::field(ErrorCode::EmailTaken, "email")),
                }
            }
            Err(other) => return Err(other.into()),
        };
        let token = new_token();
        self.store
            .create_token(
                id,
                TokenPurpose::Invite,
                &self.key.hash(&token),
                now,
                now + Duration::days(INVITE_TOKEN_DAYS),
            )
            .await?;
        let link = format!(
            "{}/restablecer-contrasena?token={token}",
            self.settings.public_url
        );
        let body = format!(
            "Hola {name}:\n\n{inviter} le invitó a Any2cloud Portal, el portal de soporte de Any2cloud.\n\
             Cree su contraseña con este enlace (vence en 7 días):\n\n{link}\n\n\
             --\nHello {name}: {inviter} invited you to Any2cloud Portal. Set your password with the link above (valid 7 days).\n",
            name = name.as_str(),
            inviter = principal.user.name,
        );
        self.send_mail(email.as_str(), "Invitación a Any2cloud Portal", &body)
            .await?;
        self.store
            .list_users()
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    pub async fn outbox(&self, principal: &Principal) -> Result<Vec<OutboxMail>, AppError> {
        principal.require(&[Role::Admin])?;
        Ok(self.outbox.list(200).await?)
    }

    /// Loads the demo organisations and accounts; safe to run at every start.
    /// The id of the user with this email (demo data needs its authors).
    pub async fn user_id_by_email(&self, email: &str) -> Result<i64, AppError> {
        self.store
            .find_user_by_email(email)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    pub async fn seed_demo(&self) -> Result<(), AppError> {
        const PASSWORD: &str = "Demo-2026!";
        let now = self.clock.now();
        let mut org_ids = Vec::new();
        for (name, plan) in [
            ("Demo S.A.", SupportPlan::Premium),
            ("Otra Empresa S.R.L.", SupportPlan::Standard),
        ] {
            let id = match self.store.find_org_by_name(name).await? {
                Some(id) => id,
                None => self.store.create_org(name, plan, now).await?,
            };
            org_ids.push(id);
        }
        let people = [
            ("admin@demo.test", "Ana Administradora", Role::Admin, None),
            ("agente@demo.test", "Andrés Agente", Role::Agent, None),
            ("editor@demo.test", "Elena Editora", Role::Editor, None),
            (
                "cliente@demo.test",
                "Carlos Cliente",
                Role::Customer,
                Some(org_ids[0]),
            ),
            (
                "cliente2@otra.test",
                "Olga Otra",
                Role::Customer,
                Some(org_ids[1]),
            ),
        ];
        let mut hash = None;
        for (email, name, role, org_id) in people {
            if self.store.find_user_by_email(email).await?.is_some() {
                continue;
            }
            if hash.is_none() {
                let password =
                    Password::new(PASSWORD.into()).map_err(|_| internal("demo password"))?;
                hash = Some(hash_password(&password).await?);
            }
            let id = self
                .store
                .create_user(NewUser {
                    email,
                    name,
                    role,
                    org_id,
                    password_hash: hash.as_deref(),
                    now,
                })
                .await?;
            // The demo customer's WhatsApp number: conversations from it carry Premium's SLA.
            if email == "cliente@demo.test" {
                self.store
                    .verify_phone(id, DEMO_CUSTOMER_PHONE, now)
                    .await?;
            }
        }
        Ok(())
    }
}
