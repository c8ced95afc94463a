/**
 * A member's current channel (alias `c`): answered by Google, neither replaced nor stopped. A replaced one whose
 * stop failed still takes pushes until it is stopped, but nothing relies on it any more: not the renewal, nor the
 * connection's channel expiry, nor the metrics. channels_live_by_member_idx is partial on the same condition.
 */
export const CURRENT_CHANNEL = `c.stopped_at IS NULL AND c.superseded_at IS NULL AND c.resource_id IS NOT NULL`;
