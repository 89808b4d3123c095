"""The sum rules, enforced by the database too: whatever writes (raw SQL, bulk loads, a bug in a
service), allocations never exceed their tranche, tranches never exceed the ceiling, commitments
never exceed their allocation, payments never exceed their commitment nor the tranche's CP.

Each trigger first locks the parent row (`FOR UPDATE`), then sums in a new statement: in READ
COMMITTED that statement sees what a concurrent transaction committed while we waited for the
lock, so two concurrent writes cannot overspend together. `budgets.services` checks the same
rules first, with a French message saying how much is left; these are the last line.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION budgets_current_ceiling(convention bigint) RETURNS numeric AS $$
    SELECT coalesce(
        (SELECT new_ceiling FROM budgets_amendment
          WHERE convention_id = convention AND new_ceiling IS NOT NULL
          ORDER BY signed_on DESC, id DESC LIMIT 1),
        (SELECT ceiling FROM budgets_convention WHERE id = convention));
$$ LANGUAGE sql STABLE;

CREATE FUNCTION budgets_check_convention(convention bigint) RETURNS void AS $$
DECLARE ceiling_ numeric; ae numeric; cp numeric;
BEGIN
    PERFORM 1 FROM budgets_convention WHERE id = convention FOR UPDATE;
    ceiling_ := budgets_current_ceiling(convention);
    SELECT coalesce(sum(ae_amount), 0), coalesce(sum(cp_amount), 0) INTO ae, cp
      FROM budgets_tranche WHERE convention_id = convention;
    IF ae > ceiling_ OR cp > ceiling_ THEN
        RAISE EXCEPTION 'Les tranches de la convention (% € en AE, % € en CP) dépassent son plafond (% €).',
            ae, cp, ceiling_ USING ERRCODE = 'check_violation', CONSTRAINT = 'tranches_within_ceiling';
    END IF;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION budgets_check_tranche(tranche bigint) RETURNS void AS $$
DECLARE ae numeric; cp numeric; allocated numeric; paid numeric;
BEGIN
    SELECT ae_amount, cp_amount INTO ae, cp FROM budgets_tranche WHERE id = tranche FOR UPDATE;
    SELECT coalesce(sum(amount), 0) INTO allocated FROM budgets_allocation WHERE tranche_id = tranche;
    IF allocated > ae THEN
        RAISE EXCEPTION 'Les allocations de la tranche (% €) dépassent ses AE (% €).', allocated, ae
            USING ERRCODE = 'check_violation', CONSTRAINT = 'allocations_within_tranche';
    END IF;
    SELECT coalesce(sum(p.amount), 0) INTO paid FROM budgets_payment p
      JOIN budgets_commitment c ON c.id = p.commitment_id
      JOIN budgets_allocation a ON a.id = c.allocation_id WHERE a.tranche_id = tranche;
    IF paid > cp THEN
        RAISE EXCEPTION 'Les paiements de la tranche (% €) dépassent ses CP (% €).', paid, cp
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_within_tranche_cp';
    END IF;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION budgets_check_allocation(allocation bigint) RETURNS void AS $$
DECLARE allocated numeric; committed numeric;
BEGIN
    SELECT amount INTO allocated FROM budgets_allocation WHERE id = allocation FOR UPDATE;
    SELECT coalesce(sum(amount), 0) INTO committed FROM budgets_commitment WHERE allocation_id = allocation;
    IF committed > allocated THEN
        RAISE EXCEPTION 'Les engagements de l''allocation (% €) dépassent son montant (% €).', committed, allocated
            USING ERRCODE = 'check_violation', CONSTRAINT = 'commitments_within_allocation';
    END IF;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION budgets_check_commitment(commitment bigint) RETURNS void AS $$
DECLARE committed numeric; paid numeric;
BEGIN
    SELECT amount INTO committed FROM budgets_commitment WHERE id = commitment FOR UPDATE;
    SELECT coalesce(sum(amount), 0) INTO paid FROM budgets_payment WHERE commitment_id = commitment;
    IF paid > committed THEN
        RAISE EXCEPTION 'Les paiements de l''engagement (% €) dépassent son montant (% €).', paid, committed
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_within_commitment';
    END IF;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION budgets_convention_changed() RETURNS trigger AS $$
BEGIN
    PERFORM budgets_check_convention(NEW.id);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION budgets_amendment_changed() RETURNS trigger AS $$
BEGIN
    PERFORM budgets_check_convention(CASE WHEN TG_OP = 'DELETE' THEN OLD.convention_id ELSE NEW.convention_id END);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION budgets_tranche_changed() RETURNS trigger AS $$
BEGIN
    PERFORM budgets_check_convention(NEW.convention_id);
    PERFORM budgets_check_tranche(NEW.id);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION budgets_allocation_changed() RETURNS trigger AS $$
BEGIN
    PERFORM budgets_check_tranche(NEW.tranche_id);
    PERFORM budgets_check_allocation(NEW.id);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION budgets_commitment_changed() RETURNS trigger AS $$
BEGIN
    PERFORM budgets_check_allocation(NEW.allocation_id);
    PERFORM budgets_check_commitment(NEW.id);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION budgets_payment_changed() RETURNS trigger AS $$
BEGIN
    PERFORM budgets_check_tranche(
        (SELECT a.tranche_id FROM budgets_commitment c JOIN budgets_allocation a ON a.id = c.allocation_id
          WHERE c.id = NEW.commitment_id));
    PERFORM budgets_check_commitment(NEW.commitment_id);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER budgets_convention_sum_rules AFTER UPDATE OF ceiling ON budgets_convention
    FOR EACH ROW EXECUTE FUNCTION budgets_convention_changed();
CREATE TRIGGER budgets_amendment_sum_rules AFTER INSERT OR UPDATE OR DELETE ON budgets_amendment
    FOR EACH ROW EXECUTE FUNCTION budgets_amendment_changed();
CREATE TRIGGER budgets_tranche_sum_rules AFTER INSERT OR UPDATE ON budgets_tranche
    FOR EACH ROW EXECUTE FUNCTION budgets_tranche_changed();
CREATE TRIGGER budgets_allocation_sum_rules AFTER INSERT OR UPDATE ON budgets_allocation
    FOR EACH ROW EXECUTE FUNCTION budgets_allocation_changed();
CREATE TRIGGER budgets_commitment_sum_rules AFTER INSERT OR UPDATE ON budgets_commitment
    FOR EACH ROW EXECUTE FUNCTION budgets_commitment_changed();
CREATE TRIGGER budgets_payment_sum_rules AFTER INSERT OR UPDATE ON budgets_payment
    FOR EACH ROW EXECUTE FUNCTION budgets_payment_changed();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS budgets_convention_sum_rules ON budgets_convention;
DROP TRIGGER IF EXISTS budgets_amendment_sum_rules ON budgets_amendment;
DROP TRIGGER IF EXISTS budgets_tranche_sum_rules ON budgets_tranche;
DROP TRIGGER IF EXISTS budgets_allocation_sum_rules ON budgets_allocation;
DROP TRIGGER IF EXISTS budgets_commitment_sum_rules ON budgets_commitment;
DROP TRIGGER IF EXISTS budgets_payment_sum_rules ON budgets_payment;
DROP FUNCTION IF EXISTS budgets_convention_changed(), budgets_amendment_changed(),
    budgets_tranche_changed(), budgets_allocation_changed(), budgets_commitment_changed(),
    budgets_payment_changed(), budgets_check_convention(bigint), budgets_check_tranche(bigint),
    budgets_check_allocation(bigint), budgets_check_commitment(bigint),
    budgets_current_ceiling(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("budgets", "0002_track_changes")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
