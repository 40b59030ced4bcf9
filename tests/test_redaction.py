import logging

from framecast.redaction import RedactingFilter, install

KEY = "sk-live-ABCDEFGHIJKLMNOP1234"


def test_secret_is_masked_in_messages_and_arguments(caplog):
    logger = logging.getLogger("framecast.test.redaction")
    caplog.handler.addFilter(RedactingFilter([KEY]))
    logger.warning("calling with Authorization: Bearer %s", KEY)
    logger.warning(f"key={KEY}")
    assert KEY not in caplog.text
    assert caplog.text.count("***") == 2


def test_install_adds_the_filter_once_to_root_handlers():
    handler = logging.StreamHandler()
    logging.getLogger().addHandler(handler)
    try:
        install([KEY])
        install([KEY])
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
    finally:
        logging.getLogger().removeHandler(handler)
