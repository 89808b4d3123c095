from django.contrib.admin import apps as admin_apps


class PortfolioAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, whose home is the staff dashboard (portfolio/admin_site.py)."""

    default = False
    default_site = "portfolio.admin_site.PortfolioAdminSite"
