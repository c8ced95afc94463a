/** The secret a channel's notifications must carry: derived from the channel id, so nothing is stored. */
export interface ChannelTokens {
  sign(channelId: string): string;
  /** Constant-time. */
  verify(channelId: string, token: string): boolean;
}
