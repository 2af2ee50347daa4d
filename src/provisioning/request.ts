import type { Secret } from './secret.ts';

export type MessageAction = 'RESEND' | 'SUPPRESS';
export type DeliveryMedium = 'SMS' | 'EMAIL';

/** One AdminCreateUser request, as the provisioning logic sees it (transport-free). */
export interface ProvisionRequest {
  /** The id of the request event: the idempotency key. */
  readonly requestId: string;
  /** Absent when the event named none: the configured default pool then applies. */
  readonly userPoolId: string | undefined;
  readonly username: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly validationData: Readonly<Record<string, string>>;
  readonly clientMetadata: Readonly<Record<string, string>>;
  readonly temporaryPassword: Secret | undefined;
  readonly forceAliasCreation: boolean | undefined;
  readonly messageAction: MessageAction | undefined;
  readonly desiredDeliveryMediums: readonly DeliveryMedium[] | undefined;
  /** W3C trace context of the request, passed on to the triggers and the outcome. */
  readonly traceparent: string | undefined;
}

/** A broken rule, naming the field of the event it concerns. */
export interface Violation {
  /** Where in the event, e.g. data.attributes.email. */
  readonly field: string;
  /** A stable code, e.g. max-length, email-required. */
  readonly rule: string;
  /** What is wrong, as a predicate of the field: "is required because EMAIL is a desired delivery medium". */
  readonly message: string;
}
