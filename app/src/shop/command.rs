//! What customers and admins ask of the store, parsed once from form or JSON input: placing an
//! order, saving a package, the transfer instructions and an organisation's purchase policy.
//! Whether a package exists or an organisation may buy needs the catalogue: the service checks.

use super::{PayMethod, PurchasePolicy};
use crate::domain::hours::{parse_usd_cents, Package};
use crate::error::{AppError, ErrorCode};
use crate::kernel::text::bounded_text;

bounded_text!(
    /// The bank-transfer instructions shown with every transfer order.
    TransferInstructions { max: 2_000, required: true, code: BodyRequired, too_long: MessageTooLong, field: "instructions" }
);
bounded_text!(
    /// The bank customers transfer to.
    BankName { max: 80, required: true, code: BankRequired, field: "bank" }
);
bounded_text!(
    /// Whose account it is.
    AccountHolder { max: 120, required: true, code: HolderRequired, field: "holder" }
);

/// A Costa Rican IBAN: `CR` and 20 digits, spaces and dashes ignored, with a valid ISO 13616
/// check (mod 97), so a mistyped digit is caught before customers pay into it.
pub fn parse_cr_iban(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    let digits = compact.strip_prefix("CR")?;
    if digits.len() != 20 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // Move the country and check digits to the end, letters as numbers (C=12, R=27).
    let rearranged = format!("{}1227{}", &digits[2..], &digits[..2]);
    let remainder = rearranged
        .bytes()
        .fold(0_u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
    (remainder == 1).then_some(compact)
}

/// A SINPE Móvil number: a Costa Rican mobile line (8 digits starting with 5–8), with or without
/// `+506`, spaces or dashes; kept as `8888-7777`.
pub fn parse_sinpe(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let local = match digits.len() {
        11 => digits.strip_prefix("506")?,
        8 => digits.as_str(),
        _ => return None,
    };
    matches!(local.as_bytes()[0], b'5'..=b'8').then(|| format!("{}-{}", &local[..4], &local[4..]))
}

/// The transfer account as an admin saves it; the SINPE Móvil number is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveTransferAccount(pub super::TransferAccount);

impl SaveTransferAccount {
    pub fn parse(bank: &str, holder: &str, iban: &str, sinpe: &str) -> Result<Self, AppError> {
        let bank = BankName::parse(bank)?;
        let holder = AccountHolder::parse(holder)?;
        let iban =
            parse_cr_iban(iban).ok_or_else(|| AppError::field(ErrorCode::IbanInvalid, "iban"))?;
        let sinpe = match sinpe.trim() {
            "" => None,
            raw => Some(
                parse_sinpe(raw)
                    .ok_or_else(|| AppError::field(ErrorCode::SinpeInvalid, "sinpe"))?,
            ),
        };
        Ok(SaveTransferAccount(super::TransferAccount {
            bank: bank.into_inner(),
            holder: holder.into_inner(),
            iban,
            sinpe,
        }))
    }
}

bounded_text!(
    /// A package's name in the catalogue.
    PackageName { max: 80, required: true, code: PackageInvalid, field: "name" }
);

/// A package's stable code: lowercase letters, digits and dashes (`sc-basico`), at most 40.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageCode(String);

impl PackageCode {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let code = raw.trim();
        let ok = !code.is_empty()
            && code.len() <= 40
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        ok.then(|| PackageCode(code.to_owned()))
            .ok_or_else(|| AppError::field(ErrorCode::PackageInvalid, "code"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A customer orders a package, paying by card or transfer. An unknown code is refused by the
/// service as `package_unknown`, a malformed one here the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceOrder {
    pub package: PackageCode,
    pub method: PayMethod,
}

impl PlaceOrder {
    pub fn parse(package: &str, method: &str) -> Result<Self, AppError> {
        let method = method
            .trim()
            .parse()
            .map_err(|_| AppError::field(ErrorCode::InvalidInput, "method"))?;
        let package = PackageCode::parse(package)
            .map_err(|_| AppError::field(ErrorCode::PackageUnknown, "package"))?;
        Ok(PlaceOrder { package, method })
    }
}

/// The package form as typed: numbers and the price in dollars arrive as text.
#[derive(Debug, Clone, Copy)]
pub struct PackageInput<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub hours: &'a str,
    pub price: &'a str,
    pub validity_months: &'a str,
    pub active: bool,
}

/// A package as an admin saves it: within the limits the catalogue and the ledger accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavePackage(Package);

impl SavePackage {
    pub fn into_package(self) -> Package {
        self.0
    }
}

impl TryFrom<PackageInput<'_>> for SavePackage {
    type Error = AppError;

    fn try_from(input: PackageInput<'_>) -> Result<Self, AppError> {
        let invalid = |field: &str| AppError::field(ErrorCode::PackageInvalid, field);
        let number = |text: &str, field: &str, max: u32| {
            text.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| invalid(field))
        };
        let code = PackageCode::parse(input.code)?;
        let name = PackageName::parse(input.name)?;
        let hours = number(input.hours, "hours", 10_000)?;
        let price_cents = parse_usd_cents(input.price)
            .filter(|c| (1..=100_000_000).contains(c))
            .ok_or_else(|| invalid("price_cents"))?;
        let validity_months = number(input.validity_months, "validity_months", 60)?;
        Ok(SavePackage(Package {
            code: code.0,
            name: name.into_inner(),
            hours,
            price_cents,
            validity_months,
            active: input.active,
        }))
    }
}

