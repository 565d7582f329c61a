import { FIELD_LABELS, maskCardNumber, ORDER_FIELDS, type Order } from '../domain/order';
import { listQueryString, pageLinks, PAGING, type ListParams } from '../domain/list-params';
import { SORT_FIELDS, type SortField, type TextFilterField } from '../domain/order-query';
import type { OrderPage } from '../service/order-service';
import { formatNumber } from '../domain/format-number';
import { html, type SafeHtml } from './html';
import { DATE_ATTRS } from './order-form-page';
import { layout, type HeaderUser } from './layout';

export interface OrderListPageProps {
  /** The signed-in user (sign-in on). */
  readonly user?: HeaderUser;
  readonly params: ListParams;
  readonly result: OrderPage;
  /** The order just created, shown in a confirmation. */
  readonly created?: Order;
}

function sortHeader(params: ListParams, field: (typeof ORDER_FIELDS)[number]): SafeHtml {
  const label = FIELD_LABELS[field];
  const numeric = field === 'productQuantity' ? html` class="num"` : '';
  if (!(SORT_FIELDS as readonly string[]).includes(field)) return html`<th scope="col"${numeric}>${label}</th>`;
  const sortField = field as SortField;
  const current = params.sort.field === sortField;
  const nextDir =
    current && params.sort.direction === 'asc'
      ? 'desc'
      : current
        ? 'asc'
        : sortField === 'orderDate' || sortField === 'shippingDate'
          ? 'desc'
          : 'asc';
  const href = `/${listQueryString(params, { page: 1, sort: { field: sortField, direction: nextDir } })}`;
  const ariaSort = current ? (params.sort.direction === 'asc' ? 'ascending' : 'descending') : undefined;
  // The mark is decoration: aria-sort says the same to screen readers.
  const mark = current ? (params.sort.direction === 'asc' ? '▲' : '▼') : '↕';
  const title = `Sort by ${label}, ${nextDir === 'asc' ? 'ascending' : 'descending'}`;
  const sortAttr = ariaSort ? html` aria-sort="${ariaSort}"` : '';
  const link = html`<a class="sort${current ? ' current' : ''}" href="${href}" title="${title}">`;
  return html`<th scope="col"${numeric}${sortAttr}>${link}${label}<span class="sort-mark" aria-hidden="true">${mark}</span></a></th>`;
}

/**
 * Page numbers to show around `page`: the first, the last, and `page` with its neighbours;
 * a gap of one page shows that page, a longer one an ellipsis (null).
 */
export function pageNumbers(page: number, totalPages: number, showLast: boolean): (number | null)[] {
  const wanted = new Set([1, page - 1, page, page + 1]);
  if (showLast) wanted.add(totalPages);
  const sorted = [...wanted].filter((n) => n >= 1 && n <= totalPages).sort((a, b) => a - b);
  const out: (number | null)[] = [];
  for (const n of sorted) {
    const prev = out.length > 0 ? sorted[sorted.indexOf(n) - 1]! : 0;
    if (n - prev === 2) out.push(n - 1);
    else if (n - prev > 2) out.push(null);
    out.push(n);
  }
  return out;
}

/** Whether the list needs a pager at all: not when every row fits on this one page. */
const needsPager = (result: OrderPage): boolean => result.totalPages > 1 || result.hasPrevious || result.hasNext;

/** The pager, shown above and below the table: Previous, numbered pages around the current one, Next. */
function pagination(params: ListParams, result: OrderPage, where: 'top' | 'bottom'): SafeHtml {
  const { page, totalPages } = result;
  const links = pageLinks(params, result);
  const edge = (href: string | undefined, label: string, rel: string): SafeHtml =>
    href
      ? html`<a class="page-link ${rel}" rel="${rel}" href="${href}">${label}</a>`
      : html`<span class="page-link ${rel} disabled" aria-disabled="true">${label}</span>`;
  const number = (n: number | null): SafeHtml => {
    if (n === null) return html`<li class="gap" aria-hidden="true">…</li>`;
    if (n === page)
      return html`<li><a class="page-link current" aria-current="page" href="/${listQueryString(params, { page: n })}">${formatNumber(n)}</a></li>`;
    const rel = n === 1 ? html` rel="first"` : n === totalPages && links.last ? html` rel="last"` : '';
    return html`<li><a class="page-link"${rel} href="/${listQueryString(params, { page: n })}" aria-label="Page ${formatNumber(n)}">${formatNumber(
      n,
    )}</a></li>`;
  };
  const atMost = result.totalExact ? '' : 'at most ';
  return html`<nav class="pagination ${where}" aria-label="Pages${where === 'bottom' ? ' (below the orders)' : ''}">
  ${edge(links.previous, 'Previous', 'prev')}
  <ul class="page-numbers">${pageNumbers(page, totalPages, result.totalExact).map(number)}</ul>
  <span class="page-status">Page ${formatNumber(page)} of ${atMost}${formatNumber(totalPages)}</span>
  ${edge(links.next, 'Next', 'next')}
</nav>`;
}

