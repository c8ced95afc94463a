/** The most instants that fall in any window of `periodMs` (a window may start at any instant). */
export function busiestWindow(instants: number[], periodMs: number): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= periodMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
