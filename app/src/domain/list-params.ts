import type { Order } from './order';
import {
  baseField,
  DEFAULT_SORT,
  foldKey,
  SORT_FIELDS,
  SORT_KEYS,
  sortKeyOf,
  TEXT_FILTER_FIELDS,
  type OrderFilter,
  type OrderSort,
  type SortField,
  type SortKey,
} from './order-query';
import { isCalendarDate, normalizeText, ORDER_RULES } from './order-validation';

/** Paging limits of the order list. */
export const PAGING = {
  defaultSize: 25,
  maxSize: 100,
  /** Larger page numbers are refused rather than parsed into imprecise numbers. */
  maxPage: 1_000_000_000,
} as const;

/** What a list request asks for, parsed and validated. */
export interface ListParams {
  /** 1-based page number; pages past the last are shown as the last page. */
  readonly page: number;
  readonly size: number;
  readonly sort: OrderSort;
  readonly filter: OrderFilter;
  /**
   * Rows just after (Next) or just before (Previous) a row of an earlier page: paging by
   * cursor neither repeats nor skips rows while orders are added. `page` is then the page
   * number the link expected, shown where the position is not computed.
   */
  readonly cursor?: ListCursor;
}

/** A row's sort key, carried by Next and Previous links as `after` or `before`. */
export interface ListCursor {
  readonly direction: 'after' | 'before';
  readonly key: SortKey;
}

/** The cursor's query value: the sort key as base64url JSON. */
export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Reads a cursor for `field`'s sort key; undefined when it is not one. */
export function decodeCursor(value: string, field: SortField): SortKey | undefined {
  // No valid key encodes to 600 characters: the limit only spares parsing a long one.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see above
  if (value.length > 600 || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const fields = SORT_KEYS[field];
  if (!Array.isArray(key) || key.length !== fields.length) return undefined;
  // Checked as the column would: an invalid or impossible date (2026-02-30) would be shifted
  // or refused by the database, and SQL Server's NVARCHAR(64) counts UTF-16 units. A folded
  // key has no capital ASCII letter (a link made before text sorts were folded has one).
  const ok = fields.every((f, i) => {
    const v = key[i];
    if (f === 'productQuantity') return Number.isInteger(v) && Math.abs(v as number) < 2 ** 31;
    if (typeof v !== 'string') return false;
    if (f === 'orderDate' || f === 'shippingDate') return isCalendarDate(v);
    return v.length <= ORDER_RULES.textMaxLength && (f === baseField(f) || v === foldKey(v));
  });
  return ok ? (key as SortKey) : undefined;
}

export type ListParamsResult = { readonly ok: true; readonly value: ListParams } | { readonly ok: false; readonly errors: Record<string, string> };

/** The query parameter names, shared by pages, the API and the CSV export. */
export const LIST_PARAM_NAMES = ['page', 'size', 'sort', 'dir', 'userId', 'storeCode', 'productCode', 'from', 'to', 'after', 'before'] as const;

function single(query: Record<string, unknown>, name: string, errors: Record<string, string>): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    errors[name] = `Query parameter "${name}" must be given once.`;
    return undefined;
  }
  return value.trim();
}

function positiveInt(value: string, name: string, max: number, errors: Record<string, string>): number | undefined {
  if (!/^\d{1,10}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    errors[name] = `Query parameter "${name}" must be a whole number from 1 to ${max}; got ${JSON.stringify(value.slice(0, 20))}.`;
    return undefined;
  }
  return Number(value);
}

/**
 * Parses list query parameters. Malformed values are errors (HTTP 400) naming the
 * parameter; a page past the last one is not an error (the caller shows the last page).
 * Empty filter values (as an empty GET form sends them) mean "no filter".
 */
