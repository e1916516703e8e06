"""A text column stored encrypted (desk/crypto.py): plaintext in Python, ciphertext in SQL.

`EncryptedTextField(context=None)` names its associated data "<app>.<model>.<field>" from the
model it is first declared on; simple-history copies the field object into the historical
model, so `HistoricalTicket.description` keeps "tickets.ticket.description". The empty string
stays empty (it says no more than the column being blank) so that blank fields need no ciphertext.

Each value is bound to its row as well (issue 15): the associated data holds the row's identity,
a column of the same row named in `ROW_IDENTITIES` for the model the field was declared on. The
identity must be known before the INSERT (the primary key is not, and bulk writers insert many
rows at once), must never change, and must be copied unchanged into the history, so that an
entry decrypts as its live row does and the escalation sweep can copy ciphertext from a ticket
row to its history row in SQL:

- a ticket: its `reference`, taken before the insert and never changed;
- a message, a pause: `row_uuid`, a random UUID (hex) of its own, drawn when the row is made;
- an attachment: its random `stored_name`, which already binds its file (tickets/uploads.py);
- an extension, a satisfaction answer: its ticket's id (one per ticket);
- an outbox row: its `dedupe_key`, unique and written with the row;
- a second factor (desk/models.py): its user's id, so that a known secret copied into someone
  else's device does not authenticate there.

Django hands the field the value without its row, so the row comes in two places:

- writing, `pre_save` (which sees the instance, for save() and bulk_create() alike) encrypts
  with the instance's identity. `QuerySet.update()`, `bulk_update()` and raw saves reach only
  `get_prep_value`, which knows no row and writes a v1 value (bound to the column only, as
  before) unless given `field.bound(value, row=…)`; `verify_encryption` counts the v1 values
  and `rotate_keys` binds them.
- reading, every column this field selects is selected together with its row's identity
  (`RowBoundCol`: length, ":", identity, value, in one SQL expression), so `from_db_value` gets
  the identity of the row the value was read from, whatever the query: model instances,
  `values()`, `values_list()`, `select_related()`, deferred fields. A filter, an ordering or a
  `Cast()` of the column still sees the stored value alone.

A model without a row identity (not in `ROW_IDENTITIES`, or a migration's model before its
identity column existed) keeps values bound to their column only. The history's change reasons
are such values on purpose: the audit chain hashes their plaintext (tickets/audit.py), so a reason
moved to another entry breaks the chain, and the chain reads them by `Cast()`, without a row.

Reading a value that does not decrypt raises `desk.crypto.DecryptionError`: a row written in
plaintext, under a dropped key, changed in the database or moved from another row is an error,
never shown as stored. Lookups other than `isnull` are refused: SQL cannot compare ciphertexts,
so a filter on the plaintext would silently find nothing (the email is found by
`Ticket.requester_email_digest`).
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models
from django.db.models.expressions import Col, Expression
from django.db.models.lookups import Lookup

from desk import crypto

# The column that identifies a row, by the model an encrypted field is declared on (its
# context's "<app>.<model>"); historical models have the same column with the same value.
ROW_IDENTITIES = {
    "tickets.ticket": "reference",
    "tickets.message": "row_uuid",
    "tickets.clockpause": "row_uuid",
    "tickets.attachment": "stored_name",
    "tickets.extension": "ticket",
    "tickets.satisfaction": "ticket",
    "notifications.outbox": "dedupe_key",
    "desk.authenticatordevice": "user",
    "desk.recoverycodedevice": "user",
}


def new_row_uuid() -> str:
    """A fresh row identity: random, so no two rows share one and none is guessed from another."""
    return uuid.uuid4().hex


class Sealed(str):
    """A ciphertext `pre_save` made for its row: `get_prep_value` stores it as it is."""

    __slots__ = ()


class RowBoundCol(Col):
    """The field's column as a query selects it: prefixed with its row's identity, so that
    `from_db_value` knows which row the value came from. Only the SELECT (and a GROUP BY on it)
    changes; everywhere else (WHERE, ORDER BY, Cast) it is the column as stored."""

    def select_format(self, compiler: Any, sql: str, params: Any) -> tuple[str, Any]:
        sql, params = super().select_format(compiler, sql, params)
        row_field = getattr(self.target, "row_field", None)  # the target is an EncryptedTextField
        if row_field is None:
            return sql, params
        identity, identity_params = compiler.compile(Col(self.alias, row_field))
        # COALESCE: a missing identity becomes "" (which no value is bound to), never a NULL
        # that would make a stored value read as NULL.
        text = f"COALESCE(CAST({identity} AS TEXT), '')"
        return (f"(LENGTH({text}) || ':' || {text} || {sql})",
                [*identity_params, *identity_params, *params])


def split_row(selected: str) -> tuple[str | None, str]:
    """`RowBoundCol`'s "<length>:<identity><stored value>" → (identity, stored value); a value
    selected some other way (no prefix) → (None, value), which decrypts only as v1."""
    length, separator, rest = selected.partition(":")
    if separator and length.isdigit() and int(length) <= len(rest):
        size = int(length)
        return rest[:size], rest[size:]
    return None, selected


class EncryptedTextField(models.TextField):  # str in, str out, like TextField
    description = "Text encrypted with AES-256-GCM"

    def __init__(self, *args: Any, context: str | None = None, **kwargs: Any) -> None:
        self.context = context
        self._row_field: tuple[Any, models.Field[Any, Any] | None] | None = None
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        if self.context is None:  # set once, on the model the field is declared on
            self.context = f"{cls._meta.app_label}.{cls._meta.model_name}.{name}"

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        return name, "desk.fields.EncryptedTextField", args, kwargs

    @property
    def row_field(self) -> models.Field[Any, Any] | None:
        """The field of this model that identifies the row, or None if the values are bound to
        the column only. Looked up on first use (the identity may be declared after this field),
        and again on a copy attached to another model (simple-history's, a migration's)."""
        model = getattr(self, "model", None)
        if self._row_field is None or self._row_field[0] is not model:
            found = None
            name = ROW_IDENTITIES.get((self.context or "").rpartition(".")[0])
            if model is not None and name is not None:
                try:
                    found = model._meta.get_field(name)
                except FieldDoesNotExist:
                    found = None
            self._row_field = (model, found)
        return self._row_field[1]

    def row_of(self, instance: models.Model) -> str | None:
        """The identity an instance's value is bound to; None for a column-bound field."""
        row_field = self.row_field
        if row_field is None:
            return None
        identity = getattr(instance, row_field.attname)
        if identity is None or identity == "":
            raise FieldError(f"{self.associated_data} is bound to its row's {row_field.name}, "
                             "which is not set: set it before saving")
        return str(identity)

    def bound(self, value: str, *, row: str) -> Sealed:
        """`value` sealed for the row whose identity is `row`, for a `QuerySet.update()` of one
        row, which would otherwise write a value bound to the column only:
        `Outbox.objects.filter(pk=row.pk).update(last_error=field.bound(text, row=row.dedupe_key))`."""
        return Sealed(crypto.encrypt(value, context=self.associated_data, row=row)) if value else Sealed("")

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if value is None or value == "" or isinstance(value, Sealed) or hasattr(value, "resolve_expression"):
            return value
        row = self.row_of(model_instance)
        if row is None:
            return value  # get_prep_value encrypts it, bound to the column only
        return Sealed(crypto.encrypt(str(value), context=self.associated_data, row=row))

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or isinstance(value, Expression):
            return value
        if isinstance(value, Sealed):
            return str(value)
        # No instance here (QuerySet.update, bulk_update, a raw save): bound to the column only.
        return crypto.encrypt(str(value), context=self.associated_data)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        row, stored = split_row(value) if self.row_field is not None else (None, value)
        if stored == "":
            return stored
        return crypto.decrypt(stored, context=self.associated_data, row=row)

    def get_col(self, alias: str, output_field: Any = None) -> Col:
        if output_field is None or output_field == self:
            return RowBoundCol(alias, self, output_field)
        return super().get_col(alias, output_field)

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
        return name, "desk.fields.EmailDigestField", args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        email = getattr(model_instance, self.source) or ""
        digest = crypto.email_digest(email) if email else ""
        setattr(model_instance, self.attname, digest)
        return digest
