import { html, type SafeHtml } from './html';
import { layout } from './layout';

/** A plain error page: a title, what went wrong, and a way back. Never a stack trace. */
export function errorPage(title: string, messages: readonly string[]): SafeHtml {
  return layout({
    title,
    active: 'none',
    body: html`<section class="panel error-page">
  <h1>${title}</h1>
  ${messages.length === 1 ? html`<p>${messages[0]!}</p>` : html`<ul>${messages.map((m) => html`<li>${m}</li>`)}</ul>`}
  <p><a href="/">Back to the order list</a></p>
</section>`,
  });
}

/** The 404 page: what happened in plain words, and the way back. */
export function notFoundPage(path: string): SafeHtml {
  return layout({
    title: 'Page not found',
    active: 'none',
    body: html`<section class="panel error-page">
  <h1>Page not found</h1>
  <p>There is no page at <code>${path.slice(0, 100)}</code>.</p>
  <p>If you typed the address, check it is correct. If you followed a link or a bookmark, the page may have moved.</p>
  <p><a href="/">Go to the order list</a></p>
</section>`,
  });
}
