"""Cheap password hashes for the tests' own users.

Django's PBKDF2 hasher runs a million iterations per hash (about 0.2 s of
CPU): every agent a test makes and every sign-in with a password pays it.
The tests' users are hashed with the same algorithm at a thousand
iterations instead. The hash names its iteration count, so the web
servers and workers the tests start, on the production hasher, still
verify these passwords (and would upgrade them on a sign-in, as they
upgrade any older hash).
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FewIterationsPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1_000


HASHERS = ["tests.support.hashing.FewIterationsPBKDF2PasswordHasher"]
