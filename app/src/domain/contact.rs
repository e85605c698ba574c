/// One of the company's contact channels from the service model ("Servicios de Soporte").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactChannel {
    /// i18n key suffix under `home.channel_*`.
    pub key: &'static str,
    pub label: &'static str,
    pub url: &'static str,
}

pub const CONTACT_CHANNELS: [ContactChannel; 5] = [
    ContactChannel {
        key: "whatsapp",
        label: "+506 6303 6361",
        url: "https://wa.me/50663036361",
    },
    ContactChannel {
        key: "messenger",
        label: "m.me/any2cloud",
        url: "https://m.me/any2cloud",
    },
    ContactChannel {
        key: "instagram",
        label: "Instagram Direct",
        url: "https://www.instagram.com/direct/inbox/",
    },
    ContactChannel {
        key: "web",
        label: "www.any2cloud.com",
        url: "https://www.any2cloud.com",
    },
    ContactChannel {
        key: "email",
        label: "soporte@any2cloud.com",
        url: "mailto:soporte@any2cloud.com",
    },
];
