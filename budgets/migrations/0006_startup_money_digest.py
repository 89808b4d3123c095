"""A digest of a startup's money rows, computed by PostgreSQL: the fingerprint of its page.

`budgets.public.startup_fingerprint` says whether a startup's page still shows its current
money when only budgets data changed (a payment to another startup). Rebuilding the budget block
for that (`startup_budget`: three ORM queries) cost ~1.2 ms a hit, mostly building the queries.
This function reads every row the block is computed from, whole (any column a later block shows
is already in it): the startup's allocations with their tranche and convention, their
commitments, their payments. One index lookup each; plpgsql keeps the plans for the session.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION budgets_startup_money_digest(startup text) RETURNS text AS $$
BEGIN
    -- concat reads a NULL (no row) as empty; each part says which rows follow.
    RETURN encode(sha256(convert_to(concat(
        'allocations:',
        (SELECT string_agg(concat(a, t, v), ',' ORDER BY a.id)
           FROM budgets_allocation a
           JOIN budgets_tranche t ON t.id = a.tranche_id
           JOIN budgets_convention v ON v.id = t.convention_id
          WHERE a.startup_id = startup),
        '|commitments:',
        (SELECT string_agg(c::text, ',' ORDER BY c.id)
           FROM budgets_commitment c
           JOIN budgets_allocation a ON a.id = c.allocation_id
          WHERE a.startup_id = startup),
        '|payments:',
        (SELECT string_agg(p::text, ',' ORDER BY p.id)
           FROM budgets_payment p
           JOIN budgets_commitment c ON c.id = p.commitment_id
           JOIN budgets_allocation a ON a.id = c.allocation_id
          WHERE a.startup_id = startup)
    ), 'UTF8')), 'hex');
END $$ LANGUAGE plpgsql STABLE;
"""

REVERSE_SQL = "DROP FUNCTION IF EXISTS budgets_startup_money_digest(text);"


class Migration(migrations.Migration):
    dependencies = [("budgets", "0005_allocation_period")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
