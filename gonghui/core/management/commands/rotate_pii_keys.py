from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from gonghui.audit.services import audit_log
from gonghui.core import crypto
from gonghui.core.fields import EncryptedTextField


class Command(BaseCommand):
    help = "用当前密钥和算法（PII_ACTIVE_KEY_ID、PII_ALGORITHM）分批重新加密全部个人信息字段。可重复执行、可中断后续跑。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            for field in fields:
                count = rotate_field(model, field, batch_size=batch_size)
                if count:
                    self.stdout.write(f"{model._meta.label}.{field.name}：重新加密 {count} 条")
                total += count
        audit_log(actor=None, action="core.pii.keys_rotated", data={"rows": total, "key_id": crypto.keyring().active_key_id})
        self.stdout.write(f"完成：共重新加密 {total} 条。")


def rotate_field(model, field, *, batch_size: int) -> int:
    """Re-encrypt one column in batches of primary keys; reads the raw ciphertext so only stale rows are touched."""
    table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
    quote = connection.ops.quote_name
    rotated, last_pk = 0, None
    while True:
        with connection.cursor() as cursor:
            where = f"WHERE {quote(column)} <> ''" + (f" AND {quote(pk)} > %s" if last_pk is not None else "")
            cursor.execute(
                f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} {where} ORDER BY {quote(pk)} LIMIT %s",
                ([last_pk] if last_pk is not None else []) + [batch_size],
            )
            rows = cursor.fetchall()
        if not rows:
            return rotated
        with transaction.atomic():
            for row_pk, token in rows:
                if crypto.needs_rotation(token):
                    plain = crypto.decrypt(token, aad=field.aad)
                    model._base_manager.filter(pk=row_pk).update(**{field.name: plain})
                    rotated += 1
        last_pk = rows[-1][0]
