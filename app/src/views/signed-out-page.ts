import { AppContract } from '../app-contract';
import { html, type SafeHtml } from './html';
import { layout } from './layout';

/** Shown after sign-out. */
export function signedOutPage(): SafeHtml {
  return layout({
    title: 'Signed out',
    active: 'none',
    body: html`<section class="panel">
  <h1>Signed out</h1>
  <p>You have signed out of the order app.</p>
  <p><a href="${AppContract.auth.signIn}">Sign in again</a></p>
</section>`,
  });
}
