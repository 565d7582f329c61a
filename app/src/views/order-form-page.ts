import { FIELD_LABELS, FORM_FIELD_NAMES, ORDER_FIELDS, type OrderField } from '../domain/order';
import { latestToday, ORDER_RULES, type FieldErrors } from '../domain/order-validation';
import { formatNumber } from '../domain/format-number';
import { html, type SafeHtml } from './html';
import { layout, type HeaderUser } from './layout';

export interface OrderFormPageProps {
  /** Values to show (the user's own after a failed submit). The card number is never echoed. */
  readonly values: Partial<Record<OrderField, string>>;
  readonly errors: FieldErrors;
  readonly csrfToken: string;
  readonly now: Date;
  /** A message for the whole form (duplicate order, rate limit). */
  readonly formError?: string;
  /** The signed-in user (sign-in on). */
  readonly user?: HeaderUser;
}

interface FieldSpec {
  readonly type: string;
  readonly attrs: SafeHtml;
  readonly hint?: string;
}

/** The browser's check of a Date UUID (the server's rule is in order-validation.ts). */
const UUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}';

/** Date fields: ISO dates typed as text (see `fieldSpec`). */
export const DATE_ATTRS = html`inputmode="numeric" pattern="\\d{4}-\\d{2}-\\d{2}" maxlength="10" autocomplete="off"`;

function fieldSpec(field: OrderField, today: string): FieldSpec {
  const text = html`maxlength="${ORDER_RULES.textMaxLength}" autocomplete="off" spellcheck="false"`;
  switch (field) {
    case 'dateUuid':
      return {
        type: 'text',
        attrs: html`pattern="${UUID_PATTERN}" autocomplete="off" spellcheck="false"`,
        hint: 'A UUID; a fresh one is filled in for you.',
      };
    case 'cardNumber':
      return {
        type: 'text',
        attrs: html`inputmode="numeric" autocomplete="off" maxlength="30" pattern="[0-9 \\-]{13,30}"`,
        hint: `${ORDER_RULES.cardMinDigits} to ${ORDER_RULES.cardMaxDigits} digits; spaces and dashes are fine.`,
      };
    case 'productQuantity':
      return {
        type: 'number',
        attrs: html`min="${ORDER_RULES.quantityMin}" max="${ORDER_RULES.quantityMax}" step="1" inputmode="numeric"`,
        hint: `${ORDER_RULES.quantityMin} to ${formatNumber(ORDER_RULES.quantityMax)}.`,
      };
    // Text, not type="date": a date picker shows the browser's locale (03/01/2024), the
    // table and messages show ISO dates; one format everywhere is easier to check.
    case 'orderDate':
      return { type: 'text', attrs: DATE_ATTRS, hint: `Year-month-day, for example ${today}; not in the future.` };
    case 'shippingDate':
      return { type: 'text', attrs: DATE_ATTRS, hint: 'Year-month-day, on or after the order date.' };
    default:
      return { type: 'text', attrs: text };
  }
}

/**
 * The GOV.UK error summary: at the top of the form, focused on load (`order-form.js`),
 * linking to each field in error. `order-form.js` builds the same markup in the browser.
 */
export function errorSummary(messages: readonly string[], links: readonly { href: string; text: string }[]): SafeHtml {
  return html`<div class="error-summary" id="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
  <h2 id="error-summary-title">There is a problem</h2>
  ${messages.map((m) => html`<p>${m}</p>`)}
  ${links.length > 0 ? html`<ul class="error-summary-list">${links.map((l) => html`<li><a href="${l.href}">${l.text}</a></li>`)}</ul>` : ''}
</div>`;
}

/** The Add New Order form. Works without JavaScript; `order-form.js` adds the same checks client-side. */
export function orderFormPage(props: OrderFormPageProps): SafeHtml {
  const today = latestToday(props.now);
  const cardError = props.errors.cardNumber;
  const fields = ORDER_FIELDS.map((field) => {
    const name = FORM_FIELD_NAMES[field];
    const spec = fieldSpec(field, today);
    const error = props.errors[field];
    const id = `f-${name}`;
    const value = field === 'cardNumber' ? '' : (props.values[field] ?? '');
    // As in the GOV.UK Design System: the error is described only while there is one.
    const describedBy = [spec.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
    const invalid = error ? html` aria-invalid="true"` : '';
    const described = describedBy ? html` aria-describedby="${describedBy}"` : '';
    return html`<div class="field${error ? ' invalid' : ''}" data-field="${name}">
  <label for="${id}">${FIELD_LABELS[field]}</label>
  <input id="${id}" name="${name}" type="${spec.type}" value="${value}" required${described}${invalid} ${spec.attrs}>
  ${spec.hint ? html`<small id="${id}-hint" class="hint">${spec.hint}</small>` : ''}
  <p id="${id}-error" class="field-error">${error ?? ''}</p>
</div>`;
  });
  const fieldErrors = ORDER_FIELDS.filter((f) => props.errors[f]);
  const cardNote =
    Object.keys(props.errors).length > 0 && !cardError && props.values.cardNumber !== undefined
      ? 'For your security the card number is not shown again: please re-enter it.'
      : undefined;
  const messages = [props.formError, props.errors.body, cardNote].filter((m): m is string => !!m);
  const hasErrors = fieldErrors.length > 0 || messages.length > 0;
  const summary = hasErrors
    ? errorSummary(
        messages,
        fieldErrors.map((f) => ({ href: `#f-${FORM_FIELD_NAMES[f]}`, text: props.errors[f]! })),
      )
    : '';
  return layout({
    // GOV.UK: "Error: " before the title, so the first thing a screen reader says is that the form needs fixing.
    title: hasErrors ? 'Error: Add New Order' : 'Add New Order',
    active: 'new',
    user: props.user,
    body: html`<section class="panel">
${summary}
<h1>Add New Order</h1>
<form id="order-form" method="post" action="/orders">
  <input type="hidden" name="_csrf" value="${props.csrfToken}">
  <div class="form-grid">${fields}</div>
  <div class="actions"><button type="submit">Add Order</button> <a href="/">Cancel</a></div>
</form>
</section>
<script src="/static/order-form.js" defer></script>`,
  });
}
