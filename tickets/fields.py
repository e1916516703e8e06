"""A text column stored encrypted (tickets/crypto.py): plaintext in Python, ciphertext in SQL.

`EncryptedTextField(context=None)` names its associated data "<app>.<model>.<field>" from the
model it is first declared on; simple-history copies the field object into the historical
model, so `HistoricalTicket.description` keeps "tickets.ticket.description" and a value copied
from the ticket into its history decrypts there too. The empty string stays empty (it says no
more than the column being blank) so that blank fields need no ciphertext.

Reading a value that does not decrypt raises `tickets.crypto.DecryptionError`: a row written in
plaintext, under a dropped key or changed in the database is an error, never shown as stored.
Lookups other than `isnull` are refused: SQL cannot compare ciphertexts, so a filter on the
plaintext would silently find nothing (the email is found by `Ticket.requester_email_digest`).
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Expression
from django.db.models.lookups import Lookup

from tickets import crypto


class EncryptedTextField(models.TextField):  # str in, str out, like TextField
    description = "Text encrypted with AES-256-GCM"

    def __init__(self, *args: Any, context: str | None = None, **kwargs: Any) -> None:
        self.context = context
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        if self.context is None:  # set once, on the model the field is declared on
            self.context = f"{cls._meta.app_label}.{cls._meta.model_name}.{name}"

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        return name, "tickets.fields.EncryptedTextField", args, kwargs

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or isinstance(value, Expression):
            return value
        return crypto.encrypt(str(value), context=self.associated_data)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, context=self.associated_data)

    @property
    def associated_data(self) -> str:
        if self.context is None:
            raise FieldError(f"{self.name} is not attached to a model")
        return self.context

    def get_lookup(self, lookup_name: str) -> Any:
        lookup = super().get_lookup(lookup_name)
        if lookup is None or lookup_name == "isnull":
            return lookup
        return _refused_lookup(lookup_name)


class RefusedLookup(Lookup):  # never built: its constructor refuses
    """What a filter on an encrypted column gets: an error when the filter is built."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        name = getattr(getattr(lhs, "target", None), "name", "the field")
        raise FieldError(f"{name} is encrypted: it cannot be filtered by {self.lookup_name!r} in SQL"
                         " (find a requester by Ticket.requester_email_digest)")


@functools.cache
def _refused_lookup(lookup_name: str) -> type[RefusedLookup]:
    return type(f"Refused_{lookup_name}", (RefusedLookup,), {"lookup_name": lookup_name})


class EmailDigestField(models.CharField):  # str in, str out, like CharField
    """The blind index of another field's email address (`crypto.email_digest`), kept in step on
    every save() and bulk_create() as auto_now keeps a date: no write path can forget it. A save
    with update_fields must name this field too when it names the email (STYLE.md: History)."""

    description = "HMAC-SHA256 of an email address"

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, "tickets.fields.EmailDigestField", args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        email = getattr(model_instance, self.source) or ""
        digest = crypto.email_digest(email) if email else ""
        setattr(model_instance, self.attname, digest)
        return digest
