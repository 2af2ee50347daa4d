// Cognito's error answers as the model gives them. The JSON 1.1 shape (`__type`, `message`, HTTP 400)
// is built from these in json-protocol.ts; classify by `type`, never by message text.

/** The AdminCreateUser / AdminGetUser / DescribeUserPool errors the model can answer. */
export type CognitoErrorType =
  | 'AccessDeniedException'
  | 'AliasExistsException'
  | 'CodeDeliveryFailureException'
  | 'InternalErrorException'
  | 'InvalidLambdaResponseException'
  | 'InvalidParameterException'
  | 'InvalidPasswordException'
  | 'LimitExceededException'
  | 'ResourceNotFoundException'
  | 'SerializationException'
  | 'TooManyRequestsException'
  | 'UnexpectedLambdaException'
  | 'UnknownOperationException'
  | 'UserLambdaValidationException'
  | 'UserNotFoundException'
  | 'UsernameExistsException';

export class CognitoError extends Error {
  readonly type: CognitoErrorType;
  constructor(type: CognitoErrorType, message: string) {
    super(message);
    this.name = type;
    this.type = type;
  }
}

export function isCognitoError(error: unknown, type?: CognitoErrorType): error is CognitoError {
  return error instanceof CognitoError && (type === undefined || error.type === type);
}
