# ModelVersion now lives in registry/ (its table, rows and foreign keys stay as they are): drop it from
# this app's state, point the foreign keys at registry.ModelVersion, and move its content type, so that
# permissions and admin log entries follow it.

import django.db.models.deletion
from django.db import migrations, models


def content_type_move(app_label_from, app_label_to):
    def move(apps, schema_editor):
        ContentType = apps.get_model('contenttypes', 'ContentType')
        types = ContentType.objects.using(schema_editor.connection.alias)
        source = types.filter(app_label=app_label_from, model='modelversion')
        if source.exists():
            # A partial `migrate registry` may have made an empty one already (post_migrate): the moved one,
            # with its permissions and log entries, takes its place.
            types.filter(app_label=app_label_to, model='modelversion').delete()
            source.update(app_label=app_label_to)
        ContentType.objects.clear_cache()

    return move


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('recommendations', '0008_describer_versions'),
        ('registry', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='itemembedding',
                    name='version',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='item_embeddings', to='registry.modelversion'),
                ),
                migrations.AlterField(
                    model_name='neighbourlist',
                    name='version',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='neighbour_lists', to='registry.modelversion'),
                ),
                migrations.AlterField(
                    model_name='neighbourrefresh',
                    name='version',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='refreshes', to='registry.modelversion'),
                ),
                migrations.AlterField(
                    model_name='interestprofile',
                    name='version',
                    field=models.ForeignKey(blank=True, help_text='Encoder version whose embeddings make the centroid.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registry.modelversion'),
                ),
                migrations.DeleteModel(
                    name='ModelVersion',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_type_move('recommendations', 'registry'),
            content_type_move('registry', 'recommendations'),
        ),
    ]
