import { z } from 'zod';

import type {
  AccountEngagement,
  ContactLastMet,
  EngagementPage,
  EngagementSort,
  MeetingMention,
} from '../../application/ports/engagement-read-model.port';
import { isoDate } from '../../domain/engagement';
import { engagementSearchSchema, engagementSortSchema } from './admin-api.schemas';
import { sortParam } from './engagement-params';
import { html, type SafeHtml, timeTag } from './html';
import { cadenceChart, shortDate, sparkline } from './svg-charts';

/** The accounts page's own query: the filter form's fields and the column a header link sorts by. */
export const accountsPageQuerySchema = z.object({
  q: engagementSearchSchema.default(''),
  met: z.enum(['', '30', '60', '90', 'never'], { error: 'must be 30, 60, 90 or never' }).default(''),
  sort: engagementSortSchema,
  cursor: z.string().optional(),
});
export type AccountsPageQuery = z.infer<typeof accountsPageQuerySchema>;

export const ACCOUNTS_PAGE_SIZE = 50;
export const SPARKLINE_WEEKS = 12;
export const CADENCE_WEEKS = 26;
export const CADENCE_WEEKS_AHEAD = 8;

const MET_TEXT = {
  '': 'Any time',
  '30': 'Not met in 30 days',
  '60': 'Not met in 60 days',
  '90': 'Not met in 90 days',
  never: 'Never met',
};

interface Column {
  label: string;
  sort: EngagementSort | null;
  /** Counts read best largest first, dates and names from the start. */
  firstDirection: 'asc' | 'desc';
  number?: boolean;
}

const COLUMNS: Column[] = [
  { label: 'Account', sort: 'name', firstDirection: 'asc' },
  { label: 'Last meeting', sort: 'lastMeeting', firstDirection: 'asc' },
  { label: 'Next meeting', sort: 'nextMeeting', firstDirection: 'asc' },
  { label: '30 days', sort: 'meetings30d', firstDirection: 'desc', number: true },
  { label: '90 days', sort: 'meetings90d', firstDirection: 'desc', number: true },
  { label: `Last ${SPARKLINE_WEEKS} weeks`, sort: null, firstDirection: 'asc' },
  { label: 'Met most by', sort: 'topMember', firstDirection: 'asc' },
];

/** `/admin/accounts` with these parameters (empty ones left out). */
function accountsUrl(query: { q?: string; met?: string; sort?: string; cursor?: string }): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '' && !(name === 'sort' && value === 'name'))
      params.set(name, value);
  }
  const search = params.toString();
  return search === '' ? '/admin/accounts' : `/admin/accounts?${search}`;
}

/** Every account with how we meet it: a filter form, a table sorted by any column, and paging. */
export function accountsPage(
  query: AccountsPageQuery,
  result: EngagementPage,
  nextCursor: string | null,
): SafeHtml {
  const { sort: sorted, direction } = query.sort;
  const sort = sortParam(sorted, direction);
  const filters = { q: query.q, met: query.met };
  return html`<h1>Accounts</h1>
    <form class="filters" method="get" action="/admin/accounts" role="search" aria-label="Filter accounts">
      <p>
        <label for="q">Name, id or domain</label>
        <input id="q" name="q" type="search" value="${query.q}" maxlength="200" />
      </p>
      <p>
        <label for="met">Last met</label>
        <select id="met" name="met">
          ${Object.entries(MET_TEXT).map(
            ([value, text]) =>
              html`<option value="${value}" ${value === query.met ? html`selected` : ''}>${text}</option>`,
          )}
        </select>
      </p>
      <input type="hidden" name="sort" value="${sort}" />
      <p><button type="submit">Show</button></p>
      ${
        query.q === '' && query.met === ''
          ? ''
          : html`<p><a href="${accountsUrl({ sort })}">Clear filters</a></p>`
      }
    </form>
    <p role="status">
      ${result.total === 1 ? '1 account' : `${result.total.toLocaleString('en-US')} accounts`}
      ${query.q === '' && query.met === '' ? '' : 'match'}${query.cursor === undefined ? '' : ' (a later page)'}
    </p>
    ${
      result.items.length === 0
        ? html`<p>No account to show.</p>`
        : html`<table>
            <caption class="visually-hidden">
              Accounts with their last and next meeting, meetings in the last 30 and 90 days, weekly meetings
              and the member who met them most; sorted by ${COLUMNS.find((c) => c.sort === sorted)?.label}
              ${direction === 'asc' ? 'ascending' : 'descending'}
            </caption>
            <thead>
              <tr>
                ${COLUMNS.map((column) => {
                  if (column.sort === null) return html`<th scope="col">${column.label}</th>`;
                  const current = column.sort === sorted;
                  const next = current ? (direction === 'asc' ? 'desc' : 'asc') : column.firstDirection;
                  // aria-sort on the sorted column only; the arrow repeats it for the eye, not for screen readers.
                  return html`<th
                    scope="col"
                    class="${column.number === true ? 'number' : ''}"
                    ${current ? html`aria-sort="${direction === 'asc' ? 'ascending' : 'descending'}"` : ''}
                  >
                    <a href="${accountsUrl({ ...filters, sort: sortParam(column.sort, next) })}"
                      >${column.label}${
                        current
                          ? html`<span aria-hidden="true">${direction === 'asc' ? ' ▲' : ' ▼'}</span>`
                          : ''
                      }</a
                    >
                  </th>`;
                })}
              </tr>
            </thead>
            <tbody>
              ${result.items.map(accountRow)}
            </tbody>
          </table>`
    }
    <p class="pager">
      ${query.cursor === undefined ? '' : html`<a href="${accountsUrl({ ...filters, sort })}">First page</a>`}
      ${
        nextCursor === null
          ? ''
          : html`<a class="button secondary" href="${accountsUrl({ ...filters, sort, cursor: nextCursor })}"
              >Next page</a
            >`
      }
    </p>`;
}

