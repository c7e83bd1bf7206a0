#!/usr/bin/env python3
"""Settings."""
from __future__ import annotations
import os

import logging

STRIPE_KEY = os.environ["STRIPE_KEY"]
client = make_client(api_token=os.environ["API_TOKEN"])
logging.info("ready")
