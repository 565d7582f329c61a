/*
 * Client-side checks for the Add New Order form. They mirror the server's rules in
 * app/src/domain/order-validation.ts (a test runs both on the same inputs); the server
 * stays authoritative. Loaded as a file (the Content-Security-Policy forbids inline script).
 */
(function (root) {
  'use strict';
  var RULES = { textMaxLength: 64, cardMinDigits: 13, cardMaxDigits: 19, quantityMin: 1, quantityMax: 10000, latestTimeZoneOffsetHours: 14 };
  var UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
  var FORBIDDEN_RE = /[\u0000-\u001f\u007f-\u009f\ufffd]/;
  var FORMAT_CHARS_RE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029\u115f\u1160\u3164\uffa0\u2800]/u;
  var LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  var LABELS = {
    dateUuid: 'Date UUID',
    userId: 'User ID',
    cardNumber: 'Card Number',
    storeCode: 'Store Code',
    productCode: 'Product Code',
    productQuantity: 'Product Quantity',
    orderDate: 'Order Date',
    shippingDate: 'Shipping Date',
  };

  function isCalendarDate(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!m) return false;
    var y = +m[1],
      mo = +m[2],
      d = +m[3];
    if (y < 1900 || mo < 1 || mo > 12 || d < 1) return false;
    var date = new Date(Date.UTC(y, mo - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
  }
  function passesLuhn(digits) {
    var sum = 0,
      dbl = false;
    for (var i = digits.length - 1; i >= 0; i--) {
      var d = digits.charCodeAt(i) - 48;
      if (dbl) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
      dbl = !dbl;
    }
    return sum % 10 === 0;
  }
  function latestToday(now) {
    return new Date(now.getTime() + RULES.latestTimeZoneOffsetHours * 3600000).toISOString().slice(0, 10);
  }
  function text(label, value) {
    if (value.length === 0) return label + ' is required.';
    if (LONE_SURROGATE_RE.test(value) || FORBIDDEN_RE.test(value)) return label + ' must not contain control characters or invalid characters.';
    if (FORMAT_CHARS_RE.test(value))
      return (
        label + ' must not contain invisible formatting characters (such as zero-width spaces, joiners, byte order marks or text direction marks).'
      );
    if (value.length > RULES.textMaxLength) return label + ' must be at most ' + RULES.textMaxLength + ' characters (an emoji counts as two).';
    return undefined;
  }

  /** Validates form values (all strings, by field name); returns { field: message }. */
  function validate(values, now) {
    var v = {},
      errors = {};
    Object.keys(LABELS).forEach(function (f) {
      v[f] = String(values[f] == null ? '' : values[f])
        .normalize('NFC')
        .trim();
    });
    if (v.dateUuid === '') errors.dateUuid = 'Date UUID is required.';
    else if (!UUID_RE.test(v.dateUuid)) errors.dateUuid = 'Date UUID must be a UUID such as 1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed.';
    ['userId', 'storeCode', 'productCode'].forEach(function (f) {
      var e = text(LABELS[f], v[f]);
      if (e) errors[f] = e;
    });
    var digits = v.cardNumber.replace(/[\s-]/g, '');
    if (digits.length === 0) errors.cardNumber = 'Card Number is required.';
    else if (!/^\d+$/.test(digits)) errors.cardNumber = 'Card Number may contain only digits, spaces and dashes.';
    else if (digits.length < RULES.cardMinDigits || digits.length > RULES.cardMaxDigits)
      errors.cardNumber = 'Card Number must have ' + RULES.cardMinDigits + ' to ' + RULES.cardMaxDigits + ' digits (it has ' + digits.length + ').';
    else if (!passesLuhn(digits)) errors.cardNumber = 'Card Number is not a valid card number (checksum failed).';
    // Grouped as the server groups numbers (en-US, app/src/domain/format-number.ts).
    var qMsg = 'Product Quantity must be a whole number from ' + RULES.quantityMin + ' to ' + RULES.quantityMax.toLocaleString('en-US') + '.';
    if (v.productQuantity === '') errors.productQuantity = 'Product Quantity is required.';
    else if (!/^\d{1,6}$/.test(v.productQuantity) || +v.productQuantity < RULES.quantityMin || +v.productQuantity > RULES.quantityMax)
      errors.productQuantity = qMsg;
    var today = latestToday(now || new Date());
    if (v.orderDate === '') errors.orderDate = 'Order Date is required.';
    else if (!isCalendarDate(v.orderDate)) errors.orderDate = 'Order Date must be a real date in the form YYYY-MM-DD.';
    else if (v.orderDate > today) errors.orderDate = 'Order Date must not be in the future.';
    if (v.shippingDate === '') errors.shippingDate = 'Shipping Date is required.';
    else if (!isCalendarDate(v.shippingDate)) errors.shippingDate = 'Shipping Date must be a real date in the form YYYY-MM-DD.';
    else if (v.orderDate && !errors.orderDate && v.shippingDate < v.orderDate)
      errors.shippingDate = 'Shipping Date must not be before the Order Date.';
    return errors;
  }

  var api = { validate: validate, RULES: RULES };
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
    return;
  }
  root.OrderForm = api;

  var NAMES = {
    dateUuid: 'date_uuid',
    userId: 'user_id',
    cardNumber: 'card_number',
    storeCode: 'store_code',
    productCode: 'product_code',
    productQuantity: 'product_quantity',
    orderDate: 'order_date',
    shippingDate: 'shipping_date',
  };
  var form = root.document && root.document.getElementById('order-form');
  if (!form) return;
  form.noValidate = true; // our messages replace the browser's, same wording as the server's
  function showField(f, msg) {
    var input = form.elements[NAMES[f]];
    root.document.getElementById('f-' + NAMES[f] + '-error').textContent = msg || '';
    input.parentNode.classList.toggle('invalid', !!msg);
    if (msg) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
  function show(errors) {
    Object.keys(NAMES).forEach(function (f) {
      showField(f, errors[f]);
    });
  }
  function values() {
    var out = {};
    Object.keys(NAMES).forEach(function (f) {
      out[f] = form.elements[NAMES[f]].value;
    });
    return out;
  }
  form.addEventListener('submit', function (event) {
    var errors = validate(values(), new Date());
    show(errors);
    var first = Object.keys(NAMES).filter(function (f) {
      return errors[f];
    })[0];
    if (first) {
      event.preventDefault();
      form.elements[NAMES[first]].focus();
    }
  });
  // Re-check a field when it changes, but only once it has been flagged: no nagging while typing.
  form.addEventListener('change', function (event) {
    var f = Object.keys(NAMES).filter(function (k) {
      return NAMES[k] === event.target.name;
    })[0];
    if (!f || !root.document.getElementById('f-' + NAMES[f] + '-error').textContent) return;
    showField(f, validate(values(), new Date())[f]);
  });
})(typeof window !== 'undefined' ? window : globalThis);
