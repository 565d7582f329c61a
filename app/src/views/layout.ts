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
  const addTab = !props.user || props.user.role === 'editor' ? tab('/orders/new', 'Add New Order', props.active === 'new') : '';
  const u = props.user;
  const who = u ? html`<span class="user-name">${u.name}</span> <span class="user-role">(${u.role})</span> ` : '';
  const signOut = u ? html`<input type="hidden" name="_csrf" value="${u.csrfToken}"><button type="submit">Sign out</button>` : '';
  const user = u ? html`<form class="user" method="post" action="${AppContract.auth.signOut}">${who}${signOut}</form>` : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${props.title} · Orders</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header class="site-header">
  <span class="brand">Order Management</span>
  <nav aria-label="Main">${tab('/', 'Order List', props.active === 'list')}${addTab}</nav>
  ${user}
</header>
<main id="main">
${props.body}
</main>
</body>
</html>
`;
}