/// Who may buy for an organisation, from its code.
pub fn parse_policy(raw: &str) -> Result<PurchasePolicy, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::field(ErrorCode::InvalidInput, "policy"))
}

#[cfg(test)]
mod tests {

    #[test]
    fn costa_rican_ibans_are_checked_digit_by_digit() {
        assert_eq!(
            parse_cr_iban("cr05 0152 0200 1026 2840 66").as_deref(),
            Some("CR05015202001026284066")
        );
        assert_eq!(
            parse_cr_iban("CR05015202001026284067"),
            None,
            "one digit wrong"
        );
        assert_eq!(parse_cr_iban("CR0501520200102628406"), None, "19 digits");
        assert_eq!(
            parse_cr_iban("ES9121000418450200051332"),
            None,
            "another country"
        );
        assert_eq!(parse_cr_iban(""), None);
    }

    #[test]
    fn sinpe_numbers_are_costa_rican_mobiles() {
        assert_eq!(parse_sinpe("+506 6303 6361").as_deref(), Some("6303-6361"));
        assert_eq!(parse_sinpe("8888-7777").as_deref(), Some("8888-7777"));
        assert_eq!(parse_sinpe("2222-3333"), None, "a landline");
        assert_eq!(parse_sinpe("123"), None);
        let err = SaveTransferAccount::parse("Banco", "Any2cloud", "CR05015202001026284066", "12")
            .expect_err("bad sinpe");
        assert_eq!(err.field.as_deref(), Some("sinpe"));
        assert!(
            SaveTransferAccount::parse("Banco", "Any2cloud", "CR05015202001026284066", "")
                .is_ok_and(|a| a.0.sinpe.is_none())
        );
    }

    use super::*;

    fn package<'a>(hours: &'a str, price: &'a str, months: &'a str) -> PackageInput<'a> {
        PackageInput {
            code: " sc-basico ",
            name: "SC Básico",
            hours,
            price,
            validity_months: months,
            active: true,
        }
    }

    fn field(result: Result<SavePackage, AppError>) -> Option<String> {
        result.expect_err("refused").field
    }

    #[test]
    fn a_package_is_parsed_with_its_price_in_cents() {
        let p = SavePackage::try_from(package("10", "900", "12"))
            .expect("valid")
            .into_package();
        assert_eq!(
            (p.code.as_str(), p.hours, p.price_cents),
            ("sc-basico", 10, 90_000)
        );
        assert_eq!(
            field(SavePackage::try_from(package("0", "900", "12"))),
            Some("hours".into())
        );
        assert_eq!(
            field(SavePackage::try_from(package("10", "gratis", "12"))),
            Some("price_cents".into())
        );
        assert_eq!(
            field(SavePackage::try_from(package("10", "900", "61"))),
            Some("validity_months".into())
        );
        let bad_code = PackageInput {
            code: "SC Básico",
            ..package("10", "900", "12")
        };
        assert_eq!(field(SavePackage::try_from(bad_code)), Some("code".into()));
    }

    #[test]
    fn an_order_names_a_known_method_and_a_well_formed_package() {
        let order = PlaceOrder::parse("sc-medio", " transfer ").expect("valid");
        assert_eq!(order.method, PayMethod::Transfer);
        assert_eq!(
            PlaceOrder::parse("sc-medio", "cheque").map_err(|e| e.field),
            Err(Some("method".into()))
        );
        assert_eq!(
            PlaceOrder::parse("'; drop", "card").map_err(|e| e.code),
            Err(ErrorCode::PackageUnknown)
        );
    }
}