/** A form to go to any page by number (below the bottom pager). */
function jumpForm(params: ListParams, result: OrderPage): SafeHtml {
  const hidden = (name: string, value: string | undefined): SafeHtml | '' =>
    value ? html`<input type="hidden" name="${name}" value="${value}">` : '';
  const f = params.filter;
  const filterFields = [
    hidden('userId', f.userId),
    hidden('storeCode', f.storeCode),
    hidden('productCode', f.productCode),
    hidden('from', f.orderDateFrom),
    hidden('to', f.orderDateTo),
  ];
  const size = params.size !== PAGING.defaultSize ? hidden('size', String(params.size)) : '';
  return html`<form class="jump" method="get" action="/">
  ${filterFields}
  ${hidden('sort', params.sort.field)}${hidden('dir', params.sort.direction)}${size}
  <label for="jump-page">Go to page</label>
  <input id="jump-page" name="page" type="number" min="1" max="${result.totalPages}" value="${result.page}" required>
  <button type="submit">Go</button>
</form>`;
}

/** Active filters, for the button that opens the panel. */
function activeFilterCount(params: ListParams): number {
  return Object.values(params.filter).filter((v) => v !== undefined).length;
}

/** A text filter's field: it matches the start of the value, in either case (see `OrderFilter`), and its hint says so. */
function textFilter(name: TextFilterField, id: string, value: string | undefined): SafeHtml {
  return html`<div class="field"><label for="${id}">${FIELD_LABELS[name]}</label>
    <small id="${id}-hint" class="hint">Starts with, any case</small>
    <input id="${id}" name="${name}" value="${value ?? ''}" maxlength="64" aria-describedby="${id}-hint"></div>`;
}

function filters(params: ListParams): SafeHtml {
  const f = params.filter;
  // ISO dates typed as text, as on the form; the placeholder says the format (the label stays short).
  const dateAttrs = html`${DATE_ATTRS} placeholder="yyyy-mm-dd"`;
  const sizes = [10, 25, 50, 100];
  const active = activeFilterCount(params);
  const sortOptions = SORT_FIELDS.map((s) => html`<option value="${s}"${s === params.sort.field ? html` selected` : ''}>${FIELD_LABELS[s]}</option>`);
  const dirOption = (dir: 'asc' | 'desc', label: string): SafeHtml =>
    html`<option value="${dir}"${dir === params.sort.direction ? html` selected` : ''}>${label}</option>`;
  // Closed by default so a phone shows orders first; order-list.js opens it on wide screens.
  return html`<details class="filter-panel"${active > 0 ? html` open` : ''}>
<summary><span class="summary-label">Filters and sorting</span>${active > 0 ? html` <span class="badge">${active} active</span>` : ''}</summary>
<form class="filters" method="get" action="/" aria-label="Filter orders">
  ${textFilter('userId', 'f-user', f.userId)}
  ${textFilter('storeCode', 'f-store', f.storeCode)}
  ${textFilter('productCode', 'f-product', f.productCode)}
  <div class="field"><label for="f-from">Order date from</label><input id="f-from" name="from" value="${f.orderDateFrom ?? ''}" ${dateAttrs}></div>
  <div class="field"><label for="f-to">Order date to</label><input id="f-to" name="to" value="${f.orderDateTo ?? ''}" ${dateAttrs}></div>
  <div class="field"><label for="f-sort">Sort by</label><select id="f-sort" name="sort">${sortOptions}</select></div>
  <div class="field"><label for="f-dir">Order</label><select id="f-dir" name="dir">${dirOption('asc', 'Ascending')}${dirOption(
    'desc',
    'Descending',
  )}</select></div>
  <div class="field"><label for="f-size">Rows per page</label><select id="f-size" name="size">${sizes.map(
    (s) => html`<option value="${s}"${s === params.size ? html` selected` : ''}>${s}</option>`,
  )}</select></div>
  <div class="actions"><button type="submit">Apply</button> <a href="/">Clear</a></div>
</form>
</details>`;
}

