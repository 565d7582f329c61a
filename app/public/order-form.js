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
  var doc = root.document;
  function showField(f, msg) {
    var input = form.elements[NAMES[f]];
    var id = 'f-' + NAMES[f];
    doc.getElementById(id + '-error').textContent = msg || '';
    input.parentNode.classList.toggle('invalid', !!msg);
    // As the server renders it (GOV.UK): aria-invalid and the error in aria-describedby only while in error.
    var hint = doc.getElementById(id + '-hint') ? id + '-hint' : '';
    var describedBy = [hint, msg ? id + '-error' : ''].filter(Boolean).join(' ');
    if (describedBy) input.setAttribute('aria-describedby', describedBy);
    else input.removeAttribute('aria-describedby');
    if (msg) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
  /** The GOV.UK error summary, the same markup as errorSummary() in order-form-page.ts. */
  function showSummary(errors) {
    var old = doc.getElementById('error-summary');
    if (old) old.parentNode.removeChild(old);
    var failed = Object.keys(NAMES).filter(function (f) {
      return errors[f];
    });
    if (failed.length === 0) return undefined;
    var box = doc.createElement('div');
    box.className = 'error-summary';
    box.id = 'error-summary';
    box.setAttribute('role', 'alert');
    box.setAttribute('tabindex', '-1');
    box.setAttribute('aria-labelledby', 'error-summary-title');
    var title = doc.createElement('h2');
    title.id = 'error-summary-title';
    title.textContent = 'There is a problem';
    var list = doc.createElement('ul');
    list.className = 'error-summary-list';
    failed.forEach(function (f) {
      var item = doc.createElement('li');
      var link = doc.createElement('a');
      link.href = '#f-' + NAMES[f];
      link.textContent = errors[f];
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(title);
    box.appendChild(list);
    var heading = form.parentNode.querySelector('h1');
    form.parentNode.insertBefore(box, heading || form);
    return box;
  }
  function show(errors) {
    Object.keys(NAMES).forEach(function (f) {
      showField(f, errors[f]);
    });
    return showSummary(errors);
  }
  function values() {
    var out = {};
    Object.keys(NAMES).forEach(function (f) {
      out[f] = form.elements[NAMES[f]].value;
    });
    return out;
  }
  // A link in the summary moves to its field (GOV.UK: focus the input, not just scroll to it).
  doc.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('#error-summary a[href^="#f-"]');
    if (!link) return;
    var input = doc.getElementById(link.getAttribute('href').slice(1));
    if (!input) return;
    event.preventDefault();
    input.focus();
    input.scrollIntoView({ block: 'center' });
  });
  form.addEventListener('submit', function (event) {
    var summary = show(validate(values(), new Date()));
    if (summary) {
      event.preventDefault();
      summary.focus();
    }
  });
  // The server's summary (a 422 page) takes focus, so it is read first.
  var served = doc.getElementById('error-summary');
  if (served) served.focus();
  // Re-check a field when it changes, but only once it has been flagged: no nagging while typing.
  form.addEventListener('change', function (event) {
    var f = Object.keys(NAMES).filter(function (k) {
      return NAMES[k] === event.target.name;
    })[0];
    if (!f || !doc.getElementById('f-' + NAMES[f] + '-error').textContent) return;
    showField(f, validate(values(), new Date())[f]);
  });
})(typeof window !== 'undefined' ? window : globalThis);
