// The one error taxonomy of the service. Every failure of a directory (Cognito) call is
// classified here, by exception name and HTTP status, never by message text.
//
// - transient: worth retrying with backoff (throttling, server faults, network, timeouts);
// - limit: a cap that no retry within minutes can outlast (Cognito's daily email cap): not
//   retried, the request fails at once as retryable, to be sent again once the cap is lifted;
// - permanent: this request will fail the same way again; it becomes a failed outcome;
// - systemic: the deployment is broken (credentials, permissions, configuration), so every
//   request would fail; consumption pauses until one held request, run again, succeeds.

export type ErrorKind = 'transient' | 'limit' | 'permanent' | 'systemic';

const KIND_BY_NAME: Readonly<Record<string, ErrorKind>> = {
  // Transient
  TooManyRequestsException: 'transient',
  InternalErrorException: 'transient',
  ServiceUnavailableException: 'transient',
  ThrottlingException: 'transient',
  RequestTimeout: 'transient',
  RequestTimeoutException: 'transient',
  TimeoutError: 'transient',
  NetworkError: 'transient',
  // A Lambda trigger that timed out or was throttled: usually passes.
  UnexpectedLambdaException: 'transient',
  // With Cognito's default email sender, the daily email cap (it cannot be raised); retries would
  // only spend the UserCreation quota until tomorrow.
  LimitExceededException: 'limit',
  // Permanent: the request itself is refused.
  InvalidParameterException: 'permanent',
  InvalidPasswordException: 'permanent',
  UserLambdaValidationException: 'permanent',
  AliasExistsException: 'permanent',
  PreconditionNotMetException: 'permanent',
  UnsupportedUserStateException: 'permanent',
  UserNotFoundException: 'permanent',
  UsernameExistsException: 'permanent',
  // Cognito creates the user before it fails to send the invitation: provision-user reads it back.
  CodeDeliveryFailureException: 'permanent',
  ValidationException: 'permanent',
  SerializationException: 'permanent',
  // Systemic: nothing will succeed until an operator fixes the deployment.
  NotAuthorizedException: 'systemic',
  AccessDeniedException: 'systemic',
  UnrecognizedClientException: 'systemic',
  InvalidSignatureException: 'systemic',
  ExpiredTokenException: 'systemic',
  IncompleteSignature: 'systemic',
  MissingAuthenticationToken: 'systemic',
  CredentialsProviderError: 'systemic',
  ResourceNotFoundException: 'systemic',
  InvalidSmsRoleAccessPolicyException: 'systemic',
  InvalidSmsRoleTrustRelationshipException: 'systemic',
  InvalidEmailRoleAccessPolicyException: 'systemic',
  OperationNotEnabledException: 'systemic',
  // A trigger deployed wrong answers every request with a response Cognito cannot read.
  InvalidLambdaResponseException: 'systemic',
};

/** Classifies a failure by its exception name, falling back on the HTTP status. */
export function classifyError(name: string, httpStatus?: number): ErrorKind {
  // Own keys only: names such as "constructor" would otherwise find Object.prototype's members.
  const known = Object.hasOwn(KIND_BY_NAME, name) ? KIND_BY_NAME[name] : undefined;
  if (known) return known;
  if (httpStatus === undefined || httpStatus >= 500 || httpStatus === 429) return 'transient';
  if (httpStatus === 401 || httpStatus === 403) return 'systemic';
  return 'permanent';
}

/**
 * The error code as a metric label: known names as they are, anything else folded so that an
 * unexpected upstream cannot blow up the label set.
 */
export function errorCodeLabel(code: string): string {
  return Object.hasOwn(KIND_BY_NAME, code) || /^Http\d{3}$/.test(code) ? code : 'Other';
}

/** A failed directory call, as the directory adapter reports it. */
export class DirectoryError extends Error {
  override readonly name = 'DirectoryError';
  readonly code: string;
  readonly kind: ErrorKind;
  readonly httpStatus: number | undefined;

  constructor(code: string, message: string, options: { httpStatus?: number | undefined; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.httpStatus = options.httpStatus;
    this.kind = classifyError(code, options.httpStatus);
  }
}

/** Thrown when the deployment itself is broken: the caller must pause, not fail the request. */
export class SystemicError extends Error {
  override readonly name = 'SystemicError';
  readonly code: string;
  /** The pool the failing call was for (logged when consumption pauses). */
  readonly userPoolId: string;

  constructor(cause: DirectoryError, userPoolId: string) {
    super(`${cause.code}: ${cause.message}`, { cause });
    this.code = cause.code;
    this.userPoolId = userPoolId;
  }
}

export function isDirectoryError(error: unknown): error is DirectoryError {
  return error instanceof DirectoryError;
}
