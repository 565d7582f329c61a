import { DEFAULT_SORT, SORT_FIELDS, type OrderFilter, type OrderSort, type SortField } from './order-query';
import { isCalendarDate, ORDER_RULES } from './order-validation';

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
}

export type ListParamsResult =
  | { readonly ok: true; readonly value: ListParams }
  | { readonly ok: false; readonly errors: Record<string, string> };

/** The query parameter names, shared by pages, the API and the CSV export. */
export const LIST_PARAM_NAMES = ['page', 'size', 'sort', 'dir', 'userId', 'storeCode', 'productCode', 'from', 'to'] as const;

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
  for (const name of ['userId', 'storeCode', 'productCode'] as const) {
    const value = single(query, name, errors);
    if (!value) continue;
    // eslint-disable-next-line no-control-regex
    if ([...value].length > ORDER_RULES.textMaxLength || /[\u0000-\u001f\u007f-\u009f]/.test(value)) {
      errors[name] = `Filter "${name}" must be at most ${ORDER_RULES.textMaxLength} characters without control characters.`;
    } else {
      filter[name] = value;
    }
  }
  for (const [name, key] of [['from', 'orderDateFrom'], ['to', 'orderDateTo']] as const) {
    const value = single(query, name, errors);
    if (!value) continue;
    if (isCalendarDate(value)) filter[key] = value;
    else errors[name] = `Filter "${name}" must be a real date in the form YYYY-MM-DD.`;
  }
  if (filter.orderDateFrom && filter.orderDateTo && filter.orderDateFrom > filter.orderDateTo) {
    errors.to = 'Filter "to" must not be before "from".';
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { page: page!, size: size!, sort: { field, direction: direction as OrderSort['direction'] }, filter } };
}

/** Builds the query string for a list URL, leaving out defaults so URLs stay short. */
export function listQueryString(params: ListParams, overrides: Partial<Pick<ListParams, 'page' | 'size' | 'sort'>> = {}): string {
  const p = { ...params, ...overrides };
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
  const s = q.toString();
  return s ? `?${s}` : '';
}
