import type { SandboxChannel } from '../../sandbox/google-sandbox';

/** The headers Google sends with a notification on a sandbox channel (what its push sender sends). */
export function pushHeaders(
  channel: Pick<SandboxChannel, 'id' | 'resourceId' | 'token'>,
  messageNumber: number,
  state = 'exists',
): Record<string, string> {
  return {
    'X-Goog-Channel-ID': channel.id,
    'X-Goog-Channel-Token': channel.token ?? '',
    'X-Goog-Resource-ID': channel.resourceId,
    'X-Goog-Resource-State': state,
    'X-Goog-Message-Number': String(messageNumber),
  };
}
