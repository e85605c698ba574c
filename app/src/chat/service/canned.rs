//! Canned responses agents insert with a `/shortcut`.

use super::*;

impl Chats {
    pub async fn canned(&self, principal: &Principal) -> Result<Vec<CannedResponse>, AppError> {
        Self::staff(principal)?;
        Ok(self.store.canned().await?)
    }

    pub async fn save_canned(
        &self,
        principal: &Principal,
        id: Option<i64>,
        cmd: SaveCanned,
    ) -> Result<i64, AppError> {
        principal.require(&[Role::Admin])?;
        self.store
            .save_canned(
                id,
                &cmd.shortcut,
                cmd.title.as_str(),
                cmd.body.as_str(),
                self.clock.now(),
            )
            .await
            .map_err(|e| match e {
                crate::kernel::StoreError::Conflict(_) => {
                    AppError::field(ErrorCode::ShortcutTaken, "shortcut")
                }
                other => other.into(),
            })
    }

    pub async fn delete_canned(&self, principal: &Principal, id: i64) -> Result<(), AppError> {
        principal.require(&[Role::Admin])?;
        Ok(self.store.delete_canned(id).await?)
    }

    /// Demo canned responses, once.
    pub async fn seed_demo(&self) -> Result<(), AppError> {
        if !self.store.canned().await?.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        for (shortcut, title, body) in [
            (
                "saludo",
                "Saludo",
                "¡Hola! Gracias por escribir a Any2cloud. ¿En qué le podemos ayudar?",
            ),
            (
                "espera",
                "Un momento",
                "Permítame un momento mientras reviso su caso, por favor.",
            ),
            (
                "cierre",
                "Despedida",
                "¿Hay algo más en lo que le pueda ayudar? Que tenga un excelente día.",
            ),
        ] {
            self.store
                .save_canned(None, shortcut, title, body, now)
                .await?;
        }
        Ok(())
    }
}
