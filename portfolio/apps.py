from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortfolioConfig(AppConfig):
    default = True
    name = "portfolio"
    verbose_name = "Portefeuille"

    def ready(self):
        from django.urls import register_converter

        from portfolio.converters import IdentifierConverter

        register_converter(IdentifierConverter, "ident")


class PortfolioAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, whose home is the staff dashboard (portfolio/admin_site.py)."""

    default = False
    default_site = "portfolio.admin_site.PortfolioAdminSite"
