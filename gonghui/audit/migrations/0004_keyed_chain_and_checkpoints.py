import django.db.models.deletion
import django.utils.timezone
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_append_only_trigger_always'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(verbose_name='时间')),
                ('seq', models.BigIntegerField(verbose_name='链序号')),
                ('head_hash', models.CharField(max_length=64, verbose_name='链头哈希')),
                ('count', models.BigIntegerField(verbose_name='事件总数')),
                ('key_id', models.CharField(max_length=32, verbose_name='密钥编号')),
                ('signature', models.CharField(max_length=64, verbose_name='签名')),
            ],
            options={
                'verbose_name': '审计检查点',
                'verbose_name_plural': '审计检查点',
                'ordering': ['-id'],
            },
        ),
        migrations.AddField(
            model_name='auditevent',
            name='key_id',
            field=models.CharField(blank=True, max_length=32, verbose_name='密钥编号'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='mac',
            field=models.CharField(blank=True, max_length=64, verbose_name='行签名'),
        ),
        # Rows written before keep a NULL uid (nothing may update them); new rows get a fresh one from the model default.
        migrations.AddField(
            model_name='auditevent',
            name='uid',
            field=models.UUIDField(editable=False, null=True, unique=True, verbose_name='事件标识'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='uid',
            field=models.UUIDField(default=uuid.uuid4, editable=False, null=True, unique=True, verbose_name='事件标识'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='created_at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='时间'),
        ),
        migrations.CreateModel(
            name='AuditFlag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('flagged_at', models.DateTimeField(auto_now_add=True, verbose_name='发现时间')),
                ('reason', models.CharField(max_length=200, verbose_name='原因')),
                ('event', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='flag', to='audit.auditevent', verbose_name='审计事件')),
            ],
            options={
                'verbose_name': '被拒封存的审计事件',
                'verbose_name_plural': '被拒封存的审计事件',
            },
        ),
    ]
