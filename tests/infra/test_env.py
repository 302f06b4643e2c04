"""config/env.py: settings from the environment fail loudly, never fall back silently."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env


@pytest.mark.parametrize("raw", ["maybe", "2", "tru", "enabled"])
def test_a_boolean_that_is_not_one_is_refused(monkeypatch, raw):
    monkeypatch.setenv("HUB_TEST_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="HUB_TEST_FLAG"):
        env.boolean("HUB_TEST_FLAG")


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("YES", True), (" on ", True), ("0", False), ("false", False), ("", False)])
def test_the_usual_spellings_of_a_boolean_are_read(monkeypatch, raw, value):
    monkeypatch.setenv("HUB_TEST_FLAG", raw)
    assert env.boolean("HUB_TEST_FLAG", default=not value) is value


def test_an_unset_boolean_takes_its_default(monkeypatch):
    monkeypatch.delenv("HUB_TEST_FLAG", raising=False)
    assert env.boolean("HUB_TEST_FLAG", default=True) is True


@pytest.mark.parametrize("raw", ["ten", "1.5", "600s"])
def test_an_integer_that_is_not_one_is_refused(monkeypatch, raw):
    monkeypatch.setenv("HUB_TEST_INT", raw)
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env.integer("HUB_TEST_INT", 1)


def test_an_integer_below_its_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("HUB_TEST_INT", "5")
    with pytest.raises(ImproperlyConfigured, match="minimum"):
        env.integer("HUB_TEST_INT", 600, minimum=30)


def test_an_integer_is_read(monkeypatch):
    monkeypatch.setenv("HUB_TEST_INT", "900")
    assert env.integer("HUB_TEST_INT", 600, minimum=30) == 900


@pytest.mark.parametrize("raw", ["2:3", "two thirds", "0/3", "4/3", "1/0", "2/3/4", "0.66"])
def test_a_fraction_outside_zero_to_one_or_malformed_is_refused(monkeypatch, raw):
    monkeypatch.setenv("HUB_TEST_QUORUM", raw)
    with pytest.raises(ImproperlyConfigured, match="HUB_TEST_QUORUM"):
        env.fraction("HUB_TEST_QUORUM", "2/3")


def test_a_fraction_is_read_and_defaults(monkeypatch):
    monkeypatch.setenv("HUB_TEST_QUORUM", "1/2")
    assert env.fraction("HUB_TEST_QUORUM", "2/3") == (1, 2)
    monkeypatch.delenv("HUB_TEST_QUORUM")
    assert env.fraction("HUB_TEST_QUORUM", "2/3") == (2, 3)


def test_a_list_drops_blanks_and_spaces(monkeypatch):
    monkeypatch.setenv("HUB_TEST_HOSTS", " hdnd.example.vn, ,192.168.1.10 ,")
    assert env.string_list("HUB_TEST_HOSTS", []) == ["hdnd.example.vn", "192.168.1.10"]


def test_no_database_url_is_sqlite_in_var():
    db = env.database("", Path("/srv/hub"))
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(Path("/srv/hub/var/db.sqlite3"))


def test_a_postgres_url_is_parsed_into_its_parts(monkeypatch):
    monkeypatch.delenv("TEST_DATABASE_NAME", raising=False)
    db = env.database("postgres://hub:p%40ss@db.internal:6543/council?sslmode=require", Path("."))
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == ("council", "hub", "p@ss", "db.internal", "6543")
    assert db["OPTIONS"] == {"sslmode": "require", "pool": {"min_size": 2, "max_size": 10, "timeout": 3}}
    assert db["TEST"] == {"NAME": None}


def test_postgresql_scheme_and_test_database_name_are_accepted(monkeypatch):
    monkeypatch.setenv("TEST_DATABASE_NAME", "test_hub_2")
    db = env.database("postgresql://postgres@127.0.0.1/test", Path("."))
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["PORT"]) == ("test", "postgres", "", "")
    assert db["TEST"]["NAME"] == "test_hub_2"


@pytest.mark.parametrize("url", ["sqlite:///var/lib/hub/db.sqlite3", "sqlite:////var/lib/hub/db.sqlite3"])
def test_a_sqlite_url_names_its_file(url):
    db = env.database(url, Path("."))
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == "/var/lib/hub/db.sqlite3"


@pytest.mark.parametrize("url", ["mysql://root@localhost/hub", "sqlite:///", "postgress://x@y/z", "hub.sqlite3"])
def test_an_unsupported_or_incomplete_database_url_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.database(url, Path("."))


def test_no_redis_url_is_the_in_memory_layer():
    assert env.channel_layer("")["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def test_a_redis_url_selects_the_pubsub_layer():
    layer = env.channel_layer("redis://127.0.0.1:6379/1")
    assert layer["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert layer["CONFIG"]["hosts"] == ["redis://127.0.0.1:6379/1"]


def test_a_redis_url_with_another_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env.channel_layer("http://127.0.0.1:6379")