function accountRow(account: AccountEngagement): SafeHtml {
  const top = account.topMembers[0];
  return html`<tr data-account="${account.accountId}">
    <td>
      <a href="/admin/accounts/${encodeURIComponent(account.accountId)}">${account.name}</a><br />
      <small>${account.domains.join(', ') || account.accountId}</small>
    </td>
    <td>${mention(account.lastMeeting, 'Never')}</td>
    <td>${mention(account.nextMeeting, 'None scheduled')}</td>
    <td class="number">${account.meetings30d}</td>
    <td class="number">${account.meetings90d}</td>
    <td>${sparkline(account.weekly)}</td>
    <td>
      ${top === undefined ? html`<span class="muted">—</span>` : html`${top.email} <small>(${top.meetings})</small>`}
    </td>
  </tr>`;
}

/** How a meeting is named on the pages: a private one by that fact, never by its (withheld) title. */
export function meetingTitle(meeting: { title: string; private: boolean }): string {
  if (meeting.private) return '(private meeting)';
  return meeting.title === '' ? '(no title)' : meeting.title;
}

/** A meeting's date and title, or `none`. */
function mention(meeting: MeetingMention | null, none: string): SafeHtml {
  if (meeting === null) return html`<span class="muted">${none}</span>`;
  return html`<time datetime="${meeting.at.toISOString()}">${isoDate(meeting.at)}</time><br /><small
      >${meetingTitle(meeting)}</small
    >`;
}

/** One account: the headline figures, the cadence chart, the contacts by when they were last met. */
export function accountEngagementSection(
  engagement: AccountEngagement,
  contacts: readonly ContactLastMet[],
  contactCount: number,
): SafeHtml {
  // The chart's weeks are the past ones (the current one last), then the weeks ahead.
  const currentWeek = engagement.weekly[CADENCE_WEEKS - 1]?.weekStart ?? '';
  return html`<ul class="cards" aria-label="At a glance">
      <li><span class="muted">Last meeting</span> ${mentionCard(engagement.lastMeeting, 'Never met')}</li>
      <li>
        <span class="muted">Next meeting</span> ${mentionCard(engagement.nextMeeting, 'None scheduled')}
      </li>
      <li><span class="muted">Last 30 days</span> <span class="figure">${engagement.meetings30d}</span></li>
      <li><span class="muted">Last 90 days</span> <span class="figure">${engagement.meetings90d}</span></li>
      <li>
        <span class="muted">Met most by</span>
        ${
          engagement.topMembers.length === 0
            ? html`<span class="figure">—</span>`
            : html`<ol>
                ${engagement.topMembers.map((m) => html`<li>${m.email} <small>(${m.meetings})</small></li>`)}
              </ol>`
        }
      </li>
    </ul>
    <h2>Cadence</h2>
    <p class="muted">
      Meetings per week over the last ${CADENCE_WEEKS} weeks and the ${CADENCE_WEEKS_AHEAD} weeks ahead (weeks
      start Monday, UTC).
    </p>
    <div class="chart">${cadenceChart(engagement.weekly, currentWeek, 'cadence-title')}</div>
    <details>
      <summary>The weekly numbers</summary>
      <table>
        <thead>
          <tr>
            <th scope="col">Week of</th>
            <th scope="col" class="number">Meetings</th>
          </tr>
        </thead>
        <tbody>
          ${engagement.weekly.map(
            (week) =>
              html`<tr>
                <td>
                  ${shortDate(week.weekStart)}
                  ${week.weekStart.slice(0, 4)}${week.weekStart > currentWeek ? ' (scheduled)' : ''}
                </td>
                <td class="number">${week.meetings}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </details>
    <h2>Contacts</h2>
    ${
      contacts.length === 0
        ? html`<p>No contact yet: add them with the API or a CSV upload.</p>`
        : html`<table>
              <thead>
                <tr>
                  <th scope="col">Contact</th>
                  <th scope="col">Email</th>
                  <th scope="col">Last met</th>
                </tr>
              </thead>
              <tbody>
                ${contacts.map(
                  (c) =>
                    html`<tr>
                      <td>${c.name ?? html`<span class="muted">—</span>`}</td>
                      <td>${c.email}</td>
                      <td>${timeTag(c.lastMetAt, 'Never')}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
            ${contactCount > contacts.length ? html`<p class="muted">The ${contacts.length} most recently met of ${contactCount}.</p>` : ''}`
    }`;
}

function mentionCard(meeting: MeetingMention | null, none: string): SafeHtml {
  return meeting === null
    ? html`<span class="figure">${none}</span>`
    : html`<time class="figure" datetime="${meeting.at.toISOString()}">${isoDate(meeting.at)}</time>
        <small>${meetingTitle(meeting)}</small>`;
}
