-- What went wrong with an order's payment that staff must look at (a Stripe payment whose
-- amount or currency does not match the order), shown on the store's admin page.
ALTER TABLE store_orders ADD COLUMN payment_problem TEXT;
