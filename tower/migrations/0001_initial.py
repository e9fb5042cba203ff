"""The tower link's models, moved here from ``fleet`` with their tables (``fleet_tower*``).

State only: the tables were created by fleet's 0004/0005 and stay as they are. The content types
move with the models so staff permissions on them survive the move.
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


MODELS = ["towercommand", "towerevent", "towerincident", "towerlink"]


def content_types_to_tower(apps, schema_editor) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="tower", model__in=MODELS).exists():
        ContentType.objects.filter(app_label="fleet", model__in=MODELS).update(app_label="tower")


def content_types_to_fleet(apps, schema_editor) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="fleet", model__in=MODELS).exists():
        ContentType.objects.filter(app_label="tower", model__in=MODELS).update(app_label="fleet")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('fleet', '0006_tower_models_moved_out'),
        ('testdrives', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='TowerLink',
                    fields=[
                        ('tower', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='link', serialize=False, to='fleet.tower')),
                        ('epoch', models.PositiveIntegerField(default=1)),
                        ('applied_seq', models.PositiveBigIntegerField(default=0)),
                        ('mode', models.CharField(default='unknown', max_length=8, verbose_name='controller mode')),
                        ('mode_reason', models.CharField(blank=True, max_length=200)),
                        ('speed', models.FloatField(default=1.0, verbose_name='time scale')),
                        ('lifts_busy', models.PositiveSmallIntegerField(default=0)),
                        ('reachable', models.BooleanField(default=False)),
                        ('inventory_loaded_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'verbose_name': 'tower controller link',
                        'verbose_name_plural': 'tower controller links',
                        'db_table': 'fleet_towerlink',
                    },
                ),
                migrations.CreateModel(
                    name='TowerCommand',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('command_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='command id')),
                        ('kind', models.CharField(choices=[('retrieve', 'Retrieve (storage → delivery)'), ('store', 'Store (delivery → storage)'), ('relocate', 'Relocate (storage → storage)')], max_length=8, verbose_name='kind')),
                        ('vin', models.CharField(max_length=17, verbose_name='VIN')),
                        ('priority', models.PositiveSmallIntegerField(default=0, verbose_name='priority')),
                        ('reason', models.CharField(blank=True, max_length=200, verbose_name='reason')),
                        ('status', models.CharField(choices=[('pending', 'Waiting to be sent'), ('accepted', 'Accepted, queued'), ('running', 'Running'), ('completed', 'Completed'), ('failed', 'Failed'), ('aborted', 'Aborted'), ('rejected', 'Rejected'), ('cancelled', 'Cancelled before sending')], default='pending', max_length=10, verbose_name='status')),
                        ('fault_code', models.CharField(blank=True, max_length=40, verbose_name='fault / rejection')),
                        ('detail', models.CharField(blank=True, max_length=300, verbose_name='detail')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='send attempts')),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt')),
                        ('claimed_until', models.DateTimeField(blank=True, null=True)),
                        ('lift', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='lift')),
                        ('estimate_s', models.FloatField(blank=True, null=True, verbose_name='estimate (tower s)')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='first acknowledged')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('replaces', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replaced_by', to='tower.towercommand')),
                        ('source_bay', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='outbound_commands', to='fleet.bay')),
                        ('target_bay', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='inbound_commands', to='fleet.bay')),
                        ('test_drive', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tower_commands', to='testdrives.testdrive')),
                        ('tower', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='commands', to='fleet.tower')),
                        ('vehicle', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tower_commands', to='fleet.vehicle')),
                    ],
                    options={
                        'verbose_name': 'tower command',
                        'verbose_name_plural': 'tower commands',
                        'db_table': 'fleet_towercommand',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='TowerEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('epoch', models.PositiveIntegerField(default=1)),
                        ('seq', models.PositiveBigIntegerField()),
                        ('kind', models.CharField(max_length=20)),
                        ('command_uuid', models.UUIDField(blank=True, db_index=True, null=True)),
                        ('payload', models.JSONField()),
                        ('via', models.CharField(default='webhook', max_length=8)),
                        ('received_at', models.DateTimeField(auto_now_add=True)),
                        ('applied_at', models.DateTimeField(blank=True, null=True)),
                        ('command', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='events', to='tower.towercommand')),
                        ('tower', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='fleet.tower')),
                    ],
                    options={
                        'verbose_name': 'tower event',
                        'verbose_name_plural': 'tower events',
                        'db_table': 'fleet_towerevent',
                        'ordering': ['tower', 'epoch', 'seq'],
                    },
                ),
                migrations.CreateModel(
                    name='TowerIncident',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('inventory', 'Inventory mismatch'), ('estop', 'Emergency stop'), ('hold', 'Tower on hold'), ('command', 'Command failed'), ('unreachable', 'Controller unreachable'), ('unknown', 'Event we cannot place')], max_length=12, verbose_name='kind')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('acknowledged', 'Acknowledged'), ('resolved', 'Resolved')], default='open', max_length=12, verbose_name='status')),
                        ('summary', models.CharField(max_length=200, verbose_name='summary')),
                        ('detail', models.JSONField(blank=True, default=dict, verbose_name='detail')),
                        ('raised_at', models.DateTimeField(auto_now_add=True, verbose_name='raised')),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True)),
                        ('resolved_at', models.DateTimeField(blank=True, null=True)),
                        ('resolution', models.CharField(blank=True, max_length=300, verbose_name='resolution')),
                        ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('command', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='incidents', to='tower.towercommand')),
                        ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('tower', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='incidents', to='fleet.tower')),
                    ],
                    options={
                        'verbose_name': 'tower incident',
                        'verbose_name_plural': 'tower incidents',
                        'db_table': 'fleet_towerincident',
                        'ordering': ['-raised_at', '-pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='towercommand',
                    index=models.Index(fields=['status', 'next_attempt_at'], name='towercommand_due'),
                ),
                migrations.AddConstraint(
                    model_name='towercommand',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'accepted', 'running'])), fields=('vehicle',), name='towercommand_one_open_per_car'),
                ),
                migrations.AddConstraint(
                    model_name='towercommand',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'accepted', 'running'])), fields=('source_bay',), name='towercommand_one_open_per_source'),
                ),
                migrations.AddConstraint(
                    model_name='towercommand',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'accepted', 'running'])), fields=('target_bay',), name='towercommand_one_open_per_target'),
                ),
                migrations.AddConstraint(
                    model_name='towercommand',
                    constraint=models.CheckConstraint(condition=models.Q(('source_bay', models.F('target_bay')), _negated=True), name='towercommand_moves_somewhere'),
                ),
                migrations.AddConstraint(
                    model_name='towercommand',
                    constraint=models.CheckConstraint(condition=models.Q(('priority__lte', 9)), name='towercommand_priority_0_9'),
                ),
                migrations.AddConstraint(
                    model_name='towerevent',
                    constraint=models.UniqueConstraint(fields=('tower', 'epoch', 'seq'), name='towerevent_once_per_seq'),
                ),
                migrations.AddIndex(
                    model_name='towerincident',
                    index=models.Index(fields=['tower', 'status'], name='towerincident_open'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_tower, content_types_to_fleet),
    ]
