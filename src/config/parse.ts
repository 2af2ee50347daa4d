// The parsers of the configuration table: each turns one variable's text into a value or a
// ConfigError naming the variable and the rule, and says for people what it accepts.

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.variable = variable;
  }
}

export interface Parser<T> {
  /** What the parser accepts, in Markdown, for the generated docs. */
  readonly accepts: string;
  parse(name: string, value: string): T;
}

export function missing(name: string): never {
  throw new ConfigError(name, 'is required');
}

export const text: Parser<string> = { accepts: 'any text', parse: (_name, value) => value };

export const hostPort: Parser<string> = {
  accepts: '`host:port`',
  parse(name, value) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65_535) throw new ConfigError(name, `"${value}" is not host:port`);
    return value;
  },
};

export function list<T>(item: Parser<T>): Parser<T[]> {
  return {
    accepts: `comma-separated, each ${item.accepts}`,
    parse(name, value) {
      const items = value.split(',').map((part) => part.trim());
      if (items.some((part) => part === '')) throw new ConfigError(name, 'has an empty item in its comma-separated list');
      return items.map((part) => item.parse(name, part));
    },
  };
}

export function number(range: { min: number; max: number; integer?: boolean }): Parser<number> {
  return {
    accepts: `${range.integer ? 'whole number' : 'number'}, ${range.min}–${range.max}`,
    parse(name, value) {
      const parsed = Number(value);
      if (!/^-?\d+(\.\d+)?$/.test(value) || !Number.isFinite(parsed)) throw new ConfigError(name, `"${value}" is not a number`);
      if (range.integer && !Number.isInteger(parsed)) throw new ConfigError(name, `"${value}" is not a whole number`);
      if (parsed < range.min || parsed > range.max) throw new ConfigError(name, `${value} is outside ${range.min}..${range.max}`);
      return parsed;
    },
  };
}

export const boolean: Parser<boolean> = {
  accepts: '`true` or `false` (also `yes`/`no`, `1`/`0`)',
  parse(name, value) {
    const normalized = value.toLowerCase();
    if (['true', '1', 'yes'].includes(normalized)) return true;
    if (['false', '0', 'no'].includes(normalized)) return false;
    throw new ConfigError(name, `"${value}" is not true or false`);
  },
};

/** One of a few words, in any case. */
export function oneOf<const T extends string>(allowed: readonly T[]): Parser<T> {
  return {
    accepts: allowed.map((word) => `\`${word}\``).join(', '),
    parse(name, value) {
      const normalized = value.toLowerCase();
      if (!(allowed as readonly string[]).includes(normalized)) throw new ConfigError(name, `"${normalized}" is not one of ${allowed.join(', ')}`);
      return normalized as T;
    },
  };
}

function matching(pattern: RegExp, expected: string, accepts: string): Parser<string> {
  return {
    accepts,
    parse(name, value) {
      if (!pattern.test(value)) throw new ConfigError(name, `"${value}" is not ${expected}`);
      return value;
    },
  };
}

export const region = matching(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'a region such as us-east-1', 'AWS region, such as `us-east-1`');

export const poolId = matching(/^[\w-]+_[0-9a-zA-Z]+$/, 'a user pool id such as us-east-1_Example1', 'user pool id, such as `us-east-1_Example1`');

export const customAttribute = matching(
  /^(dev:)?custom:[\w.-]{1,20}$/,
  'a custom attribute such as custom:provisioning_id',
  'custom attribute, such as `custom:provisioning_id`',
);

export const topic = matching(
  /^[a-zA-Z0-9._-]{1,249}$/,
  'a Kafka topic name (letters, digits, ".", "_", "-"; at most 249)',
  'Kafka topic name: at most 249 letters, digits, dots, underscores and hyphens',
);

export function url(protocols: readonly string[]): Parser<string> {
  const prefixes = protocols.map((protocol) => `${protocol}//`);
  return {
    accepts: `URL starting with ${prefixes.map((prefix) => `\`${prefix}\``).join(' or ')}`,
    parse(name, value) {
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        // Not quoted: the value may hold a password.
        throw new ConfigError(name, 'is not a URL');
      }
      if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, `must start with ${prefixes.join(' or ')}`);
      return value;
    },
  };
}
