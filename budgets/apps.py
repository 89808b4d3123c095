from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = "Budgets"

    def ready(self):
        # The impact pages (in startups) set impact against money, but startups never imports
        # budgets: budgets hands its readers to the registry startups keeps for that.
        from budgets import selectors
        from startups.impact_sources import register_money_source

        register_money_source(
            cp_paid_by_half_year=selectors.cp_paid_by_half_year,
            programme_totals=selectors.programme_totals,
            startups_with_budget_figures=selectors.startups_with_budget_figures,
        )
