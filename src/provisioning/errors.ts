// The one error taxonomy of the service. Every failure of a directory (Cognito) call is
// classified here, by exception name and HTTP status, never by message text.
//
// - transient: worth retrying with backoff (throttling, server faults, network, timeouts);
// - permanent: this request will fail the same way again; it becomes a failed outcome;
// - systemic: the deployment is broken (credentials, permissions, configuration), so every
//   request would fail; consumption pauses until one held request, run again, succeeds.

export type ErrorKind = 'transient' | 'permanent' | 'systemic';

const KIND_BY_NAME: Readonly<Record<string, ErrorKind>> = {
  // Transient
  TooManyRequestsException: 'transient',
  LimitExceededException: 'transient',
  InternalErrorException: 'transient',
  ServiceUnavailableException: 'transient',
  ThrottlingException: 'transient',
  RequestTimeout: 'transient',
  RequestTimeoutException: 'transient',
  TimeoutError: 'transient',
  NetworkError: 'transient',
  // Permanent: the request itself is refused.
  InvalidParameterException: 'permanent',
  InvalidPasswordException: 'permanent',
  UserLambdaValidationException: 'permanent',
  UnexpectedLambdaException: 'permanent',
  InvalidLambdaResponseException: 'permanent',
  AliasExistsException: 'permanent',
  PreconditionNotMetException: 'permanent',
  UnsupportedUserStateException: 'permanent',
  UserNotFoundException: 'permanent',
  UsernameExistsException: 'permanent',
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
