"""Model fields whose column holds a Fernet token instead of the value.

The value is encrypted when written and decrypted when read
(``core.encryption``); code sees plain text or a plain dict. The column is
``text`` whatever the value, so it cannot be searched or compared in SQL:
these fields are for secrets, never looked up.
"""

import json

from django import forms
from django.db import models

from core.encryption import decrypt, encrypt


class EncryptedTextField(models.TextField):
    """A secret string (an API key, a signing secret)."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)

    def formfield(self, **kwargs):
        # A one-line input, as the CharField it replaces had.
        return models.CharField.formfield(self, **kwargs)


class EncryptedJSONField(models.TextField):
    """A secret JSON document (a gateway's credentials)."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(decrypt(value))

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as error:
                raise forms.ValidationError(str(error)) from error
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(json.dumps(value, ensure_ascii=False))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})
