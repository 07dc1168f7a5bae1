"""Sending mail through the SMTP server in MAIL_SERVER (the standard library's smtplib)."""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

log = logging.getLogger(__name__)


def mail_enabled(config: Mapping[str, Any]) -> bool:
    return bool(config.get("MAIL_SERVER"))


def _send(settings: dict[str, Any], message: EmailMessage) -> None:
    try:
        with smtplib.SMTP(settings["server"], settings["port"], timeout=30) as smtp:
            if settings["tls"]:
                smtp.starttls()
            if settings["username"]:
                smtp.login(settings["username"], settings["password"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("Could not send mail to %s", message["To"])


def send_mail(config: Mapping[str, Any], to: str, subject: str, body: str) -> threading.Thread:
    """Send a plain-text message in the background, so the request's timing says nothing."""
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or "recall@localhost"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    settings = {
        "server": config["MAIL_SERVER"],
        "port": int(config.get("MAIL_PORT") or 25),
        "tls": bool(config.get("MAIL_USE_TLS")),
        "username": config.get("MAIL_USERNAME"),
        "password": config.get("MAIL_PASSWORD"),
    }
    thread = threading.Thread(target=_send, args=(settings, message), daemon=True)
    thread.start()
    return thread
