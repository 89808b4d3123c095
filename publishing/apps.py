from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publication"

    def ready(self):
        from django.urls import register_converter

        from publishing.converters import IdentifierConverter

        register_converter(IdentifierConverter, "ident")
