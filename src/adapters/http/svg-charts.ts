import type { WeekCount } from '../../domain/engagement';
import { html, type SafeHtml } from './html';

/**
 * Charts drawn on the server as inline SVG: no script, no chart library, nothing fetched. Each is an image with
 * a text alternative that says what it shows; the numbers are also in a table beside it (cadence chart) or in the
 * row's other cells (sparkline).
 */

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "16 Nov" for a YYYY-MM-DD week start. */
export function shortDate(date: string): string {
  return `${Number(date.slice(8, 10))} ${SHORT_MONTHS[Number(date.slice(5, 7)) - 1]}`;
}

/** A row's 12-week bar sparkline, oldest week on the left. */
export function sparkline(weeks: readonly WeekCount[]): SafeHtml {
  const width = 4 + weeks.length * 8;
  const height = 24;
  const max = Math.max(1, ...weeks.map((week) => week.meetings));
  const label =
    `Meetings per week over the last ${weeks.length} weeks, oldest first: ` +
    weeks.map((week) => week.meetings).join(', ');
  return html`<svg
    class="sparkline"
    role="img"
    aria-label="${label}"
    width="${width}"
    height="${height}"
    viewBox="0 0 ${width} ${height}"
  >
    <title>${label}</title>
    <line class="baseline" x1="0" y1="${height - 0.5}" x2="${width}" y2="${height - 0.5}" />
    ${weeks.map((week, i) => {
      const barHeight =
        week.meetings === 0 ? 0 : Math.max(2, Math.round((week.meetings / max) * (height - 2)));
      return barHeight === 0
        ? ''
        : html`<rect x="${2 + i * 8}" y="${height - barHeight}" width="6" height="${barHeight}" rx="1" />`;
    })}
  </svg>`;
}

/**
 * Meetings per week: the past weeks up to the current one, then the weeks ahead (meetings already scheduled) in a
 * lighter shade after a "today" marker. `currentWeek` is the current week's start.
 */
export function cadenceChart(weeks: readonly WeekCount[], currentWeek: string, titleId: string): SafeHtml {
  const barWidth = 16;
  const gap = 4;
  const left = 28;
  const top = 12;
  const plotHeight = 120;
  const width = left + weeks.length * (barWidth + gap) + 8;
  const height = top + plotHeight + 36;
  const max = Math.max(1, ...weeks.map((week) => week.meetings));
  const ticks = max <= 4 ? range(0, max) : [0, Math.round(max / 2), max];
  const y = (value: number) => top + plotHeight - (value / max) * plotHeight;
  const currentIndex = weeks.findIndex((week) => week.weekStart === currentWeek);
  const past = weeks.filter((week) => week.weekStart <= currentWeek);
  const ahead = weeks.filter((week) => week.weekStart > currentWeek);
  const summary =
    `${sum(past)} meetings in the last ${past.length} weeks (most in one week: ${Math.max(0, ...past.map((w) => w.meetings))})` +
    (ahead.length === 0 ? '.' : `; ${sum(ahead)} scheduled in the next ${ahead.length} weeks.`);
  return html`<svg
    class="cadence"
    role="img"
    aria-labelledby="${titleId}"
    aria-describedby="${titleId}-desc"
    width="${width}"
    height="${height}"
    viewBox="0 0 ${width} ${height}"
  >
    <title id="${titleId}">Meetings per week</title>
    <desc id="${titleId}-desc">${summary}</desc>
    ${ticks.map(
      (tick) =>
        html`<line class="grid" x1="${left}" y1="${y(tick)}" x2="${width - 8}" y2="${y(tick)}" />
          <text class="axis" x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>`,
    )}
    ${weeks.map((week, i) => {
      const x = left + 2 + i * (barWidth + gap);
      const barHeight = (week.meetings / max) * plotHeight;
      const future = week.weekStart > currentWeek;
      const monthStarts = i === 0 || week.weekStart.slice(5, 7) !== weeks[i - 1]!.weekStart.slice(5, 7);
      return html`${
        week.meetings === 0
          ? ''
          : html`<rect
              class="${future ? 'bar scheduled' : 'bar'}"
              x="${x}"
              y="${y(week.meetings)}"
              width="${barWidth}"
              height="${barHeight}"
              rx="2"
            >
              <title>
                Week of ${shortDate(week.weekStart)}: ${week.meetings}${future ? ' scheduled' : ''}
              </title>
            </rect>`
      }${
        monthStarts
          ? html`<text class="axis" x="${x}" y="${top + plotHeight + 16}">
              ${SHORT_MONTHS[Number(week.weekStart.slice(5, 7)) - 1]}
            </text>`
          : ''
      }`;
    })}
    ${
      currentIndex < 0 || ahead.length === 0
        ? ''
        : html`<line
              class="today"
              x1="${left + (currentIndex + 1) * (barWidth + gap)}"
              y1="${top - 4}"
              x2="${left + (currentIndex + 1) * (barWidth + gap)}"
              y2="${top + plotHeight}"
            />
            <text
              class="axis"
              x="${left + (currentIndex + 1) * (barWidth + gap) + 3}"
              y="${top + plotHeight + 30}"
            >
              scheduled →
            </text>`
    }
  </svg>`;
}

function sum(weeks: readonly WeekCount[]): number {
  return weeks.reduce((total, week) => total + week.meetings, 0);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
