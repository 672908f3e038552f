"""A merchant's backend through the Python client generated from paydesk's served OpenAPI document
(openapi-python-client): create checkouts and refund links with metadata, list them two pages at a
time, cancel one of each and read it back, and read a typed error.

Usage: merchant_api.py <base URL> <API token>, with the generated package on PYTHONPATH.
"""

import importlib
import pkgutil
import sys
import uuid

import paydesk_client.models as models
from paydesk_client import AuthenticatedClient
from paydesk_client.api.checkouts import (
    cancel_checkout,
    create_checkout,
    get_checkout,
    list_checkouts,
)
from paydesk_client.api.refund_links import (
    cancel_refund_link,
    create_refund_link,
    list_refund_links,
)
from paydesk_client.models import (
    CheckoutResource,
    CheckoutResourceList,
    CheckoutStatus,
    ErrorBody,
    ErrorCode,
    NewCheckout,
    NewCheckoutCurrency,
    NewCheckoutMetadata,
    NewRefundLink,
    NewRefundLinkCurrency,
    NewRefundLinkMetadata,
    EventPaymentAuthorized,
    RefundLinkResource,
    RefundLinkStatus,
)
from paydesk_client.api.events import list_events
from paydesk_client.api.test_helpers import pay_checkout_with_test_card


def check_shape():
    """Operations grouped by tag, and no type made of a fragment of another (one per status enum)."""
    groups = {m.name for m in pkgutil.iter_modules(importlib.import_module("paydesk_client.api").__path__)}
    for tag in ["checkouts", "refund_links", "refunds", "device_refunds", "events", "test_helpers"]:
        assert tag in groups, f"operations tagged {tag} form one group: {sorted(groups)}"
    fragments = [m.name for m in pkgutil.iter_modules(models.__path__) if "_type_" in m.name]
    assert not fragments, f"one type per enum and object, no unions of fragments: {fragments}"
    statuses = [m.name for m in pkgutil.iter_modules(models.__path__) if m.name.endswith("_status")]
    for status in ["checkout_status", "refund_link_status", "gateway_refund_status", "device_refund_status"]:
        assert status in statuses, f"{status} is a type: {statuses}"


def main(base_url, token):
    check_shape()
    client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)
    run = uuid.uuid4().hex

    made = []
    for i in range(3):
        checkout = create_checkout.sync(
            client=client,
            body=NewCheckout(
                amount=1000 + i,
                currency=NewCheckoutCurrency.USD,
                order_number=f"PY-{i}",
                metadata=NewCheckoutMetadata.from_dict({"run": run, "n": str(i)}),
            ),
        )
        assert isinstance(checkout, CheckoutResource), checkout
        assert checkout.status == CheckoutStatus.OPEN
        assert checkout.metadata.to_dict() == {"run": run, "n": str(i)}
        made.append(checkout.id)

    first = list_checkouts.sync(client=client, limit=2, metadata_key="run", metadata_value=run)
    assert isinstance(first, CheckoutResourceList), first
    assert first.has_more and len(first.data) == 2, first
    second = list_checkouts.sync(
        client=client, limit=2, metadata_key="run", metadata_value=run, cursor=first.next_cursor
    )
    assert not second.has_more and second.next_cursor is None, second
    assert [c.id for c in first.data + second.data] == list(reversed(made)), "newest first, each once"

    canceled = cancel_checkout.sync(client=client, id=made[0])
    assert isinstance(canceled, CheckoutResource) and canceled.status == CheckoutStatus.CANCELED
    assert get_checkout.sync(client=client, id=made[0]).status == CheckoutStatus.CANCELED
    only_canceled = list_checkouts.sync(
        client=client, status=CheckoutStatus.CANCELED, metadata_key="run", metadata_value=run
    )
    assert [c.id for c in only_canceled.data] == [made[0]], only_canceled

    links = []
    for i in range(3):
        link = create_refund_link.sync(
            client=client,
            body=NewRefundLink(
                amount=500 + i,
                currency=NewRefundLinkCurrency.CAD,
                metadata=NewRefundLinkMetadata.from_dict({"run": run}),
            ),
        )
        assert isinstance(link, RefundLinkResource), link
        links.append(link.id)
    page = list_refund_links.sync(client=client, limit=2, metadata_key="run", metadata_value=run)
    rest = list_refund_links.sync(
        client=client, limit=2, metadata_key="run", metadata_value=run, cursor=page.next_cursor
    )
    assert [l.id for l in page.data + rest.data] == list(reversed(links))
    assert cancel_refund_link.sync(client=client, id=links[1]).status == RefundLinkStatus.CANCELED

    # The events of a test payment, read through the list and parsed as their type's own model.
    paid = pay_checkout_with_test_card.sync(client=client, id=made[1])
    assert paid.status == CheckoutStatus.AUTHORIZED, paid
    events = list_events.sync(client=client, type_="payment.authorized", object_id=made[1])
    assert len(events.data) == 1, events
    event = EventPaymentAuthorized.from_dict(events.data[0].payload)
    assert event.livemode is False and event.data.checkout_id == made[1]
    assert event.data.metadata.to_dict() == {"run": run, "n": "1"}

    failure = create_checkout.sync_detailed(
        client=AuthenticatedClient(base_url=base_url, token=token),
        body=NewCheckout(amount=0, currency=NewCheckoutCurrency.USD),
    )
    assert failure.status_code == 400, failure
    assert isinstance(failure.parsed, ErrorBody), failure.parsed
    assert failure.parsed.error.code == ErrorCode.INVALID_FIELD
    assert failure.parsed.error.field == "amount"
    assert failure.parsed.error.request_id.startswith("req_")
    print(f"generated Python client: 3 checkouts and 3 refund links created, listed in pages of 2, "
          f"one of each canceled and read back, a payment.authorized event parsed as its type, "
          f"a typed {failure.parsed.error.code.value} error parsed")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
