"""A budgets save from the admin checks the rules once, not twice, without weakening any.

The admin's form runs the service's check (it locks the parent rows), then the service's save
runs it again unless it is provably still true: the same check passed on the same object, with
the same values, in the same transaction (locks still held), with no write to a budgets row
since. And the rows' `CHECK`s are validated in Python (`budgets.constraints`) with the
database's answer. Every test runs at the suite's date (tests/clock.py).
"""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection, models, transaction

from budgets import services
from budgets.constraints import RowCheck, evaluate
from budgets.models import Allocation, Amendment, Commitment, Convention, Payment, Tranche

# Bound here: the tests' own checks are not the save's (`save_time_checks` spies on those).
from budgets.services import BudgetRuleError, check_payment
from tests.factories_budgets import CommitmentFactory, PaymentFactory, TrancheFactory

D = Decimal
BUDGET_MODELS = (Convention, Amendment, Tranche, Allocation, Commitment, Payment)
# Session, user, the admin's transaction (2), the commitment chosen, its existence (form, then
# save), the check (tranche and convention locked, commitment locked, amendments, both sums),
# the service's savepoint (2), the payment, its history, the admin log. 36 before, on the
# profiling database (/work/notes/pay.py): the rules checked twice, each CHECK asked to it.
PAYMENT_POST_QUERIES = 17


def payment_form(commitment, amount="100,00", service_done_on="01/04/2025", paid_on="15/04/2025"):
    return {
        "commitment": commitment.pk,
        "service_done_on": service_done_on,
        "paid_on": paid_on,
        "amount": amount,
        "reference": "DP-1",
    }


def a_payment(amount=None):
    return Payment(
        commitment=CommitmentFactory(amount=D("1000")),
        service_done_on=date(2025, 4, 1),
        paid_on=date(2025, 4, 15),
        amount=D("100") if amount is None else amount,
    )


@pytest.fixture
def save_time_checks(monkeypatch):
    """The checks the service's save ran itself (the form's own check is not counted)."""
    ran = []

    def spy(payment):
        ran.append(payment)
        check_payment(payment)

    monkeypatch.setattr(services, "check_payment", spy)
    return ran


