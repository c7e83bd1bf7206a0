import pytest


@pytest.fixture
def settings(monkeypatch):
    monkeypatch.setenv("ACCOUNTS_DB_PASSWORD", "pytest-Pw-0001")
    return {"jwt_secret": "test-secret-for-pytest-1", "password": "Fixture#Pass99"}


EXPIRED_TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ0ZXN0IiwiZXhwIjoxfQ.Fake-Sig-For-An-Expired-Test-Token"
