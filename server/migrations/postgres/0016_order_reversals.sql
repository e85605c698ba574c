-- Card payments reversed after the fact in Stripe (refunds made in its dashboard, disputes).
-- The payment intent links those events to the order; refunded_cents is Stripe's running total
-- of what was given back, disputed_cents what a dispute holds (0 once won), shortfall_minutes
-- the purchased minutes that could not be taken back because they were already spent.
ALTER TABLE store_orders ADD COLUMN payment_intent TEXT;
ALTER TABLE store_orders ADD COLUMN refunded_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE store_orders ADD COLUMN disputed_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE store_orders ADD COLUMN dispute_status TEXT;
ALTER TABLE store_orders ADD COLUMN shortfall_minutes BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX store_orders_payment_intent ON store_orders (payment_intent);
-- Orders an admin refunded in the portal gave everything back; what was spent is the shortfall.
UPDATE store_orders SET refunded_cents = price_cents,
    shortfall_minutes = hours * 60 - COALESCE(refunded_minutes, 0)
    WHERE status = 'refunded';
