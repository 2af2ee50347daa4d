/**
 * How logs and reports show personal data (usernames, emails, message keys): as it is when the
 * operator opted in, otherwise as a stable, short hash, so lines still correlate.
 */
export type PersonalDataMask = (value: string | undefined) => string | undefined;
