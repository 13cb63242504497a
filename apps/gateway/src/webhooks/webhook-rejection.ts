/** Why a delivery was refused; each maps to one HTTP status and one metric label. */
export type RejectionReason =
  | 'bad_hmac'
  | 'bad_headers'
  | 'bad_json'
  | 'shop_mismatch'
  | 'payload_shape'
  | 'too_large'
  | 'kafka_unavailable'
  | 'shutting_down';

/** Every reason, in the order the metric lists them from its first scrape. */
export const REJECTION_REASONS: readonly RejectionReason[] = [
  'bad_hmac',
  'bad_headers',
  'bad_json',
  'shop_mismatch',
  'payload_shape',
  'too_large',
  'kafka_unavailable',
  'shutting_down',
];

const STATUS: Record<RejectionReason, number> = {
  bad_hmac: 401,
  bad_headers: 400,
  bad_json: 400,
  // A signed body whose shop is not the header's, or whose shape is not its topic's: a replay
  // under another shop or topic, never a retryable condition.
  shop_mismatch: 400,
  payload_shape: 400,
  too_large: 413,
  kafka_unavailable: 503,
  shutting_down: 503,
};

export class WebhookRejection extends Error {
  override readonly name = 'WebhookRejection';

  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.reason];
  }

  /** 503s tell Shopify (or any sender) to come back; the write did not count. */
  get retryable(): boolean {
    return this.status === 503;
  }
}
