import { html, type SafeHtml } from './html';
import { layout } from './layout';

/** A plain error page: a title, what went wrong, and a way back. Never a stack trace. */
export function errorPage(title: string, messages: readonly string[]): SafeHtml {
  return layout({
    title,
    active: 'none',
    body: html`<section class="panel error-page">
  <h1>${title}</h1>
  <ul class="errors">${messages.map((m) => html`<li>${m}</li>`)}</ul>
  <p><a href="/">Back to the order list</a></p>
</section>`,
  });
}
