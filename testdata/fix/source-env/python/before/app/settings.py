#!/usr/bin/env python3
"""Settings."""
from __future__ import annotations

import logging

STRIPE_KEY = "sk_live_FAKEfakeFAKEfake0123456789"
client = make_client(api_token='ghp_FAKEfakeFAKEfake0123456789abcdefABCD')
logging.info("ready")
