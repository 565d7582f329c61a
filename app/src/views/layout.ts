import { AppContract } from '../app-contract';
import { html, type SafeHtml } from './html';

/** The signed-in user, shown in the header with a sign-out button (sign-in on only). */
export interface HeaderUser {
  readonly name: string;
  readonly role: 'viewer' | 'editor';
  /** For the sign-out form. */
  readonly csrfToken: string;
}

export interface LayoutProps {
  readonly title: string;
  /** Which tab is current. */
  readonly active: 'list' | 'new' | 'none';
  readonly body: SafeHtml;
  /** @default none (sign-in off, or not signed in) */
  readonly user?: HeaderUser;
}

/** The page frame: header with the two tabs of the original app, and the main content. */
export function layout(props: LayoutProps): SafeHtml {
  const tab = (href: string, label: string, current: boolean): SafeHtml =>
    html`<a class="tab${current ? ' current' : ''}" href="${href}"${current ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${props.title} · Orders</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header class="site-header">
  <span class="brand">Order Management</span>
  <nav aria-label="Main">${tab('/', 'Order List', props.active === 'list')}${!props.user || props.user.role === 'editor' ? tab('/orders/new', 'Add New Order', props.active === 'new') : ''}</nav>
  ${
    props.user
      ? html`<form class="user" method="post" action="${AppContract.auth.signOut}"><span class="user-name">${props.user.name}</span> <span class="user-role">(${props.user.role})</span> <input type="hidden" name="_csrf" value="${props.user.csrfToken}"><button type="submit">Sign out</button></form>`
      : ''
  }
</header>
<main id="main">
${props.body}
</main>
</body>
</html>
`;
}
