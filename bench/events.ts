import { randomUUID } from 'node:crypto';

/** One input message, ready to produce. */
export interface BenchEvent {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * `count` structured user.requested.v1 events with distinct usernames (the Kafka key), each the
 * size of a typical hire event. They name no pool: the contenders use USER_POOL_ID.
 */
export function benchEvents(scenario: string, count: number): BenchEvent[] {
  const run = randomUUID().slice(0, 6);
  return Array.from({ length: count }, (_, index) => {
    const username = `bench-${scenario}-${run}-${String(index).padStart(6, '0')}`;
    const event = {
      specversion: '1.0',
      id: randomUUID(),
      source: 'urn:bench:hr',
      type: 'user.requested.v1',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: {
        username,
        attributes: {
          email: `${username}@example.com`,
          email_verified: 'true',
          given_name: 'Bench',
          family_name: `User ${index}`,
          'custom:employee_id': `E${index}`,
        },
        clientMetadata: { department: 'benchmarks' },
        messageAction: 'SUPPRESS',
      },
    };
    return { key: username, value: JSON.stringify(event), headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' } };
  });
}
