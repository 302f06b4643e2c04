"""Settings of the browser tests' Daphne server (tests/browser/conftest.py): the project's own,
read from the environment as in production, plus the test speed knobs that pytest's own process
gets from tests/conftest.py.

- Cheap password hashing: every sign-in through the real form would otherwise cost a
  PBKDF2 round of about half a second on a busy machine.
- A waiting hall display asks the server every second (production: DISPLAY_IDLE_POLL_SECONDS,
  20 s), so a test that assigns it a sitting does not wait out the production interval.
"""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DISPLAY_IDLE_POLL_SECONDS = 1
