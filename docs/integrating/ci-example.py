#!/usr/bin/env python3
"""A merchant's CI test against paydesk's sandbox: pay a checkout headlessly and receive its
signed payment.authorized event. Python's standard library only.

Start paydesk with your endpoint and secret, then run this with the token `make run` printed:

    PAYDESK_MERCHANT_WEBHOOK_URL=http://127.0.0.1:4242/paydesk \
    PAYDESK_MERCHANT_WEBHOOK_SECRET=whsec_ci_0123456789abcdefghij make run
    python3 docs/integrating/ci-example.py http://127.0.0.1:3000 "$TOKEN"

Exit status 0 once the event arrived with a valid signature; 1 otherwise (after 30 seconds).
`make test` runs it against a fresh server (scripts/test-clients.sh).
"""

import hashlib
import hmac
import json
import os
import queue
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = os.environ.get("PAYDESK_MERCHANT_WEBHOOK_SECRET", "whsec_ci_0123456789abcdefghij")
PORT = int(os.environ.get("CI_WEBHOOK_PORT", "4242"))
events = queue.Queue()


def signature_is_valid(header, body):
    """Paydesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> (Stripe's scheme)."""
    parts = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamps = [value for key, value in parts if key == "t"]
    if not timestamps or abs(time.time() - int(timestamps[0])) > 300:
        return False
    signed = timestamps[0].encode() + b"." + body
    expected = hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, value) for key, value in parts if key == "v1")


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not signature_is_valid(self.headers.get("Paydesk-Signature", ""), body):
            self.send_response(400)
            self.end_headers()
            return
        events.put(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def call(base, token, method, path, body=None):
    request = urllib.request.Request(
        base + "/api/v1" + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def main(base, token):
    server = HTTPServer(("127.0.0.1", PORT), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    started = time.monotonic()
    order = "CI-" + uuid.uuid4().hex[:12]
    checkout = call(base, token, "POST", "/checkouts",
                    {"amount": 1999, "currency": "USD", "orderNumber": order})
    paid = call(base, token, "POST", "/test-helpers/checkouts/%s/pay" % checkout["id"], {})
    assert paid["status"] == "authorized", paid
    deadline = started + 30
    while time.monotonic() < deadline:
        try:
            event = events.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if event["type"] == "payment.authorized" and event["data"]["checkoutId"] == checkout["id"]:
            print("payment.authorized for %s received, signature valid, in %.2f s"
                  % (checkout["id"], time.monotonic() - started))
            return 0
    print("no payment.authorized for %s within 30 s" % checkout["id"], file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/"), sys.argv[2]))