/** A long id shown by its first 8 characters (CSS clips it); the whole value stays in the text and the title. */
const shortId = (id: string): SafeHtml => html`<span class="short-id mono" title="${id}">${id}</span>`;

function row(order: Order, highlight: boolean, params: ListParams): SafeHtml {
  const cell = (field: (typeof ORDER_FIELDS)[number], content: SafeHtml | string | number, cls = ''): SafeHtml =>
    html`<td${cls ? html` class="${cls}"` : ''} data-label="${FIELD_LABELS[field]}">${content}</td>`;
  const userHref = `/${listQueryString({ ...params, filter: { userId: order.userId }, page: 1 })}`;
  const userTitle = `${order.userId}: show this user's orders`;
  const userLink = html`<a href="${userHref}" title="${userTitle}"><span class="short-id mono">${order.userId}</span></a>`;
  const card = cell('cardNumber', maskCardNumber(order.cardNumber), 'mono card');
  return html`<tr${highlight ? html` class="highlight"` : ''}>
  ${cell('dateUuid', shortId(order.dateUuid), 'id')}${cell('userId', userLink, 'id')}${card}
  ${cell('storeCode', order.storeCode)}${cell('productCode', order.productCode)}${cell('productQuantity', formatNumber(order.productQuantity), 'num')}
  ${cell('orderDate', order.orderDate, 'date')}${cell('shippingDate', order.shippingDate, 'date')}
</tr>`;
}

/**
 * What the Order List shows below the header: filters, sortable table, pagination, CSV
 * export, empty state, and the confirmation of a just-created order. Depends only on its
 * arguments (no user name or token), so a page without `created` can be kept and reused.
 */
export function orderListContent({ params, result, created, canAdd }: Omit<OrderListPageProps, 'user'> & { readonly canAdd: boolean }): SafeHtml {
  const filtered = Object.values(params.filter).some((v) => v !== undefined);
  const isCreated = (o: Order): boolean => !!created && o.dateUuid === created.dateUuid && o.userId === created.userId;
  const notice = created
    ? html`<div class="notice success" role="status">Order <span class="mono">${created.dateUuid}</span> for user ${created.userId} was added.
  <a href="/${listQueryString({ ...params, filter: { userId: created.userId }, page: 1 })}">Show this user's orders</a></div>`
    : '';
  const atMost = result.totalExact ? '' : 'at most ';
  const pager = needsPager(result);
  const range = `${formatNumber(result.offset + 1)}–${formatNumber(result.offset + result.items.length)}`;
  const caption = `Orders ${range} of ${atMost}${formatNumber(result.totalItems)}`;
  const body =
    result.totalItems === 0
      ? html`<div class="empty-state">
  <h2>${filtered ? 'No orders match these filters' : 'No orders yet'}</h2>
  <p>${filtered ? html`Try other filters or <a href="/">clear them</a>.` : 'Orders you add will show up here.'}</p>
  ${canAdd ? html`<p><a class="button" href="/orders/new">Add a new order</a></p>` : ''}
</div>`
      : html`${pager ? pagination(params, result, 'top') : ''}
<div class="table-wrap"><table class="orders">
  <caption>${caption}</caption>
  <thead><tr>${ORDER_FIELDS.map((f) => sortHeader(params, f))}</tr></thead>
  <tbody>${result.items.map((o) => row(o, isCreated(o), params))}</tbody>
</table></div>
${pager ? html`<div class="pager-foot">${pagination(params, result, 'bottom')}${jumpForm(params, result)}</div>` : ''}`;
  const csvHref = `/orders.csv${listQueryString({ ...params, page: 1, size: PAGING.defaultSize })}`;
  const addButton = canAdd ? html` <a class="button" href="/orders/new">Add New Order</a>` : '';
  return html`<div class="page-head"><h1>Order List</h1>
  <div class="head-actions"><a class="button secondary" href="${csvHref}">Export CSV</a>${addButton}</div></div>
${notice}
${filters(params)}
${body}
<script src="/static/order-list.js" defer></script>`;
}

/** Whether a user may add orders: everyone with sign-in off, editors with it on. */
export const userCanAdd = (user: HeaderUser | undefined): boolean => !user || user.role === 'editor';

/** The Order List page: the header for `user` around `orderListContent` (or content rendered before). */
export function orderListPage(props: OrderListPageProps | { readonly user?: HeaderUser; readonly content: SafeHtml }): SafeHtml {
  const content = 'content' in props ? props.content : orderListContent({ ...props, canAdd: userCanAdd(props.user) });
  return layout({ title: 'Order List', active: 'list', user: props.user, body: content });
}
