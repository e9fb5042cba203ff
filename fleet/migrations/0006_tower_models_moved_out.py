"""The tower link's models moved to the ``tower`` app: gone from fleet's state, tables untouched.

``tower/migrations/0001_initial.py`` adds them to the tower app's state over the same tables.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('fleet', '0005_towerlink_drop_unread_fields'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='towerincident',
                    name='command',
                ),
                migrations.RemoveField(
                    model_name='towerevent',
                    name='command',
                ),
                migrations.RemoveField(
                    model_name='towerevent',
                    name='tower',
                ),
                migrations.RemoveField(
                    model_name='towerincident',
                    name='acknowledged_by',
                ),
                migrations.RemoveField(
                    model_name='towerincident',
                    name='resolved_by',
                ),
                migrations.RemoveField(
                    model_name='towerincident',
                    name='tower',
                ),
                migrations.RemoveField(
                    model_name='towerlink',
                    name='tower',
                ),
                migrations.DeleteModel(
                    name='TowerCommand',
                ),
                migrations.DeleteModel(
                    name='TowerEvent',
                ),
                migrations.DeleteModel(
                    name='TowerIncident',
                ),
                migrations.DeleteModel(
                    name='TowerLink',
                ),
            ],
            database_operations=[],
        ),
    ]
