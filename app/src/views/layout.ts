import { html, type SafeHtml } from './html';

export interface LayoutProps {
  readonly title: string;
  /** Which tab is current. */
  readonly active: 'list' | 'new' | 'none';
  readonly body: SafeHtml;
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
  <nav aria-label="Main">${tab('/', 'Order List', props.active === 'list')}${tab('/orders/new', 'Add New Order', props.active === 'new')}</nav>
</header>
<main id="main">
${props.body}
</main>
</body>
</html>
`;
}
