import django.db.models.deletion
import django.db.models.functions.text
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MODELS = ("indicator", "measurement", "historicalindicator", "historicalmeasurement")


def move_content_types(apps, schema_editor):
    """Content types follow the models: permissions, admin log and history stay attached."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="impact", model__in=MODELS).delete()
    ContentType.objects.filter(app_label="startups", model__in=MODELS).update(app_label="impact")


def back_to_startups(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="impact", model__in=MODELS).update(app_label="startups")


class Migration(migrations.Migration):
    """Indicators and measurements move from the startups app to impact: state only, the tables
    (with their rows, constraints, indexes and data-change triggers) keep their names."""

    initial = True

    dependencies = [
        ("startups", "0005_impact_moves_to_its_own_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalIndicator',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='nom')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('unit', models.CharField(help_text='Au pluriel, comme on lit une valeur : « dossiers déposés ».', max_length=100, verbose_name='unité')),
                        ('unit_singular', models.CharField(blank=True, help_text="Pour le coût par unité : « 0,42 € par dossier déposé ». Par défaut, l'unité.", max_length=100, verbose_name='unité au singulier')),
                        ('category', models.CharField(choices=[('usable', 'Utilisable'), ('used', 'Utilisé'), ('useful', 'Utile'), ('impact', 'Impact'), ('efficient', 'Efficient')], max_length=20, verbose_name='catégorie')),
                        ('direction', models.CharField(choices=[('higher', "Plus c'est haut, mieux c'est"), ('lower', "Plus c'est bas, mieux c'est")], default='higher', max_length=10, verbose_name='sens')),
                        ('is_count', models.BooleanField(default=True, help_text="Coché : les valeurs de plusieurs périodes s'additionnent (dossiers déposés par mois). Décoché : un taux ou un stock (satisfaction, utilisateurs actifs), qui ne s'additionne pas.", verbose_name='décompte par période')),
                        ('can_be_negative', models.BooleanField(default=False, verbose_name='peut être négatif')),
                        ('target', models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True, verbose_name='cible')),
                        ('target_date', models.DateField(blank=True, null=True, verbose_name='cible à atteindre le')),
                        ('is_north_star', models.BooleanField(default=False, verbose_name='étoile polaire (North Star)')),
                        ('is_public', models.BooleanField(default=True, verbose_name='public')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='ordre')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='créé le')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='modifié le')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('startup', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='startups.startup', verbose_name='startup')),
                    ],
                    options={
                        'verbose_name': 'historical indicateur',
                        'db_table': 'startups_historicalindicator',
                        'verbose_name_plural': 'historical indicateurs',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Indicator',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='nom')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('unit', models.CharField(help_text='Au pluriel, comme on lit une valeur : « dossiers déposés ».', max_length=100, verbose_name='unité')),
                        ('unit_singular', models.CharField(blank=True, help_text="Pour le coût par unité : « 0,42 € par dossier déposé ». Par défaut, l'unité.", max_length=100, verbose_name='unité au singulier')),
                        ('category', models.CharField(choices=[('usable', 'Utilisable'), ('used', 'Utilisé'), ('useful', 'Utile'), ('impact', 'Impact'), ('efficient', 'Efficient')], max_length=20, verbose_name='catégorie')),
                        ('direction', models.CharField(choices=[('higher', "Plus c'est haut, mieux c'est"), ('lower', "Plus c'est bas, mieux c'est")], default='higher', max_length=10, verbose_name='sens')),
                        ('is_count', models.BooleanField(default=True, help_text="Coché : les valeurs de plusieurs périodes s'additionnent (dossiers déposés par mois). Décoché : un taux ou un stock (satisfaction, utilisateurs actifs), qui ne s'additionne pas.", verbose_name='décompte par période')),
                        ('can_be_negative', models.BooleanField(default=False, verbose_name='peut être négatif')),
                        ('target', models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True, verbose_name='cible')),
                        ('target_date', models.DateField(blank=True, null=True, verbose_name='cible à atteindre le')),
                        ('is_north_star', models.BooleanField(default=False, verbose_name='étoile polaire (North Star)')),
                        ('is_public', models.BooleanField(default=True, verbose_name='public')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='ordre')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='créé le')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='modifié le')),
                        ('startup', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='indicators', to='startups.startup', verbose_name='startup')),
                    ],
                    options={
                        'verbose_name': 'indicateur',
                        'db_table': 'startups_indicator',
                        'ordering': ['startup', '-is_north_star', 'position', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalMeasurement',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('period_kind', models.CharField(choices=[('month', 'Mois'), ('day', 'Jour')], default='month', max_length=10, verbose_name='période')),
                        ('period_start', models.DateField(help_text="Pour un mois, n'importe quel jour du mois convient.", verbose_name='début de la période')),
                        ('value', models.DecimalField(decimal_places=4, max_digits=20, verbose_name='valeur')),
                        ('source', models.CharField(blank=True, max_length=500, verbose_name='source')),
                        ('comment', models.TextField(blank=True, verbose_name='commentaire')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='créé le')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='modifié le')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('indicator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='impact.indicator', verbose_name='indicateur')),
                    ],
                    options={
                        'verbose_name': 'historical mesure',
                        'db_table': 'startups_historicalmeasurement',
                        'verbose_name_plural': 'historical mesures',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Measurement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period_kind', models.CharField(choices=[('month', 'Mois'), ('day', 'Jour')], default='month', max_length=10, verbose_name='période')),
                        ('period_start', models.DateField(help_text="Pour un mois, n'importe quel jour du mois convient.", verbose_name='début de la période')),
                        ('value', models.DecimalField(decimal_places=4, max_digits=20, verbose_name='valeur')),
                        ('source', models.CharField(blank=True, max_length=500, verbose_name='source')),
                        ('comment', models.TextField(blank=True, verbose_name='commentaire')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='créé le')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='modifié le')),
                        ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='measurements', to='impact.indicator', verbose_name='indicateur')),
                    ],
                    options={
                        'verbose_name': 'mesure',
                        'db_table': 'startups_measurement',
                        'ordering': ['indicator', 'period_start'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='indicator',
                    constraint=models.UniqueConstraint(condition=models.Q(('is_north_star', True)), fields=('startup',), name='one_north_star_per_startup', violation_error_message="Cette startup a déjà une étoile polaire : décochez-la sur l'autre indicateur avant d'en choisir une nouvelle (une seule par startup)."),
                ),
                migrations.AddConstraint(
                    model_name='indicator',
                    constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('name'), models.F('startup'), name='indicator_name_unique_per_startup', violation_error_message='Cette startup a déjà un indicateur de ce nom.'),
                ),
                migrations.AddConstraint(
                    model_name='indicator',
                    constraint=models.CheckConstraint(condition=models.Q(('target_date__isnull', True), ('target__isnull', False), _connector='OR'), name='indicator_target_date_needs_a_target', violation_error_message='Une date de cible demande une valeur cible.'),
                ),
                migrations.AddIndex(
                    model_name='measurement',
                    index=models.Index(fields=['indicator', '-period_start'], name='measurement_latest'),
                ),
                migrations.AddConstraint(
                    model_name='measurement',
                    constraint=models.UniqueConstraint(fields=('indicator', 'period_kind', 'period_start'), name='one_value_per_indicator_and_period', violation_error_message="Cet indicateur a déjà une valeur pour cette période : corrigez la valeur existante plutôt que d'en ajouter une seconde (l'historique garde l'ancienne)."),
                ),
                migrations.AddConstraint(
                    model_name='measurement',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('period_kind', 'month'), _negated=True), ('period_start__day', 1), _connector='OR'), name='a_month_starts_on_its_first_day', violation_error_message='Une période mensuelle commence le premier du mois.'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, back_to_startups),
    ]
