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
    case 'orderDate':
      return { type: 'date', attrs: html`max="${today}" min="1900-01-01"`, hint: 'Not in the future.' };
    case 'shippingDate':
      return { type: 'date', attrs: html`min="1900-01-01"`, hint: 'On or after the order date.' };
    default:
      return { type: 'text', attrs: text };
  }
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
    const describedBy = [spec.hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
    const invalid = error ? html` aria-invalid="true"` : '';
    return html`<div class="field${error ? ' invalid' : ''}" data-field="${name}">
  <label for="${id}">${FIELD_LABELS[field]}</label>
  <input id="${id}" name="${name}" type="${spec.type}" value="${value}" required aria-describedby="${describedBy}"${invalid} ${spec.attrs}>
  ${spec.hint ? html`<small id="${id}-hint" class="hint">${spec.hint}</small>` : ''}
  <p id="${id}-error" class="field-error" aria-live="polite">${error ?? ''}</p>
</div>`;
  });
  const summary = Object.keys(props.errors).length > 0 || props.formError;
  const bodyError = props.errors.body ? html` ${props.errors.body}` : '';
  return layout({
    title: 'Add New Order',
    active: 'new',
    user: props.user,
    body: html`<section class="panel">
<h1>Add New Order</h1>
${
  summary
    ? html`<div class="notice error" role="alert" id="form-errors">${props.formError ?? 'Please correct the fields marked below.'}${bodyError}${
        Object.keys(props.errors).length > 0 && !cardError && props.values.cardNumber !== undefined
          ? html` For your security the card number is not shown again: please re-enter it.`
          : ''
      }</div>`
    : ''
}
<form id="order-form" method="post" action="/orders">
  <input type="hidden" name="_csrf" value="${props.csrfToken}">
  <div class="form-grid">${fields}</div>
  <div class="actions"><button type="submit">Add Order</button> <a href="/">Cancel</a></div>
</form>
</section>
<script src="/static/order-form.js" defer></script>`,
  });
}
