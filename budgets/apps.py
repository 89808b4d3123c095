from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = "Budgets"

    def ready(self):
        # A cut-off day that is not one stops the start, naming the variable.
        from budgets.services import last_order_day

        last_order_day(2001)
