from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from gonghui.audit.services import audit_log
from gonghui.core import crypto
from gonghui.core.fields import BlindIndexField, EncryptedTextField


class Command(BaseCommand):
    help = ("用当前密钥和算法（PII_ACTIVE_KEY_ID、PII_ALGORITHM）分批重新加密全部个人信息字段，并补齐缺失的盲索引。"
            "可重复执行、可中断后续跑。")

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
    """Re-encrypt one column in batches of primary keys; reads the raw ciphertext so only stale rows are touched. The
    blind indexes of the column are filled where they are missing (rows written by code older than the index), from
    the plaintext the rotation opens anyway."""
    table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
    indexes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField) and f.source == field.name]
    quote = connection.ops.quote_name
    selected = ", ".join(quote(name) for name in (pk, column, *(index.column for index in indexes)))
    rotated, last_pk = 0, None
    while True:
        with connection.cursor() as cursor:
            where = f"WHERE {quote(column)} <> ''" + (f" AND {quote(pk)} > %s" if last_pk is not None else "")
            cursor.execute(
                f"SELECT {selected} FROM {quote(table)} {where} ORDER BY {quote(pk)} LIMIT %s",
                ([last_pk] if last_pk is not None else []) + [batch_size],
            )
            rows = cursor.fetchall()
        if not rows:
            return rotated
        with transaction.atomic():
            for row_pk, token, *digests in rows:
                stale = crypto.needs_rotation(token)
                if stale or None in digests:
                    plain = crypto.decrypt(token, aad=field.aad)
                    model._base_manager.filter(pk=row_pk).update(
                        **{field.name: plain}, **{index.name: index.index_for(plain) for index in indexes})
                    rotated += stale
        last_pk = rows[-1][0]
