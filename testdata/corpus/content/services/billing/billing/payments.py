import logging

import stripe
from django.conf import settings

log = logging.getLogger(__name__)

stripe.api_key = settings.STRIPE_SECRET_KEY

# Fallback used by the nightly reconciliation job when the settings module is
# not loaded (cron on the ops box). TODO: move to the secret manager.
RECONCILE_STRIPE_KEY = "%%FAKE:sk_live:billing-reconcile%%"


def charge(customer_id: str, amount_cents: int, currency: str = "eur") -> str:
    intent = stripe.PaymentIntent.create(
        customer=customer_id, amount=amount_cents, currency=currency, confirm=True
    )
    log.info("charged %s: %s", customer_id, intent.id)
    return intent.id


def verify_webhook(payload: bytes, sig_header: str) -> dict:
    secret = settings.STRIPE_WEBHOOK_SECRET
    return stripe.Webhook.construct_event(payload, sig_header, secret)
