/*
 * Order List: the filter panel is a <details>, closed in the HTML so a phone shows the
 * orders first; on a wide screen there is room, so it is opened. Without JavaScript it
 * stays one click away.
 */
(function (root) {
  'use strict';
  var panel = root.document.querySelector('details.filter-panel');
  if (panel && root.matchMedia('(min-width: 48rem)').matches) panel.open = true;
})(window);
