/*
 * Order List enhancements; the list works without them.
 * - The filter panel is a <details>, closed in the HTML so a phone shows the orders first;
 *   on a wide screen there is room, so it is opened.
 * - Each Date UUID (shown by its first 8 characters) gets a button that copies the whole value.
 */
(function (root) {
  'use strict';
  var doc = root.document;
  var panel = doc.querySelector('details.filter-panel');
  if (panel && root.matchMedia('(min-width: 48rem)').matches) panel.open = true;

  function copy(text) {
    if (root.navigator.clipboard && root.isSecureContext) return root.navigator.clipboard.writeText(text);
    // Plain http on another host has no clipboard API: copy through a selection instead.
    var area = doc.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    doc.body.appendChild(area);
    area.select();
    var ok = doc.execCommand('copy');
    doc.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  }

  Array.prototype.forEach.call(doc.querySelectorAll('td[data-label="Date UUID"] .short-id'), function (id) {
    var value = id.getAttribute('title');
    var button = doc.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy Date UUID ' + value);
    button.addEventListener('click', function () {
      copy(value).then(
        function () {
          button.textContent = 'Copied';
          root.setTimeout(function () {
            button.textContent = 'Copy';
          }, 1500);
        },
        function () {
          button.textContent = 'Select it';
        },
      );
    });
    id.parentNode.appendChild(button);
  });
})(window);
