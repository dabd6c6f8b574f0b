"""Cut every 知识库 answer again with the current tokenizer (after a change to its domain words or stop words)."""
from django.core.management.base import BaseCommand

from gonghui.tickets.knowledge import knowledge_reindex


class Command(BaseCommand):
    help = "重新切分知识库答复的检索词（修改分词词典后运行）"

    def handle(self, *args, **options):
        self.stdout.write(f"已重新切分 {knowledge_reindex()} 条知识库答复")