# --- The admin: same results, same refusals, fewer queries ----------------------------------
@pytest.mark.django_db
def test_a_payment_post_saves_it_with_history_and_log_in_few_queries(
    staff_client, staff_user, django_assert_max_num_queries, save_time_checks
):
    commitment = CommitmentFactory(amount=D("1000"))
    with django_assert_max_num_queries(PAYMENT_POST_QUERIES):
        response = staff_client.post("/admin/budgets/payment/add/", payment_form(commitment))
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.commitment, payment.reference) == (
        D("100.00"),
        commitment,
        "DP-1",
    )
    assert payment.history.get().history_user == staff_user
    assert LogEntry.objects.get().object_id == str(payment.pk)
    # The form checked it in the request's transaction: the save did not check it again.
    assert save_time_checks == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"amount": "900,01"},
            "Paiement refusé : il reste 900,00 € à payer sur l&#x27;engagement",
        ),
        (
            {"service_done_on": "05/04/2025", "paid_on": "02/04/2025"},
            "Le paiement ne peut pas précéder le service fait.",
        ),
        ({"amount": "0"}, "Le montant du paiement doit être strictement positif."),
        ({"amount": "-5"}, "Le montant du paiement doit être strictement positif."),
        (
            {"service_done_on": "01/02/2025", "paid_on": "01/02/2025"},
            "Paiement refusé : le service fait (01/02/2025) précède l&#x27;engagement",
        ),
        (
            {"paid_on": "01/01/2027", "service_done_on": "01/04/2025"},
            "La date de paiement (01/01/2027) doit être dans la période de la convention",
        ),
    ],
)
def test_a_refused_payment_shows_the_french_message_and_writes_nothing(staff_client, form, message):
    commitment = CommitmentFactory(amount=D("1000"))
    PaymentFactory(commitment=commitment, amount=D("100"))
    before = (Payment.history.count(), LogEntry.objects.count())
    response = staff_client.post(
        "/admin/budgets/payment/add/", {**payment_form(commitment), **form}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Payment.objects.count() == 1
    assert (Payment.history.count(), LogEntry.objects.count()) == before


@pytest.mark.django_db
def test_a_payment_over_the_tranche_cp_is_refused_on_the_form(staff_client):
    tranche = TrancheFactory(cp_amount=D("500"))
    commitment = CommitmentFactory(allocation__tranche=tranche, amount=D("1000"))
    response = staff_client.post(
        "/admin/budgets/payment/add/", payment_form(commitment, amount="500,01")
    )
    assert response.status_code == 200
    assert "il reste 500,00 € de CP sur la tranche" in response.content.decode()
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_a_payment_changed_from_the_admin_is_checked_once(staff_client, save_time_checks):
    payment = PaymentFactory(commitment__amount=D("1000"), amount=D("100"))
    response = staff_client.post(
        f"/admin/budgets/payment/{payment.pk}/change/",
        payment_form(payment.commitment, amount="1000,00"),
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.amount == D("1000.00")
    assert save_time_checks == []
    refused = staff_client.post(
        f"/admin/budgets/payment/{payment.pk}/change/",
        payment_form(payment.commitment, amount="1000,01"),
    )
    assert "il reste 1 000,00 € à payer" in refused.content.decode()


# --- The save checks again whenever the check may no longer hold ----------------------------
@pytest.mark.django_db
def test_a_value_changed_after_the_check_is_checked_again(save_time_checks):
    payment = a_payment()
    check_payment(payment)
    payment.amount = D("1000.01")
    with pytest.raises(BudgetRuleError, match="il reste 1 000,00 € à payer"):
        services.save_payment(payment=payment)
    assert len(save_time_checks) == 1
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_a_date_changed_after_the_check_is_checked_again():
    commitment = CommitmentFactory(amount=D("1000"), committed_on=date(2025, 3, 1))
    payment = Payment(
        commitment=commitment,
        service_done_on=date(2025, 4, 1),
        paid_on=date(2025, 4, 15),
        amount=D("100"),
    )
    check_payment(payment)
    payment.service_done_on = date(2025, 2, 1)
    with pytest.raises(BudgetRuleError, match="précède l'engagement"):
        services.save_payment(payment=payment)


@pytest.mark.django_db
def test_a_same_value_of_another_type_is_checked_again(save_time_checks):
    """`Decimal(100) == 100`, but the check saw a Decimal: an int is another value."""
    payment = a_payment()
    check_payment(payment)
    payment.amount = 100
    services.save_payment(payment=payment)
    assert len(save_time_checks) == 1


@pytest.mark.django_db
def test_a_write_between_the_check_and_the_save_is_counted(save_time_checks):
    """Another payment written in the same transaction, even without the service."""
    payment = a_payment(D("600"))
    commitment = payment.commitment
    check_payment(payment)
    Payment.objects.create(
        commitment=commitment,
        service_done_on=date(2025, 4, 1),
        paid_on=date(2025, 4, 15),
        amount=D("500"),
    )
    with pytest.raises(BudgetRuleError, match="il reste 500,00 € à payer"):
        services.save_payment(payment=payment)
    assert len(save_time_checks) == 1


@pytest.mark.django_db
def test_another_payment_saved_through_the_service_in_between_is_counted():
    commitment = CommitmentFactory(amount=D("1000"))

    def new(amount):
        return Payment(
            commitment=commitment,
            service_done_on=date(2025, 4, 1),
            paid_on=date(2025, 4, 15),
            amount=amount,
        )

    first, second = new(D("600")), new(D("600"))
    check_payment(first)
    check_payment(second)
    services.save_payment(payment=second)
    with pytest.raises(BudgetRuleError, match="il reste 400,00 € à payer"):
        services.save_payment(payment=first)


@pytest.mark.django_db
def test_a_check_on_another_object_with_the_same_values_proves_nothing(save_time_checks):
    commitment = CommitmentFactory(amount=D("1000"))
    fields = dict(
        commitment=commitment,
        service_done_on=date(2025, 4, 1),
        paid_on=date(2025, 4, 15),
        amount=D("100"),
    )
    check_payment(Payment(**fields))
    services.save_payment(payment=Payment(**fields))
    assert len(save_time_checks) == 1


@pytest.mark.django_db
def test_a_check_in_a_rolled_back_atomic_block_proves_nothing(save_time_checks):
    """Rolling back to a savepoint releases the row locks taken after it."""
    payment = a_payment()

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        check_payment(payment)
        raise Undone
    services.save_payment(payment=payment)
    assert len(save_time_checks) == 1


@pytest.mark.django_db
def test_a_check_in_a_savepoint_rolled_back_by_hand_proves_nothing(save_time_checks):
    payment = a_payment()
    sid = transaction.savepoint_create()
    check_payment(payment)
    transaction.savepoint_rollback(sid)
    services.save_payment(payment=payment)
    assert len(save_time_checks) == 1


@pytest.mark.django_db
def test_a_rollback_sent_as_sql_ends_the_proof(save_time_checks):
    payment = a_payment()
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT by_hand")
        check_payment(payment)
        cursor.execute("ROLLBACK TO SAVEPOINT by_hand")
    services.save_payment(payment=payment)
    assert len(save_time_checks) == 1


@pytest.mark.django_db
def test_a_released_savepoint_keeps_the_proof(save_time_checks):
    """Releasing a savepoint keeps its locks: the check still holds."""
    payment = a_payment()
    with transaction.atomic():
        check_payment(payment)
    services.save_payment(payment=payment)
    assert save_time_checks == []


@pytest.mark.django_db
def test_other_execute_wrappers_are_left_alone(save_time_checks):
    def mine(execute, sql, params, many, context):
        return execute(sql, params, many, context)

    payment = a_payment()
    with connection.execute_wrapper(mine):
        check_payment(payment)
    assert mine not in connection.execute_wrappers
    services.save_payment(payment=payment)
    assert save_time_checks == []


@pytest.mark.django_db
def test_a_proof_serves_one_save(save_time_checks):
    payment = a_payment()
    check_payment(payment)
    services.save_payment(payment=payment)
    assert save_time_checks == []
    services.save_payment(payment=payment)
    assert len(save_time_checks) == 1


@pytest.mark.django_db(transaction=True)
def test_a_check_in_another_transaction_is_checked_again(save_time_checks):
    payment = a_payment(D("600"))
    commitment = payment.commitment
    with transaction.atomic():
        check_payment(payment)
    # Committed meanwhile by someone else: the first check's locks were gone.
    services.record_payment(
        commitment=commitment,
        service_done_on=date(2025, 4, 1),
        paid_on=date(2025, 4, 15),
        amount=D("500"),
    )
    with transaction.atomic(), pytest.raises(BudgetRuleError, match="il reste 500,00 €"):
        services.save_payment(payment=payment)
    assert Payment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_check_in_autocommit_proves_nothing(save_time_checks):
    payment = a_payment()
    with pytest.raises(transaction.TransactionManagementError):
        check_payment(payment)  # it locks: never outside a transaction
    with transaction.atomic():
        check_payment(payment)
    services.save_payment(payment=payment)
    assert len(save_time_checks) == 1


@pytest.mark.django_db
def test_a_refused_check_leaves_no_proof(save_time_checks):
    commitment = CommitmentFactory(amount=D("100"))
    payment = Payment(
        commitment=commitment,
        service_done_on=date(2025, 4, 1),
        paid_on=date(2025, 4, 15),
        amount=D("100.01"),
    )
    with pytest.raises(BudgetRuleError):
        check_payment(payment)
    with pytest.raises(BudgetRuleError):
        services.save_payment(payment=payment)
    assert len(save_time_checks) == 1


# --- Rows' CHECKs in Python: the database's answer --------------------------------------------
SAMPLES = {
    models.DecimalField: [None, D("-1"), D("0"), D("0.01"), D("5")],
    models.DateField: [None, date(2025, 1, 1), date(2025, 1, 2), date(2024, 12, 31)],
    models.CharField: ["", "équipe transverse"],
    models.TextField: ["", "motif"],
    models.ForeignKey: [None, 1],
}


def row_checks():
    for model in BUDGET_MODELS:
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.CheckConstraint):
                yield pytest.param(model, constraint, id=constraint.name)


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "constraint"), row_checks())
def test_python_gives_the_database_answer_for_every_row_check(model, constraint):
    assert isinstance(constraint, RowCheck)
    names = sorted(set(_referenced(constraint.condition)))
    fields = [model._meta.get_field(name) for name in names]
    samples = [SAMPLES[type(field)] for field in fields]
    for values in itertools.product(*samples):
        instance = model(
            **{field.attname: value for field, value in zip(fields, values, strict=True)}
        )
        in_python = evaluate(constraint.condition, model, instance) is not False
        try:
            models.CheckConstraint.validate(constraint, model, instance)
            in_database = True
        except Exception:  # noqa: BLE001 - a ValidationError: the database refused
            in_database = False
        assert in_python == in_database, dict(zip(names, values, strict=True))


def _referenced(condition):
    for child in condition.children:
        if isinstance(child, models.Q):
            yield from _referenced(child)
        else:
            lookup, right = child
            yield lookup.split("__")[0]
            if isinstance(right, models.F):
                yield right.name


def test_row_checks_stay_plain_check_constraints_in_migrations():
    constraint = Payment._meta.constraints[0]
    assert constraint.deconstruct()[0] == "django.db.models.CheckConstraint"


@pytest.mark.django_db
def test_what_python_cannot_decide_is_left_to_the_database(django_assert_num_queries):
    """A comparison of texts follows the collation: asked to the database, as Django does."""
    constraint = RowCheck(
        condition=models.Q(workstream__gt="m"), name="t", violation_error_message="x"
    )
    with django_assert_num_queries(3):  # savepoint, SELECT, release
        constraint.validate(Allocation, Allocation(workstream="z"))
