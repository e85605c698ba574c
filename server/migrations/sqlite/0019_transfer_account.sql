-- The account customers pay bank transfers and SINPE Móvil into, as the admin keeps it: shown
-- on every transfer order, its receipt, its email and its API representation.
ALTER TABLE store_settings ADD COLUMN bank_name TEXT;
ALTER TABLE store_settings ADD COLUMN account_holder TEXT;
ALTER TABLE store_settings ADD COLUMN iban TEXT;
ALTER TABLE store_settings ADD COLUMN sinpe_number TEXT;
