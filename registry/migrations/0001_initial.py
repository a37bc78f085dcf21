# The model moved here from recommendations/ with its table: this creates it in the migration state
# only; recommendations' 0009 then drops it from that app's state and hands over its content type.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('recommendations', '0008_describer_versions'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ModelVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('home', 'Home'), ('car', 'Car'), ('all', 'All kinds')], max_length=8)),
                        ('algorithm', models.CharField(choices=[('autoencoder', 'Autoencoder (item embeddings)'), ('sasrec', 'SASRec (next-item sequence model)'), ('lora', 'LoRA adapter (description writer)')], max_length=20)),
                        ('status', models.CharField(choices=[('training', 'Training'), ('ready', 'Ready'), ('failed', 'Failed')], default='training', max_length=10)),
                        ('params', models.JSONField(blank=True, default=dict)),
                        ('metrics', models.JSONField(blank=True, default=dict)),
                        ('artifact_path', models.CharField(blank=True, help_text='Relative to $TRUSTASSET_DATA_DIR/models.', max_length=300)),
                        ('error', models.TextField(blank=True)),
                        ('active', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('activated_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'recommendations_modelversion',
                        'ordering': ['-created_at', '-id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('active', True)), fields=('kind', 'algorithm'), name='modelversion_one_active')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
