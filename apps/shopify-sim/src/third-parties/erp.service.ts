import { Injectable } from '@nestjs/common';
import { erpFaultsSchema, type ErpFaults } from './third-party-faults';

export interface ErpOrderRecord {
  shopDomain: string;
  orderId: string;
  idempotencyKey: string | null;
  firstReceivedAt: string;
  /** Calls for this order after the first (the sender retried or redelivered). */
  duplicates: number;
  body: unknown;
}

/** One call for an order, whatever the answer (tests check the spacing of retries). */
export interface ErpCallRecord {
  at: string;
  answer: number;
}

/**
 * A redaction request: one customer (by id, by the orders it names, or both) or, only when it
 * says so, the whole shop. A request that names nobody is refused, never widened.
 */
export type ErpRedactRequest =
  | { shopDomain: string; scope: 'customer'; customerId: string | null; orderIds: string[] }
  | { shopDomain: string; scope: 'shop' };

export type ErpRedaction = ErpRedactRequest & {
  receivedAt: string;
  /** Stored orders whose customer data this request erased. */
  ordersErased: number;
};

export type ErpFaultDecision =
  | { kind: 'none' }
  | { kind: 'down' }
  | { kind: 'error' }
  | { kind: 'throttled'; retryAfter: string };

export interface ErpStats {
  calls: number;
  created: number;
  duplicates: number;
  failed: number;
  throttled: number;
  dropped: number;
  redactions: number;
}

/** The ERP stand-in's memory: orders by (shop, order id), idempotent, with fault injection. */
@Injectable()
export class ErpService {
  private readonly orders = new Map<string, ErpOrderRecord>();
  private readonly calls = new Map<string, ErpCallRecord[]>();
  private readonly redactions: ErpRedaction[] = [];
  private faults: ErpFaults = erpFaultsSchema.parse({});
  private counts = { calls: 0, failed: 0, throttled: 0, dropped: 0 };

  getFaults(): ErpFaults {
    return { ...this.faults };
  }

  setFaults(faults: ErpFaults): ErpFaults {
    this.faults = faults;
    return this.getFaults();
  }

  get delayMs(): number {
    return this.faults.delayMs;
  }

  /** Draws the fault for one call (counted). */
  drawFault(): ErpFaultDecision {
    this.counts.calls++;
    if (this.faults.down) {
      this.counts.dropped++;
      return { kind: 'down' };
    }
    const draw = Math.random();
    if (draw < this.faults.errorRate) {
      this.counts.failed++;
      return { kind: 'error' };
    }
    if (draw < this.faults.errorRate + this.faults.status429Rate) {
      this.counts.throttled++;
      return { kind: 'throttled', retryAfter: this.faults.retryAfter };
    }
    return { kind: 'none' };
  }

  /** Records the order once; a repeat only counts as a duplicate. */
  record(
    shopDomain: string,
    orderId: string,
    idempotencyKey: string | null,
    body: unknown,
  ): { created: boolean; record: ErpOrderRecord } {
    const key = `${shopDomain}/${orderId}`;
    const existing = this.orders.get(key);
    if (existing) {
      existing.duplicates++;
      return { created: false, record: existing };
    }
    const record: ErpOrderRecord = {
      shopDomain,
      orderId,
      idempotencyKey,
      firstReceivedAt: new Date().toISOString(),
      duplicates: 0,
      body,
    };
    this.orders.set(key, record);
    return { created: true, record };
  }

  /** Notes a call for an order with the status it is answered with. */
  noteCall(shopDomain: string, orderId: string, answer: number): void {
    const key = `${shopDomain}/${orderId}`;
    const list = this.calls.get(key) ?? [];
    list.push({ at: new Date().toISOString(), answer });
    this.calls.set(key, list);
  }

  callsFor(shopDomain: string, orderId: string): ErpCallRecord[] {
    return this.calls.get(`${shopDomain}/${orderId}`) ?? [];
  }

  list(shopDomain?: string, orderId?: string): ErpOrderRecord[] {
    return [...this.orders.values()].filter(
      (o) => (!shopDomain || o.shopDomain === shopDomain) && (!orderId || o.orderId === orderId),
    );
  }

  /**
   * Erases what the ERP holds about the customer from the stored order bodies — their orders by
   * customer id or by the order ids named — or, for scope `shop`, every order of the shop; and
   * records the request.
   */
  redact(request: ErpRedactRequest): ErpRedaction {
    const named = new Set(request.scope === 'customer' ? request.orderIds : []);
    let ordersErased = 0;
    for (const record of this.orders.values()) {
      if (record.shopDomain !== request.shopDomain) continue;
      const body = record.body as { order?: { customer?: { id?: unknown } | null } } | null;
      if (request.scope === 'customer') {
        const byCustomer =
          request.customerId !== null && body?.order?.customer?.id === request.customerId;
        if (!byCustomer && !named.has(record.orderId)) continue;
      }
      if (body?.order) {
        record.body = { ...body, order: { ...body.order, email: null, customer: null } };
        ordersErased++;
      }
    }
    const redaction: ErpRedaction = {
      ...request,
      receivedAt: new Date().toISOString(),
      ordersErased,
    };
    this.redactions.push(redaction);
    return redaction;
  }

  listRedactions(shopDomain?: string): ErpRedaction[] {
    return this.redactions.filter((r) => !shopDomain || r.shopDomain === shopDomain);
  }

  stats(): ErpStats {
    let duplicates = 0;
    for (const order of this.orders.values()) duplicates += order.duplicates;
    return {
      ...this.counts,
      created: this.orders.size,
      duplicates,
      redactions: this.redactions.length,
    };
  }

  clear(): void {
    this.orders.clear();
    this.calls.clear();
    this.redactions.length = 0;
    this.counts = { calls: 0, failed: 0, throttled: 0, dropped: 0 };
  }
}
