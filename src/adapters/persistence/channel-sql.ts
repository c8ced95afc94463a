/**
 * A member's current channel (alias `c`): opened, neither stopped nor replaced. A replaced one whose stop failed
 * still takes pushes until it is stopped, but nothing relies on it any more: not the renewal, nor the connection's
 * channel expiry, nor the metrics.
 */
export const CURRENT_CHANNEL = `c.stopped_at IS NULL AND c.superseded_at IS NULL AND c.resource_id IS NOT NULL`;
