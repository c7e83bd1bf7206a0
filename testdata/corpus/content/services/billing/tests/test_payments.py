import pytest
from django.contrib.auth.models import User

from billing import payments

# Stripe's documented sample key: only reaches test mode.
STRIPE_TEST_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"


@pytest.fixture
def user(db):
    u = User.objects.create_user("alice", "alice@example.com", password="correct-horse-9")
    u.set_password("Test1234!")
    return u


def test_charge(monkeypatch, user):
    monkeypatch.setattr(payments.stripe, "api_key", STRIPE_TEST_KEY)
    monkeypatch.setenv("BILLING_DB_PASSWORD", "not-a-real-password")
    client_secret = "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH"
    assert payments.charge("cus_NffrFeUfNV2Hib", 2000)
    assert client_secret.startswith("pi_")
