// A storefront backend's use of the TypeScript types generated from paydesk's served OpenAPI
// document (openapi-typescript): it must compile, and what the API does not accept must not.
import type { components, operations } from '../../target/clients/typescript/paydesk.ts';

type Schemas = components['schemas'];

// Each status is one type, a union of its words.
const open: Schemas['CheckoutStatus'] = 'open';
// @ts-expect-error "paid" is no checkout status
const paid: Schemas['CheckoutStatus'] = 'paid';
const completed: Schemas['RefundLinkStatus'] = 'completed';
const delivered: Schemas['EventDeliveryStatus'] = 'delivered';
// Error codes are a closed list.
const invalid: Schemas['ErrorCode'] = 'invalid_field';
// @ts-expect-error "oops" is no error code
const unknown: Schemas['ErrorCode'] = 'oops';

// A request body with metadata.
const request: Schemas['NewCheckout'] = {
  amount: 2450,
  currency: 'USD',
  orderNumber: 'A-1001',
  metadata: { 'crm.customer': 'C-42' },
};
// @ts-expect-error the currency is one of those paydesk takes
const euros: Schemas['NewCheckout'] = { amount: 100, currency: 'EUR' };

// A list's query and page.
const query: NonNullable<operations['listCheckouts']['parameters']['query']> = {
  limit: 2,
  status: 'authorized',
  metadataKey: 'crm.customer',
  metadataValue: 'C-42',
};
type Page = operations['listCheckouts']['responses'][200]['content']['application/json'];
function next(page: Page): string | undefined {
  const first: Schemas['CheckoutResource'] | undefined = page.data[0];
  const more: boolean = page.hasMore;
  return more && first ? (page.nextCursor ?? undefined) : undefined;
}
type Failure = operations['createCheckout']['responses'][400]['content']['application/json'];
function field(failure: Failure): string | null | undefined {
  const code: Schemas['ErrorCode'] = failure.error.code;
  return code === 'invalid_field' ? failure.error.field : undefined;
}

// A webhook handler's view of an event: its type's own schema.
function onAuthorized(event: Schemas['Event_payment.authorized']): string {
  const live: boolean = event.livemode;
  const data: Schemas['LinkEventData'] = event.data;
  return live ? (data.checkoutId ?? '') : data.status;
}

export const used = [onAuthorized, open, paid, completed, delivered, invalid, unknown, request, euros, query, next, field];