export function parseListParams(query: Record<string, unknown>): ListParamsResult {
  const errors: Record<string, string> = {};
  const pageRaw = single(query, 'page', errors);
  const sizeRaw = single(query, 'size', errors);
  const page = pageRaw ? positiveInt(pageRaw, 'page', PAGING.maxPage, errors) : 1;
  const size = sizeRaw ? positiveInt(sizeRaw, 'size', PAGING.maxSize, errors) : PAGING.defaultSize;

  const sortRaw = single(query, 'sort', errors);
  let field: SortField = DEFAULT_SORT.field;
  if (sortRaw) {
    if ((SORT_FIELDS as string[]).includes(sortRaw)) field = sortRaw as SortField;
    else errors.sort = `Query parameter "sort" must be one of ${SORT_FIELDS.join(', ')}.`;
  }
  const dirRaw = single(query, 'dir', errors);
  let direction = sortRaw && sortRaw !== DEFAULT_SORT.field ? 'asc' : DEFAULT_SORT.direction;
  if (dirRaw) {
    if (dirRaw === 'asc' || dirRaw === 'desc') direction = dirRaw;
    else errors.dir = 'Query parameter "dir" must be "asc" or "desc".';
  }

  const filter: { -readonly [K in keyof OrderFilter]: OrderFilter[K] } = {};
  // Text filters match a prefix of the field in any ASCII case (see `OrderFilter`); the text is kept as typed.
  for (const name of TEXT_FILTER_FIELDS) {
    const given = single(query, name, errors);
    if (!given) continue;
    // Stored text is NFC: a filter typed with separate accents finds it too.
    const value = normalizeText(given);
    // eslint-disable-next-line no-control-regex
    if (value.length > ORDER_RULES.textMaxLength || /[\u0000-\u001f\u007f-\u009f]/.test(value)) {
      errors[name] = `Filter "${name}" must be at most ${ORDER_RULES.textMaxLength} characters without control characters.`;
    } else {
      filter[name] = value;
    }
  }
  for (const [name, key] of [
    ['from', 'orderDateFrom'],
    ['to', 'orderDateTo'],
  ] as const) {
    const value = single(query, name, errors);
    if (!value) continue;
    if (isCalendarDate(value)) filter[key] = value;
    else errors[name] = `Filter "${name}" must be a real date in the form YYYY-MM-DD.`;
  }
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a missing end compares false anyway; the checks are there for the types
  if (filter.orderDateFrom && filter.orderDateTo && filter.orderDateFrom > filter.orderDateTo) {
    errors.to = 'Filter "to" must not be before "from".';
  }

  let cursor: ListCursor | undefined;
  for (const name of ['after', 'before'] as const) {
    const value = single(query, name, errors);
    if (!value) continue;
    const key = decodeCursor(value, field);
    if (!key) errors[name] = `Query parameter "${name}" must be a position from this list's Next or Previous link (for the same sort).`;
    else if (cursor) errors[name] = 'Give "after" or "before", not both.';
    else cursor = { direction: name, key };
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { page: page!, size: size!, sort: { field, direction: direction as OrderSort['direction'] }, filter, cursor } };
}

/** Builds the query string for a list URL, leaving out defaults so URLs stay short. */
export function listQueryString(params: ListParams, overrides: Partial<Pick<ListParams, 'page' | 'size' | 'sort' | 'cursor'>> = {}): string {
  const p = { ...params, cursor: undefined, ...overrides };
  const q = new URLSearchParams();
  const f = p.filter;
  if (f.userId) q.set('userId', f.userId);
  if (f.storeCode) q.set('storeCode', f.storeCode);
  if (f.productCode) q.set('productCode', f.productCode);
  if (f.orderDateFrom) q.set('from', f.orderDateFrom);
  if (f.orderDateTo) q.set('to', f.orderDateTo);
  if (p.sort.field !== DEFAULT_SORT.field || p.sort.direction !== DEFAULT_SORT.direction) {
    q.set('sort', p.sort.field);
    q.set('dir', p.sort.direction);
  }
  if (p.size !== PAGING.defaultSize) q.set('size', String(p.size));
  if (p.page !== 1) q.set('page', String(p.page));
  if (p.cursor) q.set(p.cursor.direction, encodeCursor(p.cursor.key));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** What `pageLinks` needs of a listed page. */
export interface PageShape {
  readonly items: readonly Order[];
  readonly page: number;
  readonly totalPages: number;
  readonly totalExact: boolean;
  readonly hasPrevious: boolean;
  readonly hasNext: boolean;
}

/** Links to the neighbouring pages: Next and Previous carry the edge row's position, so they neither repeat nor skip rows while orders are added. */
export function pageLinks(params: ListParams, result: PageShape): { first?: string; previous?: string; next?: string; last?: string } {
  const { page, totalPages, items } = result;
  const at = (target: number, cursor?: ListParams['cursor']): string => `/${listQueryString(params, { page: target, cursor })}`;
  return {
    first: result.hasPrevious ? at(1) : undefined,
    previous:
      result.hasPrevious && items.length > 0
        ? at(Math.max(1, page - 1), { direction: 'before', key: sortKeyOf(items[0]!, params.sort.field) })
        : undefined,
    next:
      result.hasNext && items.length > 0
        ? at(page + 1, { direction: 'after', key: sortKeyOf(items[items.length - 1]!, params.sort.field) })
        : undefined,
    last: result.hasNext && result.totalExact ? at(totalPages) : undefined,
  };
}
