/** Values whose exact content is part of Google's contract, not just their kind. */
const LITERAL_KEYS = new Set([
  'kind',
  'status',
  'reason',
  'domain',
  'code',
  'error',
  'token_type',
  'accessRole',
  'eventType',
  'locationType',
  'location',
  'visibility',
]);

const STRING_KINDS: Array<[string, RegExp]> = [
  ['date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/],
  ['date', /^\d{4}-\d{2}-\d{2}$/],
  ['digits', /^\d+$/],
  ['rfc1123-date', /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/],
  ['quoted', /^"[^"]+"$/],
  ['url', /^https?:\/\//],
  ['email', /^[^@\s]+@[^@\s]+\.[a-z]+$/i],
];

/**
 * The skeleton of a JSON value: objects keep their keys, arrays merge their elements, strings become their kind
 * (date-time, digits, url...), and a few contract fields keep their literal value. Two values "have the same
 * shape" when their skeletons are equal.
 */
export function shapeOf(value: unknown, key?: string): unknown {
  if (Array.isArray(value))
    return value.length === 0 ? [] : [value.map((item) => shapeOf(item)).reduce(merge)];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((name) => [name, shapeOf((value as Record<string, unknown>)[name], name)]),
    );
  }
  if (key !== undefined && LITERAL_KEYS.has(key)) return value;
  if (typeof value === 'string')
    return STRING_KINDS.find(([, pattern]) => pattern.test(value))?.[0] ?? 'string';
  return typeof value;
}

function merge(a: unknown, b: unknown): unknown {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return Object.fromEntries(
      keys.map((name) => [name, name in a && name in b ? merge(a[name], b[name]) : (a[name] ?? b[name])]),
    );
  }
  return JSON.stringify(a) === JSON.stringify(b) ? a : { oneOf: [a, b] };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
