import logging

from gonghui.core.masking import scrub_pii


class ScrubPiiFilter(logging.Filter):
    """Logs never carry an ID number or a mobile number in clear, whoever wrote the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub_pii(record.getMessage())
        record.args = None
        return True
